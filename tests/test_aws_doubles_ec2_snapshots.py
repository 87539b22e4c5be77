"""The EC2 ``DescribeSnapshots`` double (``localaws/doubles/ec2_snapshots.py``), through boto3.

Each test runs in-process under ``mock_aws`` and against a ``ThreadedMotoServer``, since the double
patches moto's server side. What it pins is what the API reference documents for ``OwnerIds`` and
``RestorableByUserIds``, the scopes moto 5.2 ignores.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from localaws.doubles.moto_patches import install_aws_doubles
from localaws.server import start_server

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's account for credentials it did not issue
MEMBER = "222222222222"
PARTNER = "111122223333"


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    for name in ("AWS_PROFILE", "MOTO_ACCOUNT_ID", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def server_endpoint() -> Iterator[str]:
    server, endpoint_url = start_server()
    yield endpoint_url
    server.stop()


@dataclass
class Ec2:
    endpoint_url: str | None

    def client(self, account_id: str = ACCOUNT) -> EC2Client:
        credentials: dict[str, Any] = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        if account_id != ACCOUNT:
            sts = boto3.client("sts", region_name=REGION, endpoint_url=self.endpoint_url, **credentials)
            assumed = sts.assume_role(
                RoleArn=f"arn:aws:iam::{account_id}:role/doubles-test", RoleSessionName="doubles-test"
            )["Credentials"]
            credentials = {
                "aws_access_key_id": assumed["AccessKeyId"],
                "aws_secret_access_key": assumed["SecretAccessKey"],
                "aws_session_token": assumed["SessionToken"],
            }
        return boto3.client("ec2", region_name=REGION, endpoint_url=self.endpoint_url, **credentials)


@pytest.fixture(params=["in-process", "server"])
def ec2(request: pytest.FixtureRequest) -> Iterator[Ec2]:
    if request.param == "in-process":
        install_aws_doubles()
        with mock_aws():
            yield Ec2(endpoint_url=None)
        return
    endpoint_url: str = request.getfixturevalue("server_endpoint")
    urllib.request.urlopen(urllib.request.Request(f"{endpoint_url}/moto-api/reset", method="POST")).close()
    yield Ec2(endpoint_url=endpoint_url)


def snapshot(client: EC2Client, *, groups: list[str] | None = None, users: list[str] | None = None) -> str:
    volume = client.create_volume(Size=1, AvailabilityZone=f"{REGION}a")["VolumeId"]
    snapshot_id = client.create_snapshot(VolumeId=volume)["SnapshotId"]
    if groups or users:
        client.modify_snapshot_attribute(
            SnapshotId=snapshot_id,
            Attribute="createVolumePermission",
            OperationType="add",
            GroupNames=groups or [],
            UserIds=users or [],
        )
    return snapshot_id


def listed(client: EC2Client, **scope: Any) -> set[str]:
    pages = client.get_paginator("describe_snapshots").paginate(**scope)
    return {found["SnapshotId"] for page in pages for found in page["Snapshots"]}


@pytest.fixture
def estate(ec2: Ec2) -> dict[str, str]:
    """Snapshots of the caller: public, public and shared, shared, private; one public of another account."""
    client = ec2.client()
    return {
        "public": snapshot(client, groups=["all"]),
        "public-shared": snapshot(client, groups=["all"], users=[PARTNER]),
        "shared": snapshot(client, users=[PARTNER]),
        "private": snapshot(client),
        "member-public": snapshot(ec2.client(MEMBER), groups=["all"]),
    }


def ids(estate: dict[str, str], *names: str) -> set[str]:
    return {estate[name] for name in names}


def test_owner_self_or_the_account_id_lists_only_the_callers_snapshots(
    ec2: Ec2, estate: dict[str, str]
) -> None:
    own = ids(estate, "public", "public-shared", "shared", "private")
    assert listed(ec2.client(), OwnerIds=["self"]) == own
    assert listed(ec2.client(), OwnerIds=[ACCOUNT]) == own
    assert listed(ec2.client(), OwnerIds=[PARTNER]) == set()
    assert listed(ec2.client(), OwnerIds=["amazon"]) == set()


def test_restorable_by_all_lists_only_public_snapshots(ec2: Ec2, estate: dict[str, str]) -> None:
    public = ids(estate, "public", "public-shared")
    assert listed(ec2.client(), OwnerIds=[ACCOUNT], RestorableByUserIds=["all"]) == public
    assert listed(ec2.client(MEMBER), OwnerIds=["self"], RestorableByUserIds=["all"]) == {
        estate["member-public"]
    }


def test_restorable_by_an_account_or_self(ec2: Ec2, estate: dict[str, str]) -> None:
    shared = ids(estate, "public-shared", "shared")
    assert listed(ec2.client(), OwnerIds=["self"], RestorableByUserIds=[PARTNER]) == shared
    assert listed(ec2.client(), OwnerIds=["self"], RestorableByUserIds=["self"]) == ids(
        estate, "public", "public-shared", "shared", "private"
    )
    assert listed(ec2.client(), OwnerIds=["self"], RestorableByUserIds=["all", PARTNER]) == ids(
        estate, "public", "public-shared", "shared"
    )


def test_without_scopes_moto_answers_as_before(ec2: Ec2, estate: dict[str, str]) -> None:
    """moto's preloaded AMI snapshots (other owners) still come back when nothing narrows the list."""
    everything = listed(ec2.client())
    assert ids(estate, "public", "private") <= everything
    assert len(everything) > 100
    assert listed(ec2.client(), SnapshotIds=[estate["private"]]) == {estate["private"]}


def test_an_unknown_snapshot_id_is_still_refused(ec2: Ec2, estate: dict[str, str]) -> None:
    with pytest.raises(ClientError) as caught:
        ec2.client().describe_snapshots(SnapshotIds=["snap-0123456789abcdef0"], OwnerIds=["self"])
    assert caught.value.response["Error"]["Code"] == "InvalidSnapshot.NotFound"


def test_removing_group_all_keeps_the_accounts_a_snapshot_is_shared_with(
    ec2: Ec2, estate: dict[str, str]
) -> None:
    """The call EC2.1's fix makes, as moto answers it: only the public permission goes."""
    client = ec2.client()
    client.modify_snapshot_attribute(
        SnapshotId=estate["public-shared"],
        Attribute="createVolumePermission",
        OperationType="remove",
        GroupNames=["all"],
    )
    permissions = client.describe_snapshot_attribute(
        SnapshotId=estate["public-shared"], Attribute="createVolumePermission"
    )["CreateVolumePermissions"]
    assert permissions == [{"UserId": PARTNER}]
    assert listed(client, OwnerIds=["self"], RestorableByUserIds=["all"]) == {estate["public"]}
