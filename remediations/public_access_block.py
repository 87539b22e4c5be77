"""The four S3 Block Public Access flags: the merge and the revert both BPA remediations share.

Account level (s3control) and bucket level (s3) take the same configuration, so the merge
lives here once. A missing configuration (`NoSuchPublicAccessBlockConfiguration`) means every
flag is off. A flag already on stays on: the merge only ever switches flags on; a revert
switches off only the flags the fix switched on and that still read as on.
API shape: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PublicAccessBlockConfiguration.html
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from model.outcome import ApiCall, Change, Plan
from remediations.revert import refuse_unless_forced

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


def _target(state: Mapping[str, Any]) -> dict[str, Any]:
    """`{"Bucket": …, "ExpectedBucketOwner": …}` or `{"AccountId": …}`: what the call names."""
    return {key: state[key] for key in ("Bucket", "ExpectedBucketOwner", "AccountId") if key in state}


def plan_all_flags_on(state: Mapping[str, Any]) -> Plan:
    off = [flag for flag in FLAGS if not state.get(flag)]
    if not off:
        return Plan(after=dict(state))
    return Plan(
        changes=tuple(Change(flag, False, True) for flag in off),
        calls=(_put(state, dict.fromkeys(FLAGS, True)),),
        after={**state, **dict.fromkeys(FLAGS, True)},
    )


def revert_flags(current: Mapping[str, Any], before: Mapping[str, Any], force: bool) -> Plan:
    """Switch off what the fix switched on; a flag someone switched off since is a conflict."""
    switched_on = [flag for flag in FLAGS if not before.get(flag)]
    gone = [flag for flag in switched_on if not current.get(flag)]
    if gone:
        refuse_unless_forced(
            force, f"Block Public Access of {_where(current)}", f"{', '.join(gone)} off", "on"
        )
    wanted = {flag: bool(current.get(flag)) and flag not in switched_on for flag in FLAGS}
    back = [flag for flag in FLAGS if bool(current.get(flag)) != wanted[flag]]
    if not back:
        return Plan(after=dict(current))
    call = (
        _put(current, wanted)
        if any(wanted.values())
        else ApiCall("delete_public_access_block", _target(current))
    )
    return Plan(
        changes=tuple(Change(flag, True, False) for flag in back),
        calls=(call,),
        after={**current, **wanted},
    )


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    return all(after.get(flag) for flag in FLAGS if before.get(flag))


def _put(state: Mapping[str, Any], flags: Mapping[str, bool]) -> ApiCall:
    return ApiCall(
        "put_public_access_block", {**_target(state), "PublicAccessBlockConfiguration": dict(flags)}
    )


def _where(state: Mapping[str, Any]) -> str:
    return f"bucket {state['Bucket']}" if "Bucket" in state else f"account {state.get('AccountId')}"
