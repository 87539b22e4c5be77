"""What the IAM user credential remediations share: the user a finding names, its keys, time.

Used by `iam_access_key_rotation` (IAM.3) and `iam_unused_credentials` (IAM.8, IAM.22).

The user: Security Hub names it by ARN (`arn:aws:iam::<account>:user/<path/>name`), whose last
segment is the user name every IAM call takes (names are unique in an account, whatever the
path). AWS Config names it by its unique id (`AIDA…`), which no IAM call takes: `ListUsers`
pages are scanned for it, 1,000 users a call, stopping at the match (IAM's default quota of
5,000 users makes that at most five calls; one in most accounts). AWS's own runbook
(`AWSConfigRemediation-RevokeUnusedIAMUserCredentials`) asks Config instead
(`config:ListDiscoveredResources`, one call), which only finds users the Config recorder
records and would need a second client and permission: the scan is always right.

Two limits the engine around these remediations has with IAM users (not worked around here):
its live exclusion-tag check reads tags with the Resource Groups Tagging API, whose
`GetResources` does not support IAM users (AWS documents it; moto, too, answers no tags), so a
tag on the user is seen only when the finding reports it; and the claim key is the canonical
ARN, built from the name (Security Hub) or the id (Config), so one user named both ways has two.

Keys are only ever deactivated (`UpdateAccessKey Status=Inactive`), never deleted, so undo can
reactivate exactly the keys the fix deactivated. Timestamps are kept as ISO strings in UTC and
the state carries the time it was read (`ReadAt`), so `plan` stays pure: the same state plans
the same calls whenever it is planned, and a test fixes the time by fixing the state.
APIs: https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAccessKeys.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from model.errors import RemediationFailedError
from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change
from remediations.base import Identity
from remediations.revert import kept_note

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

#: An IAM user: by ARN in Security Hub, by its unique id (`AIDA…`) in AWS Config.
IAM_USER = Identity(
    {ResourceFormat.ASFF: frozenset({"AwsIamUser"}), ResourceFormat.CONFIG: frozenset({"AWS::IAM::User"})},
    arn="arn:{partition}:iam::{account}:user/{name}",
)
ACTIVE, INACTIVE = "Active", "Inactive"
USERS_PER_PAGE = 1000  # ListUsers' largest page
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def stamp(value: datetime | None) -> str | None:
    """A boto3 timestamp as a UTC ISO string (seconds), or None."""
    return value.astimezone(UTC).strftime(TIME_FORMAT) if value else None


def parse(text: str) -> datetime:
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=UTC)


def days_between(earlier: str, later: str) -> timedelta:
    return parse(later) - parse(earlier)


def user_of(client: IAMClient, resource: Resource) -> dict[str, Any]:
    """The named user's `ListUsers`/`GetUser` record when a call was needed to find it, else its name.

    Config names the user by id: scanned for in `ListUsers`. Security Hub names it by ARN: the
    name is the ARN's last segment, and no call is made here.
    """
    if resource.format is not ResourceFormat.CONFIG:
        return {"UserName": resource.name}
    marker: str | None = None
    while True:
        page = client.list_users(MaxItems=USERS_PER_PAGE, **({"Marker": marker} if marker else {}))
        for user in page["Users"]:
            if user["UserId"] == resource.name:
                return dict(user)
        marker = page.get("Marker")
        if not page.get("IsTruncated") or not marker:
            raise RemediationFailedError(
                f"no IAM user in account {resource.account_id} has the id {resource.name}",
                error_code="NoSuchEntity",
                operation="ListUsers",
            )


def read_keys(client: IAMClient, user_name: str, *, last_used: bool = False) -> list[dict[str, str | None]]:
    """The user's access keys (at most two), by id; with `last_used`, when each was last used."""
    keys = []
    for key in client.list_access_keys(UserName=user_name)["AccessKeyMetadata"]:
        entry = {
            "AccessKeyId": key["AccessKeyId"],
            "Status": key["Status"],
            "CreateDate": stamp(key["CreateDate"]),
        }
        if last_used:
            used = client.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
            entry["LastUsedDate"] = stamp(used.get("LastUsedDate"))
        keys.append(entry)
    return sorted(keys, key=lambda key: str(key["AccessKeyId"]))


def set_status(user_name: str, key_id: str, status: str) -> ApiCall:
    return ApiCall("update_access_key", {"UserName": user_name, "AccessKeyId": key_id, "Status": status})


def deactivate(
    state: Mapping[str, Any], stale: Iterable[tuple[str, str]]
) -> tuple[list[Change], list[ApiCall], dict[str, Any]]:
    """Deactivate the (key id, why) pairs given: the changes, the calls, the state after."""
    why = dict(stale)
    changes = [Change(f"AccessKey {key_id} ({reason})", ACTIVE, INACTIVE) for key_id, reason in why.items()]
    calls = [set_status(state["UserName"], key_id, INACTIVE) for key_id in why]
    keys = [
        {**key, "Status": INACTIVE} if key["AccessKeyId"] in why else dict(key) for key in state["AccessKeys"]
    ]
    return changes, calls, {**state, "AccessKeys": keys}


def revert_keys(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[list[Change], list[ApiCall], list[str], dict[str, Any]]:
    """Reactivate exactly the keys the fix deactivated, where they are still there and inactive.

    A key deleted since is stricter than what the fix left: kept, with a note. A key someone
    reactivated since already reads as before: nothing to do. Keys created since are not the
    fix's: never touched.
    """
    was_active = {key["AccessKeyId"] for key in before["AccessKeys"] if key["Status"] == ACTIVE}
    ours = sorted(
        key["AccessKeyId"]
        for key in after["AccessKeys"]
        if key["Status"] == INACTIVE and key["AccessKeyId"] in was_active
    )
    now = {key["AccessKeyId"]: key for key in current["AccessKeys"]}
    changes, calls, notes = [], [], []
    for key_id in ours:
        if key_id not in now:
            notes.append(kept_note(f"access key {key_id}", "deleted"))
        elif now[key_id]["Status"] == INACTIVE:
            changes.append(Change(f"AccessKey {key_id}", INACTIVE, ACTIVE))
            calls.append(set_status(current["UserName"], key_id, ACTIVE))
    reactivated = {call.params["AccessKeyId"] for call in calls}
    keys = [
        {**key, "Status": ACTIVE} if key["AccessKeyId"] in reactivated else dict(key)
        for key in current["AccessKeys"]
    ]
    return changes, calls, notes, {**current, "AccessKeys": keys}


def keeps_keys(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Never weaker: no key deleted or created, no inactive key reactivated."""
    old = {key["AccessKeyId"]: key["Status"] for key in before["AccessKeys"]}
    new = {key["AccessKeyId"]: key["Status"] for key in after["AccessKeys"]}
    return old.keys() == new.keys() and all(
        new[k] == INACTIVE for k, status in old.items() if status == INACTIVE
    )


def without_read_time(state: Any) -> Any:
    """A state with `ReadAt` left out: two reads of an unchanged user compare equal."""
    return (
        {key: value for key, value in state.items() if key != "ReadAt"} if isinstance(state, dict) else state
    )
