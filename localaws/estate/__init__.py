"""A small vulnerable estate in moto: its names, builders, and readers for asserting on it afterwards.

The names match the sample events in `events/` (bucket `example-unencrypted-bucket`, queue
`example-unencrypted-queue`, topic `example-unencrypted-topic`, the placeholder security groups
`sg-0123456789abcdef0` (web) and `sg-0fedcba9876543210` (a VPC's default group)), so a test
creates the estate, loads the event with the real ids swapped in, and checks the resource and
the finding afterwards. The demo and the cross-account tests build theirs with the same
builders, in other accounts and Regions through a `session`. Use it as a namespace:
`from localaws import estate; estate.create_bucket()`.
"""

from __future__ import annotations

from localaws.estate.builders import (
    OPEN_WEB_INGRESS,
    Ingress,
    SecurityGroup,
    create_bucket,
    create_config_rule,
    create_custom_config_rule,
    create_default_security_group,
    create_open_security_group,
    create_security_group,
    create_unencrypted_queue,
    create_unencrypted_topic,
    default_security_group,
    enable_security_hub,
    import_findings,
    set_weak_password_policy,
)
from localaws.estate.keys_tables import create_key_without_rotation, create_unprotected_table
from localaws.estate.names import (
    ACCOUNT,
    BPA_FLAGS,
    BUCKET,
    DEFAULT_SG_PLACEHOLDER,
    QUEUE,
    QUEUE_URL,
    REGION,
    SG_PLACEHOLDER,
    TOPIC,
    TOPIC_ARN,
    WEAK_POLICY,
)
from localaws.estate.notifications import create_notification_inbox, notifications
from localaws.estate.readers import (
    account_public_access_block,
    bucket_encryption,
    bucket_public_access_block,
    ebs_encryption_by_default,
    finding,
    ingress_rules,
    ocsf_finding,
    password_policy,
    queue_encryption,
    security_group_rules,
    topic_key,
)

__all__ = [
    "ACCOUNT",
    "BPA_FLAGS",
    "BUCKET",
    "DEFAULT_SG_PLACEHOLDER",
    "OPEN_WEB_INGRESS",
    "QUEUE",
    "QUEUE_URL",
    "REGION",
    "SG_PLACEHOLDER",
    "TOPIC",
    "TOPIC_ARN",
    "WEAK_POLICY",
    "Ingress",
    "SecurityGroup",
    "account_public_access_block",
    "bucket_encryption",
    "bucket_public_access_block",
    "create_bucket",
    "create_config_rule",
    "create_custom_config_rule",
    "create_default_security_group",
    "create_key_without_rotation",
    "create_notification_inbox",
    "create_open_security_group",
    "create_security_group",
    "create_unencrypted_queue",
    "create_unencrypted_topic",
    "create_unprotected_table",
    "default_security_group",
    "ebs_encryption_by_default",
    "enable_security_hub",
    "finding",
    "import_findings",
    "ingress_rules",
    "notifications",
    "ocsf_finding",
    "password_policy",
    "queue_encryption",
    "security_group_rules",
    "set_weak_password_policy",
    "topic_key",
]
