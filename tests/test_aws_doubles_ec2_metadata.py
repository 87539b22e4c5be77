"""The EC2 double (`localaws/doubles/ec2_instance_metadata.py`) pinned against AWS's documented behaviour."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

REGION = "us-east-1"
OWNERS_OPTIONS: dict[str, Any] = {
    "HttpTokens": "optional",
    "HttpPutResponseHopLimit": 2,
    "HttpEndpoint": "enabled",
    "HttpProtocolIpv6": "enabled",
    "InstanceMetadataTags": "enabled",
}


def launch(ec2: EC2Client, **options: Any) -> str:
    return ec2.run_instances(
        ImageId="ami-12c6146b",
        MinCount=1,
        MaxCount=1,
        MetadataOptions=options or OWNERS_OPTIONS,  # type: ignore[arg-type]
    )["Instances"][0]["InstanceId"]


def metadata_options(ec2: EC2Client, instance_id: str) -> dict[str, Any]:
    instance = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    return {key: value for key, value in instance["MetadataOptions"].items() if key != "State"}


@pytest.mark.usefixtures("aws")
def test_an_option_left_out_of_the_request_keeps_its_value() -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    instance_id = launch(ec2)

    answer = ec2.modify_instance_metadata_options(InstanceId=instance_id, HttpTokens="required")

    assert metadata_options(ec2, instance_id) == {**OWNERS_OPTIONS, "HttpTokens": "required"}
    assert answer["InstanceMetadataOptions"]["HttpPutResponseHopLimit"] == 2


@pytest.mark.usefixtures("aws")
def test_every_option_named_is_set() -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    instance_id = launch(ec2)
    wanted: dict[str, Any] = {
        "HttpTokens": "required",
        "HttpPutResponseHopLimit": 1,
        "HttpEndpoint": "disabled",
        "HttpProtocolIpv6": "disabled",
        "InstanceMetadataTags": "disabled",
    }

    ec2.modify_instance_metadata_options(InstanceId=instance_id, **wanted)

    assert metadata_options(ec2, instance_id) == wanted


@pytest.mark.usefixtures("aws")
def test_a_disabled_endpoint_stays_disabled_when_only_the_tokens_change() -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    instance_id = launch(ec2, HttpTokens="optional", HttpEndpoint="disabled")

    ec2.modify_instance_metadata_options(InstanceId=instance_id, HttpTokens="required")

    options = metadata_options(ec2, instance_id)
    assert (options["HttpTokens"], options["HttpEndpoint"]) == ("required", "disabled")


@pytest.mark.usefixtures("aws")
def test_an_unknown_instance_is_not_found() -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    with pytest.raises(ClientError) as caught:
        ec2.modify_instance_metadata_options(InstanceId="i-0123456789abcdef0", HttpTokens="required")
    assert caught.value.response["Error"]["Code"] == "InvalidInstanceID.NotFound"
