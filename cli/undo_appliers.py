"""How to put back what each remediation changed, keyed by remediation name.

Each applier reads the plan's undo payload, as the engine recorded it (`UndoRecord.undo`),
and makes the calls that restore the old configuration. Appliers are idempotent: an undo run
twice leaves the same state as one run (a rule that is already back is not an error).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from engine.state import UndoRecord

AWS_MANAGED_EBS_KEY = "alias/aws/ebs"


@dataclass(frozen=True, slots=True)
class UndoApplier:
    """`describe` says what `apply` will do; `apply(client, record)` does it with the service's client."""

    describe: Callable[[UndoRecord], str]
    apply: Callable[[Any, UndoRecord], None]


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _s3_encryption_describe(record: UndoRecord) -> str:
    configuration = record.undo.get("ServerSideEncryptionConfiguration")
    if configuration is None:
        return f"delete the default-encryption configuration of bucket {record.resource_name}"
    algorithm = configuration["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
    return f"set the default encryption of bucket {record.resource_name} back to {algorithm}"


def _s3_encryption_apply(client: Any, record: UndoRecord) -> None:
    """PutBucketEncryption with the old configuration, or DeleteBucketEncryption if it had none.

    S3 encrypts new objects with SSE-S3 whatever the configuration; deleting it returns the
    bucket to that default. https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketEncryption.html
    """
    configuration = record.undo.get("ServerSideEncryptionConfiguration")
    if configuration is None:
        client.delete_bucket_encryption(Bucket=record.resource_name)
    else:
        client.put_bucket_encryption(
            Bucket=record.resource_name, ServerSideEncryptionConfiguration=configuration
        )


def _password_policy_describe(record: UndoRecord) -> str:
    policy = record.undo.get("PasswordPolicy")
    if not policy:
        return f"delete the password policy of account {record.account_id} (it had none)"
    fields = ", ".join(f"{name}={value}" for name, value in sorted(policy.items()))
    return f"set the password policy of account {record.account_id} back to {fields}"


def _password_policy_apply(client: Any, record: UndoRecord) -> None:
    """UpdateAccountPasswordPolicy with the whole old policy, or DeleteAccountPasswordPolicy.

    https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteAccountPasswordPolicy.html
    """
    policy = record.undo.get("PasswordPolicy")
    if policy:
        client.update_account_password_policy(**policy)
        return
    try:
        client.delete_account_password_policy()
    except ClientError as error:
        if _error_code(error) != "NoSuchEntity":
            raise


def _rules_describe(record: UndoRecord) -> str:
    ingress, egress = record.undo.get("IpPermissions", []), record.undo.get("IpPermissionsEgress", [])
    group = record.undo.get("GroupId", record.resource_name)
    parts = [f"{len(ingress)} ingress"] + ([f"{len(egress)} egress"] if egress else [])
    return f"re-authorize {' and '.join(parts)} rule(s) on {group}"


def _rules_apply(client: Any, record: UndoRecord) -> None:
    """Authorize each revoked rule again, one call each, so one already back does not stop the rest.

    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AuthorizeSecurityGroupIngress.html
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AuthorizeSecurityGroupEgress.html
    """
    group = record.undo.get("GroupId") or record.resource_name
    calls = [(client.authorize_security_group_ingress, p) for p in record.undo.get("IpPermissions", [])]
    calls += [(client.authorize_security_group_egress, p) for p in record.undo.get("IpPermissionsEgress", [])]
    for authorize, permission in calls:
        try:
            authorize(GroupId=group, IpPermissions=[permission])
        except ClientError as error:
            if _error_code(error) != "InvalidPermission.Duplicate":
                raise


def _public_access_describe(record: UndoRecord) -> str:
    flags = record.undo.get("PublicAccessBlockConfiguration", {})
    on = [flag for flag, value in flags.items() if value]
    where = (
        f"bucket {record.undo['Bucket']}"
        if "Bucket" in record.undo
        else f"account {record.undo.get('AccountId')}"
    )
    if not on:
        return f"delete the Block Public Access configuration of {where} (every flag was off)"
    return f"set Block Public Access of {where} back to only {', '.join(on)}"


def _public_access_apply(client: Any, record: UndoRecord) -> None:
    """PutPublicAccessBlock with the old flags; all off is a deleted configuration, as before.

    The same call shape serves buckets (s3, `Bucket`) and accounts (s3control, `AccountId`).
    https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeletePublicAccessBlock.html
    """
    target = {key: record.undo[key] for key in ("Bucket", "AccountId") if key in record.undo}
    flags = dict(record.undo.get("PublicAccessBlockConfiguration", {}))
    if any(flags.values()):
        client.put_public_access_block(**target, PublicAccessBlockConfiguration=flags)
    else:
        client.delete_public_access_block(**target)


def _ebs_describe(record: UndoRecord) -> str:
    key = (
        f", default key back to {record.undo.get('KmsKeyId') or AWS_MANAGED_EBS_KEY}"
        if "KmsKeyId" in record.undo
        else ""
    )
    return f"switch EBS encryption by default off in {record.account_id}/{record.region}{key}"


def _ebs_apply(client: Any, record: UndoRecord) -> None:
    """DisableEbsEncryptionByDefault, and the old default key (reset when it was AWS's own).

    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DisableEbsEncryptionByDefault.html
    """
    if "KmsKeyId" in record.undo:
        key = record.undo["KmsKeyId"]
        if not key or str(key).endswith(AWS_MANAGED_EBS_KEY):
            client.reset_ebs_default_kms_key_id()
        else:
            client.modify_ebs_default_kms_key_id(KmsKeyId=key)
    if record.undo.get("EbsEncryptionByDefault") is False:
        client.disable_ebs_encryption_by_default()


def _topic_describe(record: UndoRecord) -> str:
    return f"remove the KMS key from topic {record.undo.get('TopicArn', record.resource_name)}"


def _topic_apply(client: Any, record: UndoRecord) -> None:
    """SetTopicAttributes with the old (empty) KmsMasterKeyId: https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html"""
    client.set_topic_attributes(
        TopicArn=record.undo["TopicArn"],
        AttributeName=record.undo["AttributeName"],
        AttributeValue=record.undo["AttributeValue"],
    )


def _queue_describe(record: UndoRecord) -> str:
    attributes = ", ".join(f"{k}={v!r}" for k, v in record.undo.get("Attributes", {}).items())
    return f"set {attributes} on queue {record.undo.get('QueueUrl', record.resource_name)}"


def _queue_apply(client: Any, record: UndoRecord) -> None:
    """SetQueueAttributes with the old encryption attributes.

    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
    """
    client.set_queue_attributes(QueueUrl=record.undo["QueueUrl"], Attributes=dict(record.undo["Attributes"]))


#: Remediation name → how to undo it; a meta-test checks every remediation in the catalog has one.
APPLIERS: Mapping[str, UndoApplier] = {
    "s3.enable-default-encryption": UndoApplier(_s3_encryption_describe, _s3_encryption_apply),
    "iam.strengthen-password-policy": UndoApplier(_password_policy_describe, _password_policy_apply),
    "ec2.revoke-public-ingress": UndoApplier(_rules_describe, _rules_apply),
    "ec2.close-default-security-group": UndoApplier(_rules_describe, _rules_apply),
    "s3.block-bucket-public-access": UndoApplier(_public_access_describe, _public_access_apply),
    "s3.block-account-public-access": UndoApplier(_public_access_describe, _public_access_apply),
    "ec2.enable-ebs-default-encryption": UndoApplier(_ebs_describe, _ebs_apply),
    "sns.enable-topic-encryption": UndoApplier(_topic_describe, _topic_apply),
    "sqs.enable-queue-encryption": UndoApplier(_queue_describe, _queue_apply),
}
