"""The four S3 Block Public Access flags, and the merge both BPA remediations share.

Account level (s3control) and bucket level (s3) take the same configuration, so the
merge lives here once. A missing configuration (`NoSuchPublicAccessBlockConfiguration`)
means every flag is off. A flag already on stays on: the merge only ever switches flags on.
API shape: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PublicAccessBlockConfiguration.html
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from model.outcome import Change, Plan

FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
NO_CONFIGURATION = "NoSuchPublicAccessBlockConfiguration"


def read_flags(get_configuration: Callable[[], Mapping[str, Any]]) -> dict[str, bool]:
    """Every flag as a bool; `get_configuration` is the service's GetPublicAccessBlock call."""
    try:
        configuration = get_configuration()["PublicAccessBlockConfiguration"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == NO_CONFIGURATION:
            return dict.fromkeys(FLAGS, False)
        raise
    return {flag: bool(configuration.get(flag, False)) for flag in FLAGS}


def plan_all_flags_on(state: Mapping[str, bool], target: Mapping[str, Any]) -> Plan:
    """Every flag on; `target` (the bucket name or account id) goes into request and undo."""
    off = [flag for flag in FLAGS if not state.get(flag)]
    if not off:
        return Plan()
    return Plan(
        changes=tuple(Change(flag, False, True) for flag in off),
        request={**target, "PublicAccessBlockConfiguration": dict.fromkeys(FLAGS, True)},
        undo={**target, "PublicAccessBlockConfiguration": {flag: bool(state.get(flag)) for flag in FLAGS}},
    )
