"""The demo's vulnerable estate: what each piece is, how to build it, and which findings it gets.

Each piece is one resource in the hub or the member account with the findings Security Hub
would raise on it, in consolidated or CIS 1.2.0 form. `delivery` says how the finding reaches
the engine: `imported` when Security Hub raises it after the stack is deployed (EventBridge
Imported event), `backlog` when it was already there (no new event until Security Hub
re-checks; an operator selects it and picks the custom action).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import boto3

from demo.asff import Target

if TYPE_CHECKING:
    from mypy_boto3_ec2.type_defs import IpPermissionTypeDef

Build = Callable[[boto3.Session, str, str], Target]  # (session, account, region) -> resource
Delivery = Literal["imported", "backlog"]
WEAK_PASSWORD_POLICY: dict[str, Any] = {
    "MinimumPasswordLength": 8,
    "RequireNumbers": True,
    "MaxPasswordAge": 180,
    "PasswordReusePrevention": 5,
}


@dataclass(frozen=True, slots=True)
class FindingSpec:
    control: str
    legacy: bool = False  # CIS 1.2.0 per-standard form instead of a consolidated finding
    delivery: Delivery = "imported"


@dataclass(frozen=True, slots=True)
class Piece:
    account: Literal["hub", "member"]
    description: str
    build: Build
    findings: tuple[FindingSpec, ...]


def kms_candidate_bucket(session: boto3.Session, account: str, region: str) -> Target:
    """A bucket with only S3's default SSE-S3 encryption (S3.17 asks for KMS)."""
    name = f"demo-reports-{account}"
    s3 = session.client("s3")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    return _bucket(name)


def public_bucket(session: boto3.Session, account: str, region: str) -> Target:
    """A bucket without a public access block."""
    name = f"demo-uploads-{account}"
    session.client("s3").create_bucket(Bucket=name)
    return _bucket(name)


def weak_password_policy(session: boto3.Session, account: str, region: str) -> Target:
    session.client("iam").update_account_password_policy(**WEAK_PASSWORD_POLICY)
    return Target("AwsAccount", f"AWS::::Account:{account}")


def open_security_group(session: boto3.Session, account: str, region: str) -> Target:
    """SSH and RDP open to 0.0.0.0/0 and ::/0, beside HTTPS and SSH from a private range."""
    ec2 = session.client("ec2", region_name=region)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="web", Description="web servers", VpcId=vpc)["GroupId"]

    def rule(port: int, *, v4: str | None = None, v6: str | None = None) -> IpPermissionTypeDef:
        permission: IpPermissionTypeDef = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
        if v4:
            permission["IpRanges"] = [{"CidrIp": v4}]
        if v6:
            permission["Ipv6Ranges"] = [{"CidrIpv6": v6}]
        return permission

    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            rule(22, v4="0.0.0.0/0", v6="::/0"),
            rule(3389, v4="0.0.0.0/0", v6="::/0"),
            rule(443, v4="0.0.0.0/0"),
            rule(22, v4="10.0.0.0/8"),
        ],
    )
    return _security_group(group, "web", vpc, account, region)


def default_security_group(session: boto3.Session, account: str, region: str) -> Target:
    """A VPC's default group, which still lets its members talk and has had HTTP opened on it."""
    ec2 = session.client("ec2", region_name=region)
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    group = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group}]},
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        ],
    )
    return _security_group(group, "default", vpc, account, region)


def unencrypted_queue(session: boto3.Session, account: str, region: str) -> Target:
    name = "demo-orders"
    session.client("sqs", region_name=region).create_queue(
        QueueName=name, Attributes={"SqsManagedSseEnabled": "false"}
    )
    return Target("AwsSqsQueue", f"arn:aws:sqs:{region}:{account}:{name}")


def unencrypted_topic(session: boto3.Session, account: str, region: str) -> Target:
    arn = session.client("sns", region_name=region).create_topic(Name="demo-alerts")["TopicArn"]
    return Target("AwsSnsTopic", arn, {"AwsSnsTopic": {"TopicName": "demo-alerts"}})


def _bucket(name: str) -> Target:
    return Target("AwsS3Bucket", f"arn:aws:s3:::{name}", {"AwsS3Bucket": {"Name": name}})


def _security_group(group: str, name: str, vpc: str, account: str, region: str) -> Target:
    return Target(
        "AwsEc2SecurityGroup",
        f"arn:aws:ec2:{region}:{account}:security-group/{group}",
        {"AwsEc2SecurityGroup": {"GroupName": name, "GroupId": group, "OwnerId": account, "VpcId": vpc}},
    )


PIECES: tuple[Piece, ...] = (
    Piece("hub", "bucket with SSE-S3 only", kms_candidate_bucket, (FindingSpec("S3.17"),)),
    Piece(
        "hub",
        "weak password policy",
        weak_password_policy,
        (FindingSpec("IAM.15", legacy=True), FindingSpec("IAM.7")),
    ),
    Piece("member", "bucket without public access block", public_bucket, (FindingSpec("S3.8"),)),
    Piece(
        "member",
        "SSH and RDP open to the internet",
        open_security_group,
        (FindingSpec("EC2.13"), FindingSpec("EC2.14", legacy=True)),
    ),
    Piece("member", "default security group with rules", default_security_group, (FindingSpec("EC2.2"),)),
    Piece(
        "member", "weak password policy", weak_password_policy, (FindingSpec("IAM.7", delivery="backlog"),)
    ),
    Piece("member", "unencrypted queue", unencrypted_queue, (FindingSpec("SQS.1", delivery="backlog"),)),
    Piece("member", "unencrypted topic", unencrypted_topic, (FindingSpec("SNS.1", delivery="backlog"),)),
)
