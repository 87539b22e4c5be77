"""Turn on S3 bucket default encryption (controls S3.4, retired, and S3.17).

Controls: S3.17 (SSE-KMS or DSSE-KMS); S3.4, retired but still in older findings, CIS 1.4
2.1.1, PCI.S3.4 and Config rule `s3-bucket-server-side-encryption-enabled` (any default
encryption). Parameters: `algorithm` (AES256 = SSE-S3, the default; aws:kms; aws:kms:dsse),
`kms_key_id` (the AWS managed key aws/s3 when absent), `bucket_key_enabled` (default on:
S3 Bucket Keys cut KMS request costs).
Guarantee: a bucket that already uses SSE-KMS or DSSE-KMS keeps its key; KMS is never
replaced by SSE-S3, and SSE-S3 is upgraded to KMS only when the rule asks for KMS (S3.17).
Revert puts the old configuration back (or deletes it: S3 then applies SSE-S3, its default);
a bucket given a stronger algorithm or its owner's own key since keeps it.
APIs: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html
https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketEncryption.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Params, Permissions, Remediation, Risk
from remediations.identities import S3_BUCKET, bucket_in, bucket_of
from remediations.revert import kept_note, refuse_unless_forced

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from remediations.cases import Cases

KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})
STRENGTH = {None: 0, "AES256": 1, "aws:kms": 2, "aws:kms:dsse": 3}
NO_CONFIGURATION = "ServerSideEncryptionConfigurationNotFoundError"


def read(client: S3Client, resource: Resource, params: Params) -> dict[str, Any]:
    """The bucket's default-encryption rule (`Encryption`), None when it has none."""
    try:
        response = client.get_bucket_encryption(**bucket_of(resource))
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == NO_CONFIGURATION:
            return {**bucket_of(resource), "Encryption": None}
        raise
    rules = response["ServerSideEncryptionConfiguration"]["Rules"]
    if not rules:
        return {**bucket_of(resource), "Encryption": None}
    default = rules[0].get("ApplyServerSideEncryptionByDefault", {})
    return {
        **bucket_of(resource),
        "Encryption": {
            "SSEAlgorithm": default.get("SSEAlgorithm"),
            "KMSMasterKeyID": default.get("KMSMasterKeyID"),
            "BucketKeyEnabled": bool(rules[0].get("BucketKeyEnabled", False)),
        },
    }


def plan(state: dict[str, Any], params: Params) -> Plan:
    current = state["Encryption"]
    algorithm = current["SSEAlgorithm"] if current else None
    target = params.get("algorithm", "AES256")
    if algorithm in KMS_ALGORITHMS or algorithm == target:
        return Plan(after=state)
    wanted: dict[str, Any] = {"SSEAlgorithm": target, "KMSMasterKeyID": None, "BucketKeyEnabled": False}
    if target in KMS_ALGORITHMS:
        wanted["KMSMasterKeyID"] = params.get("kms_key_id")
        wanted["BucketKeyEnabled"] = bool(params.get("bucket_key_enabled", True))
    changes = [Change("SSEAlgorithm", algorithm, target)]
    if wanted["KMSMasterKeyID"]:
        changes.append(Change("KMSMasterKeyID", None, wanted["KMSMasterKeyID"]))
    if wanted["BucketKeyEnabled"] and not (current or {}).get("BucketKeyEnabled"):
        changes.append(Change("BucketKeyEnabled", False, True))
    return Plan(
        changes=tuple(changes),
        calls=(_put(state, wanted),),
        after={**state, "Encryption": wanted},
    )


def revert(current: dict[str, Any], before: dict[str, Any], after: dict[str, Any], force: bool) -> Plan:
    now, left, old = current["Encryption"], after["Encryption"], before["Encryption"]
    if now != left:
        if _strength(now) > _strength(left):
            return Plan(after=current, notes=(kept_note("default encryption", _label(now)),))
        refuse_unless_forced(
            force, f"the default encryption of bucket {current['Bucket']}", _label(now), _label(left)
        )
    if now == old:
        return Plan(after=current)
    call = ApiCall("delete_bucket_encryption", bucket_in(current)) if old is None else _put(current, old)
    return Plan(
        changes=(Change("SSEAlgorithm", _label(now), _label(old)),),
        calls=(call,),
        after=before,
    )


def _put(state: dict[str, Any], encryption: dict[str, Any]) -> ApiCall:
    by_default = {"SSEAlgorithm": encryption["SSEAlgorithm"]}
    if encryption.get("KMSMasterKeyID"):
        by_default["KMSMasterKeyID"] = encryption["KMSMasterKeyID"]
    rule: dict[str, Any] = {"ApplyServerSideEncryptionByDefault": by_default}
    if encryption["SSEAlgorithm"] in KMS_ALGORITHMS or encryption.get("BucketKeyEnabled"):
        rule["BucketKeyEnabled"] = bool(encryption.get("BucketKeyEnabled"))
    return ApiCall(
        "put_bucket_encryption", {**bucket_in(state), "ServerSideEncryptionConfiguration": {"Rules": [rule]}}
    )


def _strength(encryption: dict[str, Any] | None) -> tuple[int, bool]:
    """Algorithm first; with the same KMS algorithm, a named key beats the AWS managed one."""
    if not encryption:
        return (0, False)
    return (STRENGTH.get(encryption["SSEAlgorithm"], 0), bool(encryption.get("KMSMasterKeyID")))


def _label(encryption: dict[str, Any] | None) -> str | None:
    if not encryption:
        return None
    key = encryption.get("KMSMasterKeyID")
    return f"{encryption['SSEAlgorithm']} ({key})" if key else str(encryption["SSEAlgorithm"])


def keeps(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return _strength(after["Encryption"]) >= _strength(before["Encryption"])


def cases() -> Cases:
    from remediations.cases import (
        ACCOUNT,
        KEY_ARN,
        Cases,
        Exchange,
        LiveCase,
        PlanCase,
        RevertCase,
        StubbedCase,
        resource,
    )

    def state(algorithm: str | None, key: str | None = None, bucket_key: bool = False) -> dict[str, Any]:
        encryption = {"SSEAlgorithm": algorithm, "KMSMasterKeyID": key, "BucketKeyEnabled": bucket_key}
        return {
            "Bucket": "b",
            "ExpectedBucketOwner": ACCOUNT,
            "Encryption": encryption if algorithm else None,
        }

    def setup(session: Any) -> Resource:
        session.client("s3").create_bucket(Bucket="case-bucket")  # no default encryption in moto
        return resource("AwsS3Bucket", "arn:aws:s3:::case-bucket")

    kms = {"algorithm": "aws:kms"}
    return Cases(
        plans=(
            PlanCase("none → SSE-S3", state(None), {}, ("SSEAlgorithm: none → AES256",)),
            PlanCase("SSE-S3 is compliant for S3.4", state("AES256"), {}, ()),
            PlanCase(
                "SSE-S3 → KMS for S3.17",
                state("AES256"),
                kms,
                ("SSEAlgorithm: AES256 → aws:kms", "BucketKeyEnabled: false → true"),
            ),
            PlanCase("KMS is never downgraded", state("aws:kms", KEY_ARN), {}, ()),
            PlanCase("DSSE kept for S3.17", state("aws:kms:dsse"), kms, ()),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsS3Bucket", "arn:aws:s3:::b"),
            params={"algorithm": "aws:kms", "kms_key_id": KEY_ARN},
            calls=(
                Exchange(
                    "get_bucket_encryption",
                    {"Bucket": "b", "ExpectedBucketOwner": ACCOUNT},
                    error=NO_CONFIGURATION,
                ),
                Exchange(
                    "put_bucket_encryption",
                    {
                        "Bucket": "b",
                        "ExpectedBucketOwner": ACCOUNT,
                        "ServerSideEncryptionConfiguration": {
                            "Rules": [
                                {
                                    "ApplyServerSideEncryptionByDefault": {
                                        "SSEAlgorithm": "aws:kms",
                                        "KMSMasterKeyID": KEY_ARN,
                                    },
                                    "BucketKeyEnabled": True,
                                }
                            ]
                        },
                    },
                ),
            ),
            refusals=(
                (0, "AccessDenied"),
                (0, "NoSuchBucket"),
                (1, "KMS.NotFoundException"),
                (1, "SlowDown"),
            ),
        ),
        reverts=(
            RevertCase(
                "back to none",
                state(None),
                state("AES256"),
                state("AES256"),
                ("SSEAlgorithm: AES256 → none",),
            ),
            RevertCase(
                "owner's own key since: kept",
                state("AES256"),
                state("aws:kms", None, True),
                state("aws:kms", KEY_ARN, True),
                kept="aws:kms",
                since="stricter",
            ),
            RevertCase(
                "changed by someone else since",
                state(None),
                state("aws:kms", None, True),
                state("AES256"),
                conflict=True,
                forced=("SSEAlgorithm: AES256 → none",),
                since="changed",
            ),
        ),
        live=LiveCase(setup, kms),
        keeps=keeps,
        identities=(
            (resource("AwsS3Bucket", "arn:aws:s3:::b"), "b"),
            (resource("AWS::S3::Bucket", "b", ResourceFormat.CONFIG), "b"),
        ),
    )


REMEDIATION = Remediation(
    name="s3.enable-default-encryption",
    summary="Set S3 bucket default encryption (SSE-S3, or SSE-KMS with a key); never downgrades KMS.",
    service="s3",
    identity=S3_BUCKET,
    permissions=Permissions(
        read=("s3:GetEncryptionConfiguration",),
        write=("s3:PutEncryptionConfiguration",),
        revert=("s3:PutEncryptionConfiguration",),
    ),
    risk=Risk.SAFE,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
    parameters={
        "algorithm": {"enum": ["AES256", "aws:kms", "aws:kms:dsse"]},
        "bucket_key_enabled": {"type": "boolean"},
    },
    takes_kms_key=True,
)
