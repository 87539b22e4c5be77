"""The cases of `iam.revoke-unused-credentials` (IAM.8, IAM.22), kept apart from its code.

Built only when a test asks (`iam_unused_credentials.cases()`). Every state here with an unused
password also has an unused key, so the registry's rules (which do not delete passwords) always
have a key to deactivate: a password alone that the rule may not delete fails the finding
instead (`tests/test_remediation_iam_credentials.py` checks that).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from model.finding import ResourceFormat
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
from remediations.iam_access_keys import without_read_time
from remediations.iam_unused_credentials import keeps

NOW = "2026-12-01T00:00:00Z"
IAM8, IAM22 = {"max_unused_days": 90}, {"max_unused_days": 45}
DELETING = {**IAM8, "delete_unused_password": True}
USER_ID = "AIDAZ4EXAMPLEUSER1234"


def key(key_id: str, created: str, last_used: str | None, status: str = "Active") -> dict[str, Any]:
    return {"AccessKeyId": key_id, "Status": status, "CreateDate": created, "LastUsedDate": last_used}


def state(*keys: dict[str, Any], password: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"UserName": "alice", "ReadAt": NOW, "Password": password, "AccessKeys": list(keys)}


def off(entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "Status": "Inactive"}


UNUSED = key("AKIAUNUSED", "2025-06-01T00:00:00Z", "2026-07-01T00:00:00Z")  # 153 days
NEVER = key("AKIANEVER", "2026-08-01T00:00:00Z", None)  # never used, created 122 days ago
RECENT = key("AKIARECENT", "2024-01-01T00:00:00Z", "2026-11-20T00:00:00Z")  # 11 days
MID = key("AKIAMID", "2025-01-01T00:00:00Z", "2026-10-01T00:00:00Z")  # 61 days: IAM.22 only
NEW = key("AKIANEW", "2026-11-25T00:00:00Z", None)  # never used, created 6 days ago
OLD_PASSWORD = {"CreateDate": "2024-01-01T00:00:00Z", "LastUsed": "2026-06-01T00:00:00Z"}  # 183 days
NEVER_USED_PASSWORD = {"CreateDate": "2026-01-01T00:00:00Z", "LastUsed": None}  # 334 days
NEW_PASSWORD = {"CreateDate": "2026-11-30T00:00:00Z", "LastUsed": None}

DEACTIVATE_UNUSED = "AccessKey AKIAUNUSED (last used 2026-07-01, 153 days ago): Active → Inactive"
DEACTIVATE_NEVER = "AccessKey AKIANEVER (never used, created 2026-08-01, 122 days ago): Active → Inactive"
DELETED = "deleted (a deleted password cannot be restored by undo)"


def build() -> Cases:
    setup = built_by(
        "localaws.estate.iam_users:create_user_with_credentials",
        "AwsIamUser",
        key_ages=(120, 3),
        key_last_used=(None, 1),
    )

    return Cases(
        plans=(
            PlanCase("a key unused for 153 days", state(UNUSED, RECENT), IAM8, (DEACTIVATE_UNUSED,)),
            PlanCase("a key never used, created 122 days ago", state(NEVER, NEW), IAM8, (DEACTIVATE_NEVER,)),
            PlanCase(
                "IAM.22: unused for 61 days",
                state(MID, NEW),
                IAM22,
                ("AccessKey AKIAMID (last used 2026-10-01, 61 days ago): Active → Inactive",),
            ),
            PlanCase("IAM.8: unused for 61 days is compliant", state(MID, NEW), IAM8, ()),
            PlanCase("an unused key already inactive", state(off(UNUSED), RECENT), IAM22, ()),
            PlanCase("a password in use, keys in use", state(RECENT, password=NEW_PASSWORD), IAM22, ()),
            PlanCase(
                "the rule deletes unused passwords",
                state(UNUSED, RECENT, password=OLD_PASSWORD),
                DELETING,
                (
                    DEACTIVATE_UNUSED,
                    f"ConsolePassword (last used 2026-06-01, 183 days ago): present → {DELETED}",
                ),
            ),
            PlanCase(
                "a password never used, judged by its creation",
                state(NEVER, password=NEVER_USED_PASSWORD),
                DELETING,
                (
                    DEACTIVATE_NEVER,
                    f"ConsolePassword (never used, created 2026-01-01, 334 days ago): present → {DELETED}",
                ),
            ),
            PlanCase("no credentials", state(), IAM8, ()),
        ),
        stubbed=_stubbed(),
        reverts=(
            RevertCase(
                "reactivated",
                state(UNUSED, RECENT),
                state(off(UNUSED), RECENT),
                state(off(UNUSED), RECENT),
                ("AccessKey AKIAUNUSED: Inactive → Active",),
            ),
            RevertCase(
                "keys reactivated, the deleted password noted, not restored",
                state(UNUSED, NEVER, password=OLD_PASSWORD),
                state(off(UNUSED), off(NEVER)),
                state(off(UNUSED), off(NEVER)),
                ("AccessKey AKIANEVER: Inactive → Active", "AccessKey AKIAUNUSED: Inactive → Active"),
                kept="a deleted password cannot be restored by undo",
            ),
            RevertCase(
                "deleted since: kept",
                state(UNUSED, RECENT),
                state(off(UNUSED), RECENT),
                state(RECENT),
                kept="access key AKIAUNUSED deleted",
                since="stricter",
            ),
            RevertCase(
                "a new password since: the note says so, nothing to set",
                state(UNUSED, password=OLD_PASSWORD),
                state(off(UNUSED)),
                state(off(UNUSED), password=NEW_PASSWORD),
                ("AccessKey AKIAUNUSED: Inactive → Active",),
                kept="as has been done since",
                since="changed",
            ),
            RevertCase(
                "reactivated by someone else since: nothing left to revert",
                state(UNUSED, RECENT),
                state(off(UNUSED), RECENT),
                state(UNUSED, RECENT),
                since="changed",
            ),
        ),
        live=LiveCase(setup, IAM8, normalize=without_read_time),
        keeps=keeps,
        identities=(
            (resource("AwsIamUser", f"arn:aws:iam::{ACCOUNT}:user/alice"), "alice"),
            (resource("AWS::IAM::User", USER_ID, ResourceFormat.CONFIG), USER_ID),
        ),
    )


def _stubbed() -> StubbedCase:
    """Named by a Config user id, the rule deleting passwords: every call the fix can make but GetUser."""
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    alice = {
        "Path": "/",
        "UserName": "alice",
        "UserId": USER_ID,
        "Arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
        "CreateDate": long_ago,
        "PasswordLastUsed": long_ago,
    }
    keys = [
        {"UserName": "alice", "AccessKeyId": key_id, "Status": "Active", "CreateDate": long_ago}
        for key_id in ("AKIAEXAMPLE1USED0001", "AKIAEXAMPLE2NEVER002")
    ]
    return StubbedCase(
        resource=resource("AWS::IAM::User", USER_ID, ResourceFormat.CONFIG),
        params=DELETING,
        calls=(
            Exchange("list_users", {"MaxItems": 1000}, {"Users": [alice]}),
            Exchange(
                "get_login_profile",
                {"UserName": "alice"},
                {"LoginProfile": {"UserName": "alice", "CreateDate": long_ago}},
            ),
            Exchange("list_access_keys", {"UserName": "alice"}, {"AccessKeyMetadata": keys}),
            Exchange(
                "get_access_key_last_used",
                {"AccessKeyId": "AKIAEXAMPLE1USED0001"},
                {
                    "UserName": "alice",
                    "AccessKeyLastUsed": {
                        "LastUsedDate": long_ago,
                        "ServiceName": "s3",
                        "Region": "us-east-1",
                    },
                },
            ),
            Exchange(
                "get_access_key_last_used",
                {"AccessKeyId": "AKIAEXAMPLE2NEVER002"},
                {"UserName": "alice", "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}},
            ),
            Exchange(
                "update_access_key",
                {"UserName": "alice", "AccessKeyId": "AKIAEXAMPLE1USED0001", "Status": "Inactive"},
            ),
            Exchange(
                "update_access_key",
                {"UserName": "alice", "AccessKeyId": "AKIAEXAMPLE2NEVER002", "Status": "Inactive"},
            ),
            Exchange("delete_login_profile", {"UserName": "alice"}),
        ),
        refusals=(
            (0, "AccessDenied"),
            (1, "ServiceFailure"),
            (3, "NoSuchEntity"),
            (5, "LimitExceeded"),
            (7, "EntityTemporarilyUnmodifiable"),
        ),
        optional_actions=frozenset({"iam:GetUser"}),
    )
