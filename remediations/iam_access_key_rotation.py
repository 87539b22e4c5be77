"""Deactivate a user's access keys older than the control's 90 days (control IAM.3).

Controls: IAM.3 (Config rule `access-keys-rotated`, `maxAccessKeyAge` 90); CIS 1.2 1.4,
CIS 1.4 1.14, CIS 3.0 1.14, CIS 5.0 1.13.
Why: a key that is never rotated stays valid for as long as it leaks unnoticed. Rotating needs
the key's consumer to take a new one, which an engine cannot do; deactivating the old key is
what it can do (as ASR's `RevokeUnrotatedKeys` does), and it is undone with one call.
Guarantee: only the active keys of the user the finding names, created more than
`max_key_age_days` (default and largest value: the control's 90) before the read, are
deactivated; keys are never deleted and inactive keys never reactivated. Revert reactivates
exactly the keys the fix deactivated, unless they were deleted since (kept, with a note).
Risk: whatever still signs requests with the key is cut off: `workload-affecting`.
Calls: Security Hub's ARN names the user: one read (`ListAccessKeys`, which carries each key's
`CreateDate`), then one write per old key (a user has at most two). AWS Config's user id needs
the `ListUsers` scan first (`iam_access_keys`).
APIs: https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAccessKeys.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from model.finding import Resource, ResourceFormat
from model.outcome import Plan
from remediations.base import Params, Permissions, Remediation, Risk
from remediations.iam_access_keys import (
    ACTIVE,
    IAM_USER,
    Clock,
    days_between,
    deactivate,
    keeps_keys,
    read_keys,
    revert_keys,
    stamp,
    user_of,
    utc_now,
    without_read_time,
)

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

    from remediations.cases import Cases

CONTROL_MAX_AGE_DAYS = 90


def read(client: IAMClient, resource: Resource, params: Params, clock: Clock = utc_now) -> dict[str, Any]:
    user = user_of(client, resource)["UserName"]
    return {"UserName": user, "ReadAt": stamp(clock()), "AccessKeys": read_keys(client, user)}


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    limit = timedelta(days=params.get("max_key_age_days", CONTROL_MAX_AGE_DAYS))
    old = []
    for key in state["AccessKeys"]:
        age = days_between(key["CreateDate"], state["ReadAt"])
        if key["Status"] == ACTIVE and age > limit:
            old.append((key["AccessKeyId"], f"created {key['CreateDate'][:10]}, {age.days} days old"))
    if not old:
        return Plan(after=dict(state))
    changes, calls, after = deactivate(state, old)
    return Plan(changes=tuple(changes), calls=tuple(calls), after=after)


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    changes, calls, notes, back = revert_keys(current, before, after)
    return Plan(changes=tuple(changes), calls=tuple(calls), after=back, notes=tuple(notes))


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    return keeps_keys(before, after)


def cases() -> Cases:
    from remediations.cases import (
        ACCOUNT,
        Cases,
        Exchange,
        LiveCase,
        PlanCase,
        RevertCase,
        StubbedCase,
        built_by,
        resource,
    )

    now = "2026-12-01T00:00:00Z"

    def key(key_id: str, created: str, status: str = ACTIVE) -> dict[str, Any]:
        return {"AccessKeyId": key_id, "Status": status, "CreateDate": created}

    def state(*keys: dict[str, Any]) -> dict[str, Any]:
        return {"UserName": "alice", "ReadAt": now, "AccessKeys": list(keys)}

    old, older = key("AKIAOLD", "2026-08-01T00:00:00Z"), key("AKIAOLDER", "2025-01-02T03:04:05Z")
    fresh, edge = key("AKIAFRESH", "2026-11-01T00:00:00Z"), key("AKIAEDGE", "2026-09-02T00:00:00Z")
    old_off, older_off = {**old, "Status": "Inactive"}, {**older, "Status": "Inactive"}
    user_id = "AIDAZ4EXAMPLEUSER1234"

    setup = built_by(
        "localaws.estate.iam_users:create_user_with_credentials", "AwsIamUser", key_ages=(120, 3)
    )

    return Cases(
        plans=(
            PlanCase(
                "a key older than 90 days",
                state(old, fresh),
                {},
                ("AccessKey AKIAOLD (created 2026-08-01, 122 days old): Active → Inactive",),
            ),
            PlanCase(
                "both keys old",
                state(old, older),
                {},
                (
                    "AccessKey AKIAOLD (created 2026-08-01, 122 days old): Active → Inactive",
                    "AccessKey AKIAOLDER (created 2025-01-02, 697 days old): Active → Inactive",
                ),
            ),
            PlanCase(
                "a stricter rule: older than 60 days",
                state(edge, fresh),
                {"max_key_age_days": 60},
                ("AccessKey AKIAEDGE (created 2026-09-02, 90 days old): Active → Inactive",),
            ),
            PlanCase("exactly 90 days old is compliant", state(edge, fresh), {}, ()),
            PlanCase("an old key already inactive", state(old_off, fresh), {}, ()),
            PlanCase("no keys", state(), {}, ()),
        ),
        stubbed=StubbedCase(
            resource=resource("AWS::IAM::User", user_id, ResourceFormat.CONFIG),
            params={},
            calls=(
                Exchange(
                    "list_users",
                    {"MaxItems": 1000},
                    {"Users": [_user("bob", "AIDAZ4EXAMPLEOTHER999")], "IsTruncated": True, "Marker": "m1"},
                ),
                Exchange(
                    "list_users", {"MaxItems": 1000, "Marker": "m1"}, {"Users": [_user("alice", user_id)]}
                ),
                Exchange(
                    "list_access_keys",
                    {"UserName": "alice"},
                    {
                        "AccessKeyMetadata": [
                            _metadata("AKIAOLDEXAMPLE000001"),
                            _metadata("AKIAOLDEXAMPLE000002"),
                        ]
                    },
                ),
                Exchange(
                    "update_access_key",
                    {"UserName": "alice", "AccessKeyId": "AKIAOLDEXAMPLE000001", "Status": "Inactive"},
                ),
                Exchange(
                    "update_access_key",
                    {"UserName": "alice", "AccessKeyId": "AKIAOLDEXAMPLE000002", "Status": "Inactive"},
                ),
            ),
            refusals=(
                (0, "AccessDenied"),
                (2, "NoSuchEntity"),
                (3, "LimitExceeded"),
                (4, "Throttling"),
            ),
        ),
        reverts=(
            RevertCase(
                "reactivated",
                state(old, fresh),
                state(old_off, fresh),
                state(old_off, fresh),
                ("AccessKey AKIAOLD: Inactive → Active",),
            ),
            RevertCase(
                "only the keys the fix deactivated: one was inactive before",
                state(old, older_off),
                state(old_off, older_off),
                state(old_off, older_off),
                ("AccessKey AKIAOLD: Inactive → Active",),
            ),
            RevertCase(
                "deleted since: kept",
                state(old, fresh),
                state(old_off, fresh),
                state(fresh),
                kept="access key AKIAOLD deleted",
                since="stricter",
            ),
            RevertCase(
                "reactivated by someone else since: nothing left to revert",
                state(old, fresh),
                state(old_off, fresh),
                state(old, fresh),
                since="changed",
            ),
        ),
        live=LiveCase(setup, {}, normalize=without_read_time),
        keeps=keeps,
        identities=(
            (resource("AwsIamUser", f"arn:aws:iam::{ACCOUNT}:user/alice"), "alice"),
            (resource("AwsIamUser", f"arn:aws:iam::{ACCOUNT}:user/division/team/alice"), "alice"),
            (resource("AWS::IAM::User", user_id, ResourceFormat.CONFIG), user_id),
        ),
    )


def _user(name: str, user_id: str) -> dict[str, Any]:
    return {
        "Path": "/",
        "UserName": name,
        "UserId": user_id,
        "Arn": f"arn:aws:iam::123456789012:user/{name}",
        "CreateDate": datetime(2020, 1, 1, tzinfo=UTC),
    }


def _metadata(key_id: str) -> dict[str, Any]:
    return {
        "UserName": "alice",
        "AccessKeyId": key_id,
        "Status": "Active",
        "CreateDate": datetime(2020, 1, 1, tzinfo=UTC),
    }


REMEDIATION = Remediation(
    name="iam.deactivate-old-access-keys",
    summary="Deactivate (never delete) the user's active access keys older than 90 days; undo reactivates them.",
    service="iam",
    identity=IAM_USER,
    permissions=Permissions(
        read=("iam:ListUsers", "iam:ListAccessKeys"),
        write=("iam:UpdateAccessKey",),
        revert=("iam:UpdateAccessKey",),
    ),
    risk=Risk.WORKLOAD_AFFECTING,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
    parameters={
        "max_key_age_days": {
            "type": "integer",
            "minimum": 1,
            "maximum": CONTROL_MAX_AGE_DAYS,
            "description": "Deactivate active keys created more than this many days ago (default 90, the "
            "control's; a larger value would leave keys IAM.3 fails).",
        }
    },
)
