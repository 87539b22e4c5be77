"""Every remediation, imported explicitly from this one place.

Adding one: write the module (read, plan, apply and a `REMEDIATION` declaration), add it to
the list below, then give it a rule in `rules/registry.json`. A duplicate name fails at import.
`base`, `public_access_block` and `security_group_rules` are shared helpers, not remediations.
"""

from __future__ import annotations

from remediations import (
    cloudtrail_log_file_validation,
    dynamodb_deletion_protection,
    ec2_default_security_group,
    ec2_ebs_default_encryption,
    ec2_public_ingress,
    ecr_scan_on_push,
    iam_password_policy,
    kms_key_rotation,
    s3_account_public_access,
    s3_bucket_public_access,
    s3_default_encryption,
    s3_require_ssl,
    sns_topic_encryption,
    sqs_queue_encryption,
)
from remediations.base import Remediation, build_catalog

CATALOG: dict[str, Remediation] = build_catalog(
    [
        # Encryption at rest
        s3_default_encryption.REMEDIATION,
        ec2_ebs_default_encryption.REMEDIATION,
        sqs_queue_encryption.REMEDIATION,
        sns_topic_encryption.REMEDIATION,
        # IAM account password policy
        iam_password_policy.REMEDIATION,
        # Security groups open to the internet, default security group
        ec2_public_ingress.REMEDIATION,
        ec2_default_security_group.REMEDIATION,
        # S3 public access
        s3_account_public_access.REMEDIATION,
        s3_bucket_public_access.REMEDIATION,
        # S3 transport security
        s3_require_ssl.REMEDIATION,
        # Key rotation
        kms_key_rotation.REMEDIATION,
        # Audit logs
        cloudtrail_log_file_validation.REMEDIATION,
        # Image scanning
        ecr_scan_on_push.REMEDIATION,
        # Deletion protection
        dynamodb_deletion_protection.REMEDIATION,
    ]
)
