"""Deactivate a user's access keys unused past the control's threshold (controls IAM.8, IAM.22).

Controls: IAM.8 (90 days; CIS 1.2 1.3, PCI.IAM.7) and IAM.22 (45 days; CIS 1.4 1.12, CIS 3.0
1.12, CIS 5.0 1.11), both the Config rule `iam-user-unused-credentials-check`
(`maxCredentialUsageAge`).
Why: a credential nobody uses is one nobody would miss, and nobody watches.
Guarantee: only the user the finding names. An active key last used (never used: created)
`max_unused_days` or more before the read is deactivated, never deleted; the rule sets the
threshold, at most the control's (90 for IAM.8, 45 for IAM.22), as a larger one would leave
credentials the control fails. A console password unused as long (never used: judged by its
`CreateDate`) is deleted only when the rule sets `delete_unused_password`: IAM keeps no copy,
so undo cannot restore it (it notes that the user needs a new one). Otherwise the password is
left and the note says so; when it is all there is to fix, the finding fails with that reason
(`ActionNotAllowedError`), so a person sees it rather than a "resolved" that is not.
Revert reactivates exactly the keys the fix deactivated, unless they were deleted since.
Risk: an application or break-glass user relying on a rarely used key or password is cut
off: `workload-affecting`.
Calls: the user (`GetUser`, for `PasswordLastUsed`; a Config user id is found by the
`ListUsers` scan instead, whose entries carry it too), `GetLoginProfile` (whether a password
exists, and when it was made), `ListAccessKeys` and `GetAccessKeyLastUsed` per key (at most
two): the last-used dates are per key and per user, with no call that reads them together
short of the credential report, which is generated asynchronously for the whole account.
APIs: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccessKeyLastUsed.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetUser.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetLoginProfile.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteLoginProfile.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from model.errors import ActionNotAllowedError
from model.finding import Resource
from model.outcome import ApiCall, Change, Plan
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
)

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

    from remediations.cases import Cases

LARGEST_CONTROL_THRESHOLD = 90  # IAM.8's; IAM.22's is 45
NOT_RESTORABLE = "a deleted password cannot be restored by undo"


def read(client: IAMClient, resource: Resource, params: Params, clock: Clock = utc_now) -> dict[str, Any]:
    user = user_of(client, resource)
    if "UserId" not in user:  # named by ARN: the record holds the name only
        user = dict(client.get_user(UserName=user["UserName"])["User"])
    name = user["UserName"]
    try:
        profile = client.get_login_profile(UserName=name)["LoginProfile"]
        password = {
            "CreateDate": stamp(profile["CreateDate"]),
            "LastUsed": stamp(user.get("PasswordLastUsed")),
        }
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "NoSuchEntity":
            raise
        password = None
    return {
        "UserName": name,
        "ReadAt": stamp(clock()),
        "Password": password,
        "AccessKeys": read_keys(client, name, last_used=True),
    }


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    limit, now = timedelta(days=params["max_unused_days"]), state["ReadAt"]
    stale = []
    for key in state["AccessKeys"]:
        last = key["LastUsedDate"] or key["CreateDate"]
        unused = days_between(last, now)
        if key["Status"] == ACTIVE and unused >= limit:
            stale.append((key["AccessKeyId"], _unused(key["LastUsedDate"], key["CreateDate"], unused)))
    changes, calls, after = deactivate(state, stale)
    password = state["Password"]
    if password:
        last = password["LastUsed"] or password["CreateDate"]
        unused = days_between(last, now)
        if unused >= limit:
            what = f"ConsolePassword ({_unused(password['LastUsed'], password['CreateDate'], unused)})"
            if params.get("delete_unused_password"):
                changes.append(Change(what, "present", f"deleted ({NOT_RESTORABLE})"))
                calls.append(ApiCall("delete_login_profile", {"UserName": state["UserName"]}))
                after["Password"] = None
            elif not calls:
                raise ActionNotAllowedError(
                    f"the console password of {state['UserName']} is unused past {limit.days} days, and this "
                    "rule does not delete passwords (delete_unused_password is false): it is left for a person "
                    f"to remove or keep ({NOT_RESTORABLE}); nothing else to change"
                )
            else:
                changes.append(Change(what, "present", "left: the rule does not delete passwords"))
    return Plan(changes=tuple(changes), calls=tuple(calls), after=after)


def _unused(last_used: str | None, created: str, unused: timedelta) -> str:
    return (
        f"last used {last_used[:10]}, {unused.days} days ago"
        if last_used
        else (f"never used, created {created[:10]}, {unused.days} days ago")
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    changes, calls, notes, back = revert_keys(current, before, after)
    if before["Password"] and not after["Password"]:
        notes.append(
            f"the console password the fix deleted is not restored: {NOT_RESTORABLE} (IAM keeps no copy); "
            f"give {current['UserName']} a new one (CreateLoginProfile) if they still need the console"
            + (", as has been done since" if current["Password"] else "")
        )
    return Plan(changes=tuple(changes), calls=tuple(calls), after=back, notes=tuple(notes))


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Never weaker: the keys as `keeps_keys` says, and no password where there was none."""
    return keeps_keys(before, after) and (bool(before["Password"]) or not after["Password"])


def cases() -> Cases:
    from remediations.iam_unused_credentials_cases import build

    return build()


REMEDIATION = Remediation(
    name="iam.revoke-unused-credentials",
    summary="Deactivate the user's access keys unused past the threshold; delete an unused console "
    "password only where the rule allows it (undo cannot restore a password).",
    service="iam",
    identity=IAM_USER,
    permissions=Permissions(
        read=(
            "iam:ListUsers",
            "iam:GetUser",
            "iam:GetLoginProfile",
            "iam:ListAccessKeys",
            "iam:GetAccessKeyLastUsed",
        ),
        write=("iam:UpdateAccessKey", "iam:DeleteLoginProfile"),
        revert=("iam:UpdateAccessKey",),
    ),
    risk=Risk.WORKLOAD_AFFECTING,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
    parameters={
        "max_unused_days": {
            "type": "integer",
            "minimum": 1,
            "maximum": LARGEST_CONTROL_THRESHOLD,
            "description": "Deactivate credentials unused for this many days or more: the control's threshold "
            "(IAM.8: 90, IAM.22: 45) or less; a larger value would leave credentials the control fails.",
        },
        "delete_unused_password": {
            "type": "boolean",
            "description": "Also delete a console password unused as long (default false: it is left, and the "
            "note says so). A deleted password cannot be restored by undo.",
        },
    },
    schema_extra={"required": ["max_unused_days"]},
)
