"""A batch's security groups are read with one DescribeSecurityGroupRules, and each fix still reads live.

`engine/read_ahead.py`: one call reads the group of resources a batch's findings name; a state
read ahead serves one finding only, only while fresh, and a resource the call left out is read
alone.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import boto3
import pytest

from demo import asff
from engine.clients import ClientFactory
from engine.handler import build_engine
from engine.read_ahead import MAX_AGE_SECONDS, ReadAhead
from engine.settings import Settings
from engine.state import Claim
from localaws.recorder import recording_session
from model.finding import Resource, ResourceFormat
from remediations.ec2_public_ingress import REMEDIATION as REVOKE_PUBLIC_INGRESS
from remediations.security_group_rules import read_group, read_groups

ACCOUNT, REGION = "123456789012", "us-east-1"
ACTION = f"arn:aws:securityhub:{REGION}:{ACCOUNT}:action/custom/Remediate"
SSH_FROM_ANYWHERE = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


def _open_groups(session: boto3.Session, count: int) -> list[str]:
    ec2 = session.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    groups = []
    for n in range(count):
        group = ec2.create_security_group(GroupName=f"open-{n}", Description="t", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[SSH_FROM_ANYWHERE])  # type: ignore[list-item]
        groups.append(group)
    return groups


def _findings(groups: list[str], *, legacy_too: bool = False) -> list[dict[str, Any]]:
    findings = []
    for group in groups:
        target = asff.Target("AwsEc2SecurityGroup", f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group}")
        findings.append(asff.finding("EC2.13", target, ACCOUNT, REGION))
        if legacy_too:
            findings.append(asff.finding("EC2.13", target, ACCOUNT, REGION, legacy=True))
    return findings


def _handle(findings: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    boto3.client("securityhub", region_name=REGION).batch_import_findings(Findings=findings)  # type: ignore[arg-type]
    session, recorder = recording_session(REGION)
    engine = build_engine(Settings(home_account_id=ACCOUNT), ClientFactory(session, home_account_id=ACCOUNT))
    engine.on_outcome = None
    report = engine.handle(asff.custom_action_event(findings, ACTION, "Remediate", ACCOUNT, REGION))
    return report, recorder.calls


@pytest.mark.usefixtures("aws")
def test_a_batch_of_groups_costs_one_read_and_a_revoke_each() -> None:
    session = boto3.Session(region_name=REGION)
    securityhub = session.client("securityhub")
    securityhub.enable_security_hub()
    groups = _open_groups(session, 12)
    report, calls = _handle(_findings(groups))
    assert report["summary"] == {"remediated": 12}
    assert calls.count("ec2.DescribeSecurityGroupRules") == 1
    assert calls.count("ec2.RevokeSecurityGroupIngress") == 12
    rules = session.client("ec2").describe_security_group_rules()["SecurityGroupRules"]
    assert not [r for r in rules if r.get("CidrIpv4") == "0.0.0.0/0" and r.get("FromPort") == 22]


@pytest.mark.usefixtures("aws")
def test_a_second_finding_for_the_same_group_reads_it_again_after_the_first_fix() -> None:
    session = boto3.Session(region_name=REGION)
    session.client("securityhub").enable_security_hub()
    groups = _open_groups(session, 3)
    report, calls = _handle(_findings(groups, legacy_too=True))  # consolidated and CIS 1.2.0: 2 per group
    assert report["summary"] == {"remediated": 3, "already-compliant": 3}
    assert calls.count("ec2.RevokeSecurityGroupIngress") == 3
    assert calls.count("ec2.DescribeSecurityGroupRules") == 1 + 3  # the group's read, then each again


@pytest.mark.usefixtures("aws")
def test_read_groups_reads_what_read_group_reads_and_leaves_out_groups_without_rules() -> None:
    session = boto3.Session(region_name=REGION)
    ec2 = session.client("ec2")
    groups = _open_groups(session, 3)
    empty = ec2.create_security_group(GroupName="empty", Description="t")["GroupId"]
    ec2.revoke_security_group_egress(
        GroupId=empty, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    together = read_groups(ec2, [*groups, empty])
    assert sorted(together) == sorted(groups)
    for group in groups:
        assert together[group] == read_group(ec2, group)


def _resource(name: str) -> Resource:
    return Resource(
        type="AwsEc2SecurityGroup",
        id=f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{name}",
        name=name,
        account_id=ACCOUNT,
        region=REGION,
        partition="aws",
        arn=f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{name}",
        format=ResourceFormat.ASFF,
    )


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_state_read_ahead_serves_one_finding_and_only_while_fresh() -> None:
    reads: list[list[str]] = []

    def read_many(_client: Any, names: Any) -> dict[str, Any]:
        reads.append(list(names))
        return {name: {"GroupId": name, "Rules": []} for name in names if name != "sg-gone"}

    remediation = REVOKE_PUBLIC_INGRESS._replace(read_many=read_many)
    clock = _Clock()
    group = (remediation.name, ACCOUNT, REGION)
    ahead = ReadAhead({group: ["sg-1", "sg-2", "sg-gone", "sg-1"]}, clock)
    assert ahead.take(remediation, _resource("sg-1"), None) == {"GroupId": "sg-1", "Rules": []}
    assert reads == [["sg-1", "sg-2", "sg-gone"]]
    assert ahead.take(remediation, _resource("sg-1"), None) is None  # used once: read it live again
    assert ahead.take(remediation, _resource("sg-gone"), None) is None  # left out: read alone
    clock.now = MAX_AGE_SECONDS + 1
    assert ahead.take(remediation, _resource("sg-2"), None) is None  # stale: read again
    assert reads == [["sg-1", "sg-2", "sg-gone"]]


def test_a_single_resource_is_not_read_ahead() -> None:
    ahead = ReadAhead({(REVOKE_PUBLIC_INGRESS.name, ACCOUNT, REGION): ["sg-1"]})
    assert ahead.take(REVOKE_PUBLIC_INGRESS, _resource("sg-1"), None) is None


def test_a_change_by_another_delivery_since_the_read_means_reading_again() -> None:
    """With a state table the group's read may precede a finding's claim: a change since voids it."""

    def read_many(_client: Any, names: Any) -> dict[str, Any]:
        return {name: {"GroupId": name, "Rules": []} for name in names}

    remediation = REVOKE_PUBLIC_INGRESS._replace(read_many=read_many)
    group = (remediation.name, ACCOUNT, REGION)
    wall = _Clock()
    wall.now = 1_000_000.0
    ahead = ReadAhead({group: ["sg-1", "sg-2", "sg-3"]}, _Clock(), wall)

    def journal(history: tuple[float, ...], record: Any = None) -> Any:
        return SimpleNamespace(claim=Claim("key", "owner", history, record))

    assert ahead.take(remediation, _resource("sg-1"), None, journal((wall.now + 5,))) is None
    unfinished = SimpleNamespace(finished=False)
    assert ahead.take(remediation, _resource("sg-2"), None, journal((), unfinished)) is None
    days_ago = wall.now - 86_400
    assert ahead.take(remediation, _resource("sg-3"), None, journal((days_ago,))) == {
        "GroupId": "sg-3",
        "Rules": [],
    }
