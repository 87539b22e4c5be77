"""Builders of the estate: buckets, password policies, security groups, queues, topics, findings.

One set serves the tests, the cross-account tests and the demo: each takes an optional
`session` (boto3's default session when omitted, i.e. the account plain credentials act in; an
assumed-role session from `localaws.sessions` for a member account) and a Region. Builders that
create something an event names by a placeholder return the placeholder → real id replacements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3

from engine.parse import IMPORTED_V2
from localaws.doubles.securityhub_ocsf import import_ocsf_findings
from localaws.doubles.securityhub_ocsf import key_of as ocsf_identifier
from localaws.estate.names import (
    BUCKET,
    DEFAULT_SG_PLACEHOLDER,
    QUEUE,
    QUEUE_URL,
    REGION,
    TOPIC,
    TOPIC_ARN,
    WEAK_POLICY,
)
from localaws.estate.readers import security_group_rules
from localaws.events import findings_of
from localaws.sessions import default_session

if TYPE_CHECKING:
    from mypy_boto3_ec2.type_defs import IpPermissionTypeDef
    from mypy_boto3_s3.literals import ServerSideEncryptionType


@dataclass(frozen=True, slots=True)
class Ingress:
    """One TCP ingress permission: from CIDRs (IPv4 or IPv6), or from a peer group in the same VPC."""

    port: int
    cidrs: tuple[str, ...] = ()
    from_peer: bool = False


@dataclass(frozen=True, slots=True)
class SecurityGroup:
    id: str
    name: str
    vpc_id: str


#: SSH and RDP open to the internet beside rules that must never be touched (the events' web group).
OPEN_WEB_INGRESS = (
    Ingress(22, ("0.0.0.0/0",)),
    Ingress(3389, ("::/0",)),
    Ingress(443, ("0.0.0.0/0",)),
    Ingress(22, ("10.0.0.0/8",)),
    Ingress(5432, from_peer=True),
)


def create_bucket(
    name: str = BUCKET,
    region: str = REGION,
    *,
    session: boto3.Session | None = None,
    sse_algorithm: ServerSideEncryptionType | None = None,
) -> None:
    """A bucket in `region`; with `sse_algorithm`, that default encryption set explicitly."""
    s3 = default_session(session).client("s3", region_name=region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})  # type: ignore[typeddict-item]
    if sse_algorithm:
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": sse_algorithm}}]
            },
        )


def set_weak_password_policy(
    *, session: boto3.Session | None = None, policy: Mapping[str, Any] = WEAK_POLICY
) -> None:
    default_session(session).client("iam").update_account_password_policy(**policy)


def create_security_group(
    ingress: Sequence[Ingress],
    region: str = REGION,
    *,
    session: boto3.Session | None = None,
    name: str = "web",
    vpc_cidr: str = "10.0.0.0/16",
) -> SecurityGroup:
    """A group in a new VPC with `ingress`; a peer group is created first when a rule needs one."""
    ec2 = default_session(session).client("ec2", region_name=region)
    vpc_id = ec2.create_vpc(CidrBlock=vpc_cidr)["Vpc"]["VpcId"]
    peer = None
    if any(rule.from_peer for rule in ingress):
        peer = ec2.create_security_group(GroupName="peer", Description="peer", VpcId=vpc_id)["GroupId"]
    group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group, IpPermissions=[_permission(rule, peer) for rule in ingress]
    )
    return SecurityGroup(group, name, vpc_id)


def _permission(rule: Ingress, peer: str | None) -> IpPermissionTypeDef:
    permission: IpPermissionTypeDef = {"IpProtocol": "tcp", "FromPort": rule.port, "ToPort": rule.port}
    if v4 := [cidr for cidr in rule.cidrs if ":" not in cidr]:
        permission["IpRanges"] = [{"CidrIp": cidr} for cidr in v4]
    if v6 := [cidr for cidr in rule.cidrs if ":" in cidr]:
        permission["Ipv6Ranges"] = [{"CidrIpv6": cidr} for cidr in v6]
    if rule.from_peer and peer:
        permission["UserIdGroupPairs"] = [{"GroupId": peer}]
    return permission


def create_open_security_group(
    region: str = REGION,
    *,
    session: boto3.Session | None = None,
    ingress: Sequence[Ingress] = OPEN_WEB_INGRESS,
) -> str:
    """The events' web group (`OPEN_WEB_INGRESS` unless told otherwise); returns its id."""
    return create_security_group(ingress, region, session=session).id


def default_security_group(
    region: str = REGION,
    *,
    session: boto3.Session | None = None,
    ingress: Sequence[Ingress] = (),
    ipv6: bool = False,
) -> SecurityGroup:
    """A new VPC's default group with AWS's default rules, plus `ingress`.

    AWS's defaults are all traffic from the group itself and all out to 0.0.0.0/0, and to ::/0
    when the VPC has IPv6 (`ipv6`). moto omits the self-referencing rule, so it is added here.
    """
    ec2 = default_session(session).client("ec2", region_name=region)
    vpc_id = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    group = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    existing = security_group_rules(group, region, session=session)
    permissions: list[IpPermissionTypeDef] = []
    if not any(not rule["IsEgress"] for rule in existing):
        permissions.append({"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group}]})
    permissions += [_permission(rule, group) for rule in ingress]
    if permissions:
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=permissions)
    if ipv6 and not any(rule.get("CidrIpv6") == "::/0" for rule in existing if rule["IsEgress"]):
        ec2.authorize_security_group_egress(
            GroupId=group, IpPermissions=[{"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}]
        )
    return SecurityGroup(group, "default", vpc_id)


def create_default_security_group(
    region: str = REGION, *, session: boto3.Session | None = None
) -> dict[str, str]:
    """The events' default group (IPv4 and IPv6 egress); returns the placeholder → id replacement."""
    return {DEFAULT_SG_PLACEHOLDER: default_security_group(region, session=session, ipv6=True).id}


def create_unencrypted_queue(
    region: str = REGION, *, session: boto3.Session | None = None, name: str = QUEUE
) -> dict[str, str]:
    """A queue with SSE-SQS switched off (new queues get it by default); returns url → real url."""
    url = (
        default_session(session)
        .client("sqs", region_name=region)
        .create_queue(QueueName=name, Attributes={"SqsManagedSseEnabled": "false"})["QueueUrl"]
    )
    return {QUEUE_URL: url}


def create_unencrypted_topic(
    region: str = REGION, *, session: boto3.Session | None = None, name: str = TOPIC
) -> dict[str, str]:
    arn = default_session(session).client("sns", region_name=region).create_topic(Name=name)["TopicArn"]
    return {TOPIC_ARN: arn}


def enable_security_hub(region: str = REGION) -> None:
    boto3.client("securityhub", region_name=region).enable_security_hub()


def import_findings(event: Mapping[str, Any], region: str = REGION) -> None:
    """Put the event's well-formed findings into Security Hub, as if it had produced them.

    OCSF findings (`Findings Imported V2`) have no import API: they are stored in the moto
    double's backend of the event's account (the hub's, where findings are aggregated) instead.
    Every one that names the three parts of its V2 identifier is kept, so a malformed finding's
    comment can be read back too.
    """
    if event.get("detail-type") == IMPORTED_V2:
        ocsf = [f for f in findings_of(event) if all(ocsf_identifier(f))]
        import_ocsf_findings(str(event["account"]), region, ocsf)
        return
    findings: list[Any] = [f for f in findings_of(event) if "Id" in f and "Resources" in f]
    if findings:
        response = boto3.client("securityhub", region_name=region).batch_import_findings(Findings=findings)
        assert response["FailedCount"] == 0, response


def create_config_rule(name: str, source_identifier: str, region: str = REGION) -> None:
    """A rule Config knows by `name`, so StartConfigRulesEvaluation accepts it."""
    boto3.client("config", region_name=region).put_config_rule(
        ConfigRule={"ConfigRuleName": name, "Source": {"Owner": "AWS", "SourceIdentifier": source_identifier}}
    )


def create_custom_config_rule(name: str, region: str = REGION) -> dict[str, str]:
    """A member's own rule (a Lambda it wrote) under a name AWS uses, as a forger would make it.

    Config checks that the function exists and may be invoked, so a function is made first.
    Returns no replacements: it is a scenario setup.
    """
    iam = boto3.client("iam", region_name=region)
    role = iam.create_role(RoleName=f"{name}-rule", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    function = boto3.client("lambda", region_name=region).create_function(
        FunctionName=f"{name}-rule",
        Runtime="python3.13",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": _empty_zip()},
    )["FunctionArn"]
    boto3.client("config", region_name=region).put_config_rule(
        ConfigRule={
            "ConfigRuleName": name,
            "Source": {
                "Owner": "CUSTOM_LAMBDA",
                "SourceIdentifier": function,
                "SourceDetails": [
                    {"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"}
                ],
            },
        }
    )
    return {}


def _empty_zip() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return None\n")
    return buffer.getvalue()
