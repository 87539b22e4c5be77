"""The DeleteTrail double (localaws/doubles/cloudtrail_trails.py): by name or ARN, unknown refused."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

REGION = "us-east-1"


def _trail(name: str) -> str:
    session = boto3.Session(region_name=REGION)
    session.client("s3").create_bucket(Bucket=f"{name}-logs")
    return str(session.client("cloudtrail").create_trail(Name=name, S3BucketName=f"{name}-logs")["TrailARN"])


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize("by", ["name", "arn"])
def test_delete_trail_takes_the_name_or_the_arn(by: str) -> None:
    arn = _trail("double-trail")
    client = boto3.client("cloudtrail", region_name=REGION)
    client.delete_trail(Name="double-trail" if by == "name" else arn)
    assert client.describe_trails()["trailList"] == []


@pytest.mark.usefixtures("aws")
def test_delete_trail_refuses_a_trail_that_does_not_exist() -> None:
    client = boto3.client("cloudtrail", region_name=REGION)
    with pytest.raises(ClientError) as raised:
        client.delete_trail(Name=f"arn:aws:cloudtrail:{REGION}:123456789012:trail/missing")
    assert raised.value.response["Error"]["Code"] == "TrailNotFoundException"
