"""Every remediation, imported explicitly from this one place.

Adding one: write the module (read, plan, apply and a `REMEDIATION` declaration), add it to
the list below, then give it a rule in `rules/registry.json`. A duplicate name fails at import.
`base`, `public_access_block`, `security_group_rules` and `iam_access_keys` are shared helpers, not
remediations.
`base`, `public_access_block`, `security_group_rules` and `lambda_policy_statements` are helpers,
not remediations.
`base`, `public_access_block`, `security_group_rules` and `rds_settings` are shared helpers, not
remediations.
"""

from __future__ import annotations

from remediations import (
    cloudtrail_log_file_validation,
    dynamodb_deletion_protection,
    ec2_default_security_group,
    ec2_ebs_default_encryption,
    ec2_instance_imdsv2,
    ec2_public_ingress,
    ec2_public_snapshots,
    ec2_subnet_public_ip,
    ec2_transit_gateway_auto_accept,
    ecr_scan_on_push,
    guardduty_detector,
    iam_access_key_rotation,
    iam_password_policy,
    iam_support_role,
    iam_unused_credentials,
    kms_key_rotation,
    lambda_public_access,
    rds_cluster_setting,
    rds_instance_setting,
    rds_public_access,
    rds_public_snapshot,
    s3_account_public_access,
    s3_bucket_public_access,
    s3_default_encryption,
    s3_require_ssl,
    sns_topic_encryption,
    sqs_queue_encryption,
    ssm_public_document,
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
        # IAM user credentials: old or unused access keys, unused passwords
        iam_access_key_rotation.REMEDIATION,
        iam_unused_credentials.REMEDIATION,
        # Security groups open to the internet, default security group
        ec2_public_ingress.REMEDIATION,
        ec2_default_security_group.REMEDIATION,
        # S3 public access
        s3_account_public_access.REMEDIATION,
        s3_bucket_public_access.REMEDIATION,
        # S3 transport security
        s3_require_ssl.REMEDIATION,
        # EC2 exposure: public addresses on launch, attachments accepted unasked
        ec2_subnet_public_ip.REMEDIATION,
        ec2_transit_gateway_auto_accept.REMEDIATION,
        # EC2 instance metadata
        ec2_instance_imdsv2.REMEDIATION,
        # Snapshots and documents shared with everyone
        ec2_public_snapshots.REMEDIATION,
        rds_public_snapshot.REMEDIATION,
        ssm_public_document.REMEDIATION,
        # Lambda function policies open to everyone
        lambda_public_access.REMEDIATION,
        # RDS instance and cluster settings, public access
        rds_instance_setting.REMEDIATION,
        rds_cluster_setting.REMEDIATION,
        rds_public_access.REMEDIATION,
        # Key rotation
        kms_key_rotation.REMEDIATION,
        # Audit logs
        cloudtrail_log_file_validation.REMEDIATION,
        # Image scanning
        ecr_scan_on_push.REMEDIATION,
        # Deletion protection
        dynamodb_deletion_protection.REMEDIATION,
        # Threat detection
        guardduty_detector.REMEDIATION,
        # Incident response: a role for AWS Support
        iam_support_role.REMEDIATION,
    ]
)
