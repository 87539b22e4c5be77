"""Turn on S3 bucket default encryption (controls S3.4, retired, and S3.17).

Controls: S3.17 (SSE-KMS or DSSE-KMS); S3.4, retired but still in older findings, CIS 1.4
2.1.1, PCI.S3.4 and Config rule `s3-bucket-server-side-encryption-enabled` (any default
encryption). Parameters: `algorithm` (AES256 = SSE-S3, the default; aws:kms; aws:kms:dsse),
`kms_key_id` (the AWS managed key aws/s3 when absent), `bucket_key_enabled` (default on:
S3 Bucket Keys cut KMS request costs).
Guarantee: a bucket that already uses SSE-KMS or DSSE-KMS keeps its key; KMS is never
replaced by SSE-S3, and SSE-S3 is upgraded to KMS only when the rule asks for KMS (S3.17).
API: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from model.finding import Resource
from model.outcome import Change, Plan
from remediations.base import Params, Remediation, object_schema

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})
NO_CONFIGURATION = "ServerSideEncryptionConfigurationNotFoundError"


def read(client: S3Client, resource: Resource, params: Params) -> dict[str, Any] | None:
    """The bucket's default-encryption rule, or None when it has none."""
    try:
        response = client.get_bucket_encryption(Bucket=resource.name)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == NO_CONFIGURATION:
            return None
        raise
    rules = response["ServerSideEncryptionConfiguration"]["Rules"]
    if not rules:
        return None
    default = rules[0].get("ApplyServerSideEncryptionByDefault", {})
    return {
        "SSEAlgorithm": default.get("SSEAlgorithm"),
        "KMSMasterKeyID": default.get("KMSMasterKeyID"),
        "BucketKeyEnabled": bool(rules[0].get("BucketKeyEnabled", False)),
    }


def plan(state: dict[str, Any] | None, params: Params) -> Plan:
    target = params.get("algorithm", "AES256")
    current = state["SSEAlgorithm"] if state else None
    if current in KMS_ALGORITHMS or current == target:
        return Plan()
    by_default: dict[str, Any] = {"SSEAlgorithm": target}
    rule: dict[str, Any] = {"ApplyServerSideEncryptionByDefault": by_default}
    if target in KMS_ALGORITHMS:
        if params.get("kms_key_id"):
            by_default["KMSMasterKeyID"] = params["kms_key_id"]
        rule["BucketKeyEnabled"] = bool(params.get("bucket_key_enabled", True))
    changes = [Change("SSEAlgorithm", current, target)]
    if "KMSMasterKeyID" in by_default:
        changes.append(Change("KMSMasterKeyID", None, by_default["KMSMasterKeyID"]))
    if rule.get("BucketKeyEnabled") and not (state or {}).get("BucketKeyEnabled"):
        changes.append(Change("BucketKeyEnabled", False, True))
    return Plan(
        changes=tuple(changes),
        request={"ServerSideEncryptionConfiguration": {"Rules": [rule]}},
        undo={"ServerSideEncryptionConfiguration": _as_configuration(state)},
    )


def apply(client: S3Client, resource: Resource, plan: Plan) -> None:
    client.put_bucket_encryption(
        Bucket=resource.name,
        ServerSideEncryptionConfiguration=plan.request["ServerSideEncryptionConfiguration"],
    )


def _as_configuration(state: dict[str, Any] | None) -> dict[str, Any] | None:
    if state is None:
        return None
    by_default = {"SSEAlgorithm": state["SSEAlgorithm"]}
    if state.get("KMSMasterKeyID"):
        by_default["KMSMasterKeyID"] = state["KMSMasterKeyID"]
    return {
        "Rules": [
            {"ApplyServerSideEncryptionByDefault": by_default, "BucketKeyEnabled": state["BucketKeyEnabled"]}
        ]
    }


REMEDIATION = Remediation(
    name="s3.enable-default-encryption",
    summary="Set S3 bucket default encryption (SSE-S3, or SSE-KMS with a key); never downgrades KMS.",
    service="s3",
    resource_types=frozenset({"AwsS3Bucket"}),
    permissions=("s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration"),
    parameters_schema=object_schema(
        {
            "algorithm": {"enum": ["AES256", "aws:kms", "aws:kms:dsse"]},
            "kms_key_id": {"type": "string", "minLength": 1},
            "bucket_key_enabled": {"type": "boolean"},
        }
    ),
    read=read,
    plan=plan,
    apply=apply,
)
