"""S3 PutBucketLogging's check of the target bucket's policy, where moto 5 crashes on a common policy.

Before it turns server access logging on, S3 checks that the target bucket admits log delivery:
a bucket policy statement that allows the logging service principal `logging.s3.amazonaws.com`
`s3:PutObject` on the target's objects (or, the older way, ACL grants to the log delivery group).
moto reads every statement's `Principal` as an object and raises `AttributeError` (a 500) on a
statement whose principal is the string `"*"`: the deny-insecure-transport statement every
hardened log bucket carries, the baseline's among them (`deploy/member-baseline.yaml`). Here such
a statement is simply not the logging service's; what admits delivery is unchanged.
https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-general
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.s3.models import FakeBucket

LOGGING_SERVICE_PRINCIPAL = "logging.s3.amazonaws.com"


def log_permissions_enabled_policy(target_bucket: FakeBucket, target_prefix: str | None) -> bool:
    """Whether the target's policy allows the logging service to put objects under the prefix."""
    if not target_bucket.policy:
        return False
    objects = f"arn:{target_bucket.partition}:s3:::{target_bucket.name}/"
    admitted = {f"{objects}{target_prefix or ''}*", f"{objects}*", objects.rstrip("/")}
    for statement in json.loads(target_bucket.policy.decode())["Statement"]:
        principal = statement.get("Principal", {})
        services = principal.get("Service") if isinstance(principal, dict) else None
        if LOGGING_SERVICE_PRINCIPAL not in _as_list(services) or statement.get("Effect") != "Allow":
            continue
        if "s3:PutObject" in _as_list(statement.get("Action")) and admitted & set(
            _as_list(statement.get("Resource"))
        ):
            return True
    return False


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


S3_BUCKET_METHODS: dict[str, Callable[..., Any]] = {
    "_log_permissions_enabled_policy": staticmethod(log_permissions_enabled_policy)
}
