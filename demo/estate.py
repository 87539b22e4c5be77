"""The demo's vulnerable estate: what each piece is, how to build it, and which findings it gets.

Each piece is one resource in the hub or the member account with the findings Security Hub
would raise on it, in consolidated or CIS 1.2.0 form. `delivery` says how the finding reaches
the engine: `imported` when Security Hub raises it after the stack is deployed (EventBridge
Imported event), `backlog` when it was already there (no new event until Security Hub
re-checks; an operator selects it and picks the custom action). `format` says which Security
Hub reports it: Security Hub CSPM (ASFF, the default) or AWS Security Hub (an OCSF Compliance
Finding, delivered as a `Findings Imported V2` event). The resources are built with
`localaws.estate`, the builders the tests use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import boto3

from demo.asff import Target
from localaws import estate
from localaws.estate.lambda_functions import create_function, function_policy

Build = Callable[[boto3.Session, str, str], Target]  # (session, account, region) -> resource
Delivery = Literal["imported", "backlog"]
Format = Literal["asff", "ocsf"]
#: The web group's rules: both address families open on SSH and RDP, so each finding revokes two.
SSH_RDP_OPEN = (
    estate.Ingress(22, ("0.0.0.0/0", "::/0")),
    estate.Ingress(3389, ("0.0.0.0/0", "::/0")),
    estate.Ingress(443, ("0.0.0.0/0",)),
    estate.Ingress(22, ("10.0.0.0/8",)),
)
PUBLIC_FUNCTION = "demo-thumbnailer"


@dataclass(frozen=True, slots=True)
class FindingSpec:
    control: str
    legacy: bool = False  # CIS 1.2.0 per-standard form instead of a consolidated finding
    delivery: Delivery = "imported"
    format: Format = "asff"  # "ocsf": an OCSF finding of AWS Security Hub (imported only)


@dataclass(frozen=True, slots=True)
class Piece:
    account: Literal["hub", "member"]
    description: str
    build: Build
    findings: tuple[FindingSpec, ...]


def kms_candidate_bucket(session: boto3.Session, account: str, region: str) -> Target:
    """A bucket with only S3's default SSE-S3 encryption (S3.17 asks for KMS)."""
    name = f"demo-reports-{account}"
    estate.create_bucket(name, region, session=session, sse_algorithm="AES256")
    return _bucket(name)


def public_bucket(session: boto3.Session, account: str, region: str) -> Target:
    """A bucket without a public access block."""
    name = f"demo-uploads-{account}"
    estate.create_bucket(name, region, session=session)
    return _bucket(name)


def weak_password_policy(session: boto3.Session, account: str, region: str) -> Target:
    estate.set_weak_password_policy(session=session)
    return Target("AwsAccount", f"AWS::::Account:{account}")


def open_security_group(session: boto3.Session, account: str, region: str) -> Target:
    """SSH and RDP open to 0.0.0.0/0 and ::/0, beside HTTPS and SSH from a private range."""
    group = estate.create_security_group(SSH_RDP_OPEN, region, session=session)
    return _security_group(group, account, region)


def default_security_group(session: boto3.Session, account: str, region: str) -> Target:
    """A VPC's default group, which still lets its members talk and has had HTTP opened on it."""
    group = estate.default_security_group(
        region, session=session, ingress=(estate.Ingress(80, ("0.0.0.0/0",)),)
    )
    return _security_group(group, account, region)


def unencrypted_queue(session: boto3.Session, account: str, region: str) -> Target:
    name = "demo-orders"
    estate.create_unencrypted_queue(region, session=session, name=name)
    return Target("AwsSqsQueue", f"arn:aws:sqs:{region}:{account}:{name}")


def unencrypted_topic(session: boto3.Session, account: str, region: str) -> Target:
    (arn,) = estate.create_unencrypted_topic(region, session=session, name="demo-alerts").values()
    return Target("AwsSnsTopic", arn, {"AwsSnsTopic": {"TopicName": "demo-alerts"}})


def public_function(session: boto3.Session, account: str, region: str) -> Target:
    """A function anyone may invoke (`*`), beside a grant to one partner account that must stay."""
    arn = create_function(PUBLIC_FUNCTION, region, session=session)
    details = {"AwsLambdaFunction": {"FunctionName": PUBLIC_FUNCTION, "Runtime": "python3.13"}}
    return Target("AwsLambdaFunction", arn, details)


def public_function_policy(session: boto3.Session) -> str:
    """The Sids in that function's policy: the demo shows what a fix removes and what stays."""
    return ", ".join(s["Sid"] for s in function_policy(PUBLIC_FUNCTION, session=session)) or "none"


def key_without_rotation(session: boto3.Session, account: str, region: str) -> Target:
    """A customer managed key for the orders data, never rotated."""
    arn = estate.create_key_without_rotation(region, session=session, description="demo orders key")
    key_id = arn.rsplit("/", 1)[-1]
    return Target("AwsKmsKey", arn, {"AwsKmsKey": {"KeyId": key_id, "KeyManager": "CUSTOMER"}})


def unprotected_table(session: boto3.Session, account: str, region: str) -> Target:
    """The orders table, which one DeleteTable would remove."""
    arn = estate.create_unprotected_table("demo-orders", region, session=session)
    return Target("AwsDynamoDbTable", arn, {"AwsDynamoDbTable": {"TableName": "demo-orders"}})


def _bucket(name: str) -> Target:
    return Target("AwsS3Bucket", f"arn:aws:s3:::{name}", {"AwsS3Bucket": {"Name": name}})


def _security_group(group: estate.SecurityGroup, account: str, region: str) -> Target:
    details = {"GroupName": group.name, "GroupId": group.id, "OwnerId": account, "VpcId": group.vpc_id}
    return Target(
        "AwsEc2SecurityGroup",
        f"arn:aws:ec2:{region}:{account}:security-group/{group.id}",
        {"AwsEc2SecurityGroup": details},
    )


PIECES: tuple[Piece, ...] = (
    # The same failure reported by both Security Hubs: fixed once, each finding resolved by its own API.
    Piece(
        "hub",
        "bucket with SSE-S3 only",
        kms_candidate_bucket,
        (FindingSpec("S3.17"), FindingSpec("S3.17", format="ocsf")),
    ),
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
    Piece("member", "function anyone may invoke", public_function, (FindingSpec("Lambda.1"),)),
    Piece(
        "member", "weak password policy", weak_password_policy, (FindingSpec("IAM.7", delivery="backlog"),)
    ),
    Piece("member", "unencrypted queue", unencrypted_queue, (FindingSpec("SQS.1", delivery="backlog"),)),
    Piece("member", "unencrypted topic", unencrypted_topic, (FindingSpec("SNS.1", delivery="backlog"),)),
    Piece("member", "KMS key without rotation", key_without_rotation, (FindingSpec("KMS.4"),)),
    Piece("member", "table without deletion protection", unprotected_table, (FindingSpec("DynamoDB.6"),)),
    Piece("member", "bucket with SSE-S3 only", kms_candidate_bucket, (FindingSpec("S3.17", format="ocsf"),)),
)
