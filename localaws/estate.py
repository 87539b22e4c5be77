"""Builders for a small vulnerable estate in moto, and readers for asserting on it afterwards.

The names match the sample events in `events/` (bucket `example-unencrypted-bucket`, queue
`example-unencrypted-queue`, topic `example-unencrypted-topic`, the placeholder security
groups `sg-0123456789abcdef0` (web) and `sg-0fedcba9876543210` (a VPC's default group)), so
a test creates the estate, loads the event with the real ids swapped in, and checks the
resource and the finding afterwards. Builders that create something an event names by a
placeholder return the placeholder → real id replacements.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import boto3

from localaws.events import findings_of

ACCOUNT = "123456789012"
REGION = "us-east-1"
BUCKET = "example-unencrypted-bucket"
SG_PLACEHOLDER = "sg-0123456789abcdef0"
DEFAULT_SG_PLACEHOLDER = "sg-0fedcba9876543210"
QUEUE = "example-unencrypted-queue"
QUEUE_URL = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{QUEUE}"
TOPIC = "example-unencrypted-topic"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:{TOPIC}"
BPA_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
WEAK_POLICY = {
    "MinimumPasswordLength": 8,
    "RequireNumbers": True,
    "MaxPasswordAge": 180,
    "PasswordReusePrevention": 5,
}


def create_bucket(name: str = BUCKET, region: str = REGION) -> None:
    boto3.client("s3", region_name=region).create_bucket(Bucket=name)


def set_weak_password_policy() -> None:
    boto3.client("iam").update_account_password_policy(**WEAK_POLICY)  # type: ignore[arg-type]


def create_open_security_group(region: str = REGION) -> str:
    """A group with SSH and RDP open to the internet beside rules that must never be touched."""
    ec2 = boto3.client("ec2", region_name=region)
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    peer = ec2.create_security_group(GroupName="peer", Description="peer", VpcId=vpc_id)["GroupId"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
            {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
            {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": peer}]},
        ],
    )
    return group


def ingress_rules(group_id: str, region: str = REGION) -> set[tuple[str, int, str]]:
    """(protocol, from port, source) of every ingress rule, for before/after comparisons."""
    ec2 = boto3.client("ec2", region_name=region)
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])
    return {
        (
            r["IpProtocol"],
            r.get("FromPort", -1),
            r.get("CidrIpv4") or r.get("CidrIpv6") or r.get("ReferencedGroupInfo", {}).get("GroupId", "?"),
        )
        for r in rules["SecurityGroupRules"]
        if not r["IsEgress"]
    }


def create_default_security_group(region: str = REGION) -> dict[str, str]:
    """A new VPC's default group with AWS's default rules: all from itself, all out (IPv4 and IPv6)."""
    ec2 = boto3.client("ec2", region_name=region)
    vpc_id = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    group = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    existing = security_group_rules(group, region)
    if not any(not rule["IsEgress"] for rule in existing):  # moto omits the self-referencing rule
        ec2.authorize_security_group_ingress(
            GroupId=group, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group}]}]
        )
    if not any(rule.get("CidrIpv6") == "::/0" for rule in existing if rule["IsEgress"]):
        ec2.authorize_security_group_egress(
            GroupId=group, IpPermissions=[{"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}]
        )
    return {DEFAULT_SG_PLACEHOLDER: group}


def security_group_rules(group_id: str, region: str = REGION) -> list[dict[str, Any]]:
    ec2 = boto3.client("ec2", region_name=region)
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])
    return [dict(rule) for rule in rules["SecurityGroupRules"]]


def create_unencrypted_queue(region: str = REGION) -> dict[str, str]:
    """A queue with SSE-SQS switched off (new queues get it by default)."""
    url = boto3.client("sqs", region_name=region).create_queue(
        QueueName=QUEUE, Attributes={"SqsManagedSseEnabled": "false"}
    )["QueueUrl"]
    return {QUEUE_URL: url}


def queue_encryption(url: str = QUEUE_URL, region: str = REGION) -> dict[str, str]:
    attributes = boto3.client("sqs", region_name=region).get_queue_attributes(
        QueueUrl=url, AttributeNames=["KmsMasterKeyId", "SqsManagedSseEnabled"]
    )
    return {str(name): value for name, value in attributes.get("Attributes", {}).items()}


def create_unencrypted_topic(region: str = REGION) -> dict[str, str]:
    arn = boto3.client("sns", region_name=region).create_topic(Name=TOPIC)["TopicArn"]
    return {TOPIC_ARN: arn}


def topic_key(arn: str = TOPIC_ARN, region: str = REGION) -> str | None:
    attributes = boto3.client("sns", region_name=region).get_topic_attributes(TopicArn=arn)["Attributes"]
    return attributes.get("KmsMasterKeyId")


def ebs_encryption_by_default(region: str = REGION) -> bool:
    ec2 = boto3.client("ec2", region_name=region)
    return bool(ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"])


def account_public_access_block(account: str = ACCOUNT, region: str = REGION) -> dict[str, bool]:
    s3control = boto3.client("s3control", region_name=region)
    try:
        configuration = s3control.get_public_access_block(AccountId=account)["PublicAccessBlockConfiguration"]
    except s3control.exceptions.NoSuchPublicAccessBlockConfiguration:
        return dict.fromkeys(BPA_FLAGS, False)
    return {flag: bool(configuration.get(flag)) for flag in BPA_FLAGS}


def bucket_public_access_block(name: str = BUCKET, region: str = REGION) -> dict[str, bool]:
    s3 = boto3.client("s3", region_name=region)
    try:
        configuration = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    except s3.exceptions.ClientError:
        return dict.fromkeys(BPA_FLAGS, False)
    return {flag: bool(configuration.get(flag)) for flag in BPA_FLAGS}


def bucket_encryption(name: str = BUCKET) -> str | None:
    s3 = boto3.client("s3", region_name=REGION)
    try:
        rules = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
    except s3.exceptions.ClientError:
        return None
    return rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]


def password_policy() -> dict[str, Any]:
    iam = boto3.client("iam")
    try:
        return dict(iam.get_account_password_policy()["PasswordPolicy"])
    except iam.exceptions.NoSuchEntityException:
        return {}


def enable_security_hub(region: str = REGION) -> None:
    boto3.client("securityhub", region_name=region).enable_security_hub()


def import_findings(event: Mapping[str, Any], region: str = REGION) -> None:
    """Put the event's well-formed findings into Security Hub, as if it had produced them."""
    findings: list[Any] = [f for f in findings_of(event) if "Id" in f and "Resources" in f]
    if findings:
        response = boto3.client("securityhub", region_name=region).batch_import_findings(Findings=findings)
        assert response["FailedCount"] == 0, response


def finding(finding_id: str, region: str = REGION) -> dict[str, Any]:
    securityhub = boto3.client("securityhub", region_name=region)
    found = securityhub.get_findings(Filters={"Id": [{"Value": finding_id, "Comparison": "EQUALS"}]})[
        "Findings"
    ]
    assert len(found) == 1, f"expected one finding {finding_id}, got {len(found)}"
    return dict(found[0])


def create_config_rule(name: str, source_identifier: str, region: str = REGION) -> None:
    """A rule Config knows by `name`, so StartConfigRulesEvaluation accepts it."""
    boto3.client("config", region_name=region).put_config_rule(
        ConfigRule={"ConfigRuleName": name, "Source": {"Owner": "AWS", "SourceIdentifier": source_identifier}}
    )
