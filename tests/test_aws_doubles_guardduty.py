"""The GuardDuty double (`localaws/doubles/guardduty_detector.py`): what AWS documents, pinned.

In-process under `mock_aws` with the doubles installed (the `aws` fixture); the double patches
moto's URL table and response class, so a moto server answers the same.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.usefixtures("aws")


def guardduty(region: str = "us-east-1") -> Any:
    return boto3.client("guardduty", region_name=region)


def test_one_detector_a_region_a_second_is_refused() -> None:
    client = guardduty()
    first = client.create_detector(Enable=True)["DetectorId"]
    with pytest.raises(ClientError) as error:
        client.create_detector(Enable=True)
    assert error.value.response["Error"]["Code"] == "BadRequestException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert client.list_detectors()["DetectorIds"] == [first]
    assert guardduty("eu-west-1").create_detector(Enable=True)["DetectorId"]  # another Region: its own
    client.delete_detector(DetectorId=first)
    assert client.create_detector(Enable=False)["DetectorId"] != first


def test_a_new_detector_holds_nothing() -> None:
    client = guardduty()
    detector = client.create_detector(Enable=True)["DetectorId"]
    assert client.list_findings(DetectorId=detector, MaxResults=1)["FindingIds"] == []
    assert client.list_filters(DetectorId=detector, MaxResults=1)["FilterNames"] == []
    assert client.list_members(DetectorId=detector, OnlyAssociated="false")["Members"] == []
    assert client.list_publishing_destinations(DetectorId=detector)["Destinations"] == []


def test_what_a_detector_holds_is_listed_and_goes_with_it() -> None:
    client = guardduty()
    detector = client.create_detector(Enable=True)["DetectorId"]
    client.create_sample_findings(DetectorId=detector, FindingTypes=["Recon:EC2/PortProbeUnprotectedPort"])
    client.create_filter(
        DetectorId=detector, Name="quiet", Action="ARCHIVE", FindingCriteria={"Criterion": {}}
    )
    client.create_members(
        DetectorId=detector, AccountDetails=[{"AccountId": "210987654321", "Email": "a@b.c"}]
    )
    client.create_publishing_destination(
        DetectorId=detector,
        DestinationType="S3",
        DestinationProperties={
            "DestinationArn": "arn:aws:s3:::b",
            "KmsKeyArn": "arn:aws:kms:us-east-1:1:key/k",
        },
    )
    assert len(client.list_findings(DetectorId=detector, MaxResults=1)["FindingIds"]) == 1
    assert client.list_filters(DetectorId=detector)["FilterNames"] == ["quiet"]
    members = client.list_members(DetectorId=detector, OnlyAssociated="false")["Members"]
    assert [m["AccountId"] for m in members] == ["210987654321"]
    assert client.list_members(DetectorId=detector)["Members"] == []  # only associated, by default
    assert [
        d["DestinationType"] for d in client.list_publishing_destinations(DetectorId=detector)["Destinations"]
    ] == ["S3"]
    client.delete_detector(DetectorId=detector)
    fresh = client.create_detector(Enable=True)["DetectorId"]
    assert client.list_findings(DetectorId=fresh)["FindingIds"] == []
    assert client.list_members(DetectorId=fresh, OnlyAssociated="false")["Members"] == []


def test_an_unknown_detector_is_refused() -> None:
    with pytest.raises(ClientError) as error:
        guardduty().list_findings(DetectorId="0" * 32)
    assert error.value.response["Error"]["Code"] == "BadRequestException"


def test_a_detector_has_the_administrator_whose_invitation_it_accepted() -> None:
    client = guardduty()
    detector = client.create_detector(Enable=True)["DetectorId"]
    assert "Administrator" not in client.get_administrator_account(DetectorId=detector)
    client.accept_administrator_invitation(
        DetectorId=detector, AdministratorId="210987654321", InvitationId="invitation"
    )
    administrator = client.get_administrator_account(DetectorId=detector)["Administrator"]
    assert (administrator["AccountId"], administrator["RelationshipStatus"]) == ("210987654321", "Enabled")
