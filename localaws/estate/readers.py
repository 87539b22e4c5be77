"""Readers of the estate, for asserting on a resource or a finding after the engine ran.

Each takes the same optional `session` as the builders (boto3's default session when omitted).
"""

from __future__ import annotations

from typing import Any

import boto3

from localaws.estate.names import ACCOUNT, BPA_FLAGS, BUCKET, QUEUE_URL, REGION, TOPIC_ARN
from localaws.sessions import default_session


def ingress_rules(
    group_id: str, region: str = REGION, *, session: boto3.Session | None = None
) -> set[tuple[str, int, str]]:
    """(protocol, from port, source) of every ingress rule, for before/after comparisons."""
    return {
        (
            r["IpProtocol"],
            r.get("FromPort", -1),
            r.get("CidrIpv4") or r.get("CidrIpv6") or r.get("ReferencedGroupInfo", {}).get("GroupId", "?"),
        )
        for r in security_group_rules(group_id, region, session=session)
        if not r["IsEgress"]
    }


def security_group_rules(
    group_id: str, region: str = REGION, *, session: boto3.Session | None = None
) -> list[dict[str, Any]]:
    ec2 = default_session(session).client("ec2", region_name=region)
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])
    return [dict(rule) for rule in rules["SecurityGroupRules"]]


def queue_encryption(url: str = QUEUE_URL, region: str = REGION) -> dict[str, str]:
    attributes = boto3.client("sqs", region_name=region).get_queue_attributes(
        QueueUrl=url, AttributeNames=["KmsMasterKeyId", "SqsManagedSseEnabled"]
    )
    return {str(name): value for name, value in attributes.get("Attributes", {}).items()}


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


def bucket_encryption(name: str = BUCKET, *, session: boto3.Session | None = None) -> str | None:
    """The bucket's default encryption algorithm, or None when it has none."""
    s3 = default_session(session).client("s3", region_name=REGION)
    try:
        rules = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
    except s3.exceptions.ClientError:
        return None
    return rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]


def password_policy(*, session: boto3.Session | None = None) -> dict[str, Any]:
    iam = default_session(session).client("iam")
    try:
        return dict(iam.get_account_password_policy()["PasswordPolicy"])
    except iam.exceptions.NoSuchEntityException:
        return {}


def finding(finding_id: str, region: str = REGION) -> dict[str, Any]:
    securityhub = boto3.client("securityhub", region_name=region)
    found = securityhub.get_findings(Filters={"Id": [{"Value": finding_id, "Comparison": "EQUALS"}]})[
        "Findings"
    ]
    assert len(found) == 1, f"expected one finding {finding_id}, got {len(found)}"
    return dict(found[0])


def ocsf_finding(finding_uid: str, region: str = REGION) -> dict[str, Any]:
    """The stored OCSF finding with this `finding_info.uid`, read through GetFindingsV2."""
    securityhub = boto3.client("securityhub", region_name=region)
    found = securityhub.get_findings_v2(
        Filters={
            "CompositeFilters": [
                {
                    "StringFilters": [
                        {
                            "FieldName": "finding_info.uid",
                            "Filter": {"Value": finding_uid, "Comparison": "EQUALS"},
                        }
                    ]
                }
            ]
        }
    )["Findings"]
    assert len(found) == 1, f"expected one OCSF finding {finding_uid}, got {len(found)}"
    return dict(found[0])
