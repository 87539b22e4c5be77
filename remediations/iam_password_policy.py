"""Make the IAM account password policy at least as strict as the rule asks.

Controls: IAM.7, IAM.10 (PCI DSS v3.2.1 PCI.IAM.8), IAM.11, IAM.12, IAM.13, IAM.14, IAM.15,
IAM.16, IAM.17; CIS 1.2 1.5-1.11, CIS 1.4/3.0 1.8-1.9, CIS 5.0 1.7-1.8. Target defaults:
length 14, all four character classes, max age 90, reuse 24; each is a parameter.
Guarantee: the merge keeps, field by field, whichever of the current and the target value is
stricter, so an existing stricter policy is never weakened. `HardExpiry` is switched on only
when the rule's parameters ask for it, because it locks users with expired passwords out.
`AllowUsersToChangePassword` is no control's pass criterion and neither value is stricter: the
account's own setting is kept unless the rule's parameters name it.
UpdateAccountPasswordPolicy has no partial update (an omitted field reverts to its default),
so the request always carries the whole merged policy. Revert sets back, field by field, what
the fix changed, keeps a field someone has made stricter since, and refuses (unless forced)
when someone weakened one; a policy that did not exist before is deleted again.
APIs: https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteAccountPasswordPolicy.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Identity, Params, Permissions, Remediation, Risk, account_of
from remediations.revert import kept_note, refuse_unless_forced

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

    from remediations.cases import Cases

BOOLEAN_FIELDS = (
    "RequireUppercaseCharacters",
    "RequireLowercaseCharacters",
    "RequireNumbers",
    "RequireSymbols",
    "AllowUsersToChangePassword",
    "HardExpiry",
)
DEFAULTS: dict[str, Any] = {
    "MinimumPasswordLength": 14,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "MaxPasswordAge": 90,
    "PasswordReusePrevention": 24,
    "HardExpiry": False,
}
#: Not a pass criterion of any password control, so not "stricter" either way: an administrator's
#: choice is kept unless the rule's parameters name it.
OWNERS_CHOICE = "AllowUsersToChangePassword"
FIELDS = (*DEFAULTS, OWNERS_CHOICE)


def read(client: IAMClient, resource: Resource, params: Params) -> dict[str, Any]:
    """The current policy; an account without one reads as `{}` (AWS applies weak defaults)."""
    try:
        policy = client.get_account_password_policy()["PasswordPolicy"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NoSuchEntity":
            return {}
        raise
    return {name: policy[name] for name in FIELDS if name in policy}  # type: ignore[literal-required]


def merge(current: dict[str, Any], target: dict[str, Any]) -> dict[str, Any]:
    """The stricter of `current` and `target` on every field."""
    merged: dict[str, Any] = {}
    for name in BOOLEAN_FIELDS:
        merged[name] = bool(current.get(name)) or bool(target.get(name))
    merged[OWNERS_CHOICE] = bool(
        target[OWNERS_CHOICE] if OWNERS_CHOICE in target else current.get(OWNERS_CHOICE)
    )
    merged["MinimumPasswordLength"] = max(
        current.get("MinimumPasswordLength", 0), target["MinimumPasswordLength"]
    )
    merged["PasswordReusePrevention"] = max(
        current.get("PasswordReusePrevention", 0), target.get("PasswordReusePrevention", 0)
    )
    ages = [age for age in (current.get("MaxPasswordAge"), target.get("MaxPasswordAge")) if age]
    merged["MaxPasswordAge"] = min(ages) if ages else 0  # 0: passwords never expire
    return merged


def plan(state: dict[str, Any], params: Params) -> Plan:
    target = {**DEFAULTS, **params}
    merged = merge(state, target)
    changes = tuple(
        Change(name, state.get(name), merged[name]) for name in FIELDS if state.get(name) != merged[name]
    )
    # An absent field and its "off" value are the same policy: report no change for them.
    changes = tuple(c for c in changes if not (c.before is None and c.after in (False, 0)))
    if not changes:
        return Plan(after=state)
    return Plan(changes=changes, calls=(_update(merged),), after=_as_read(merged))


def revert(current: dict[str, Any], before: dict[str, Any], after: dict[str, Any], force: bool) -> Plan:
    now, old, left = _full(current), _full(before), _full(after)
    wanted, changes, notes, weakened = dict(now), [], [], []
    for name in FIELDS:
        if old[name] == left[name]:
            continue  # the fix did not change it: whatever it is now stays
        if now[name] == left[name] or (force and not stricter(name, now[name], left[name])):
            wanted[name] = old[name]
            if now[name] != old[name]:
                changes.append(Change(name, now[name], old[name]))
        elif stricter(name, now[name], left[name]):
            notes.append(kept_note(name, now[name]))
        else:
            weakened.append(f"{name}={now[name]}")
    if weakened:
        refuse_unless_forced(force, "the password policy", ", ".join(weakened), "stricter")
    if not changes:
        return Plan(after=current, notes=tuple(notes))
    if not before and wanted == _full({}):
        call = ApiCall("delete_account_password_policy", tolerate=("NoSuchEntity",))
        return Plan(changes=tuple(changes), calls=(call,), after={}, notes=tuple(notes))
    return Plan(changes=tuple(changes), calls=(_update(wanted),), after=_as_read(wanted), notes=tuple(notes))


def stricter(name: str, a: Any, b: Any) -> bool:
    """Is value `a` of field `name` strictly stricter than `b`? (MaxPasswordAge 0: never expires)."""
    if name == "MaxPasswordAge":
        return bool(a) and (not b or a < b)
    return bool(a > b)


def keeps(before: dict[str, Any], after: dict[str, Any]) -> bool:
    old, new = _full(before), _full(after)
    return all(new[name] == old[name] or stricter(name, new[name], old[name]) for name in FIELDS)


def _full(policy: dict[str, Any]) -> dict[str, Any]:
    """Every field, absent ones at AWS's "off" value (false, 0), so policies compare field by field."""
    return {name: policy.get(name) or (False if name in BOOLEAN_FIELDS else 0) for name in FIELDS}


def _update(policy: dict[str, Any]) -> ApiCall:
    return ApiCall("update_account_password_policy", {k: v for k, v in policy.items() if v not in (0, None)})


def _as_read(policy: dict[str, Any]) -> dict[str, Any]:
    """As GetAccountPasswordPolicy reports it: every flag, and the numbers that are set."""
    return {k: v for k, v in policy.items() if isinstance(v, bool) or v}


def cases() -> Cases:
    from remediations.cases import (
        ACCOUNT,
        Cases,
        Exchange,
        LiveCase,
        PlanCase,
        RevertCase,
        StubbedCase,
        resource,
    )

    weak = {
        "MinimumPasswordLength": 8,
        "RequireSymbols": False,
        "MaxPasswordAge": 180,
        "PasswordReusePrevention": 5,
    }
    strong = _as_read(merge(weak, DEFAULTS))

    def setup(session: Any) -> Resource:
        session.client("iam").update_account_password_policy(**{k: v for k, v in weak.items() if v})
        return resource("AwsAccount", f"AWS::::Account:{ACCOUNT}")

    return Cases(
        plans=(
            PlanCase(
                "no policy",
                {},
                {},
                (
                    "MinimumPasswordLength: none → 14",
                    "RequireUppercaseCharacters: none → true",
                    "RequireLowercaseCharacters: none → true",
                    "RequireNumbers: none → true",
                    "RequireSymbols: none → true",
                    "MaxPasswordAge: none → 90",
                    "PasswordReusePrevention: none → 24",
                ),
            ),
            PlanCase("a longer length is kept", {**strong, "MinimumPasswordLength": 20}, {}, ()),
            PlanCase(
                "HardExpiry only on request", strong, {"HardExpiry": True}, ("HardExpiry: false → true",)
            ),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsAccount", f"AWS::::Account:{ACCOUNT}"),
            params={},
            calls=(
                Exchange(
                    "get_account_password_policy", {}, {"PasswordPolicy": {"MinimumPasswordLength": 16}}
                ),
                Exchange(
                    "update_account_password_policy",
                    {
                        "MinimumPasswordLength": 16,
                        "RequireUppercaseCharacters": True,
                        "RequireLowercaseCharacters": True,
                        "RequireNumbers": True,
                        "RequireSymbols": True,
                        "MaxPasswordAge": 90,
                        "PasswordReusePrevention": 24,
                    },
                ),
            ),
            refusals=((0, "AccessDenied"), (1, "Throttling")),
        ),
        reverts=(
            RevertCase(
                "back to the weak policy",
                weak,
                strong,
                strong,
                (
                    "MinimumPasswordLength: 14 → 8",
                    "RequireUppercaseCharacters: true → false",
                    "RequireLowercaseCharacters: true → false",
                    "RequireNumbers: true → false",
                    "RequireSymbols: true → false",
                    "MaxPasswordAge: 90 → 180",
                    "PasswordReusePrevention: 24 → 5",
                ),
            ),
            RevertCase(
                "a longer password since: kept",
                weak,
                strong,
                {**strong, "MinimumPasswordLength": 20},
                (
                    "RequireUppercaseCharacters: true → false",
                    "RequireLowercaseCharacters: true → false",
                    "RequireNumbers: true → false",
                    "RequireSymbols: true → false",
                    "MaxPasswordAge: 90 → 180",
                    "PasswordReusePrevention: 24 → 5",
                ),
                kept="MinimumPasswordLength 20",
                since="stricter",
            ),
            RevertCase(
                "weakened by someone else since",
                weak,
                strong,
                {**strong, "PasswordReusePrevention": 3},
                conflict=True,
                forced=(
                    "MinimumPasswordLength: 14 → 8",
                    "RequireUppercaseCharacters: true → false",
                    "RequireLowercaseCharacters: true → false",
                    "RequireNumbers: true → false",
                    "RequireSymbols: true → false",
                    "MaxPasswordAge: 90 → 180",
                    "PasswordReusePrevention: 3 → 5",
                ),
                since="changed",
            ),
            RevertCase(
                "no policy before: deleted",
                {},
                strong,
                strong,
                (
                    "MinimumPasswordLength: 14 → 0",
                    "RequireUppercaseCharacters: true → false",
                    "RequireLowercaseCharacters: true → false",
                    "RequireNumbers: true → false",
                    "RequireSymbols: true → false",
                    "MaxPasswordAge: 90 → 0",
                    "PasswordReusePrevention: 24 → 0",
                ),
            ),
        ),
        live=LiveCase(setup, {}),
        keeps=keeps,
        identities=(
            (resource("AwsAccount", f"AWS::::Account:{ACCOUNT}"), ACCOUNT),
            (resource("AWS::::Account", ACCOUNT, ResourceFormat.CONFIG), ACCOUNT),
            (resource("AWS::IAM::User", "AIDAEXAMPLE", ResourceFormat.CONFIG), ACCOUNT),
        ),
    )


REMEDIATION = Remediation(
    name="iam.strengthen-password-policy",
    summary="Merge the account password policy with the target, keeping the stricter value of each field.",
    service="iam",
    identity=Identity(
        {
            ResourceFormat.ASFF: frozenset({"AwsAccount", "AwsIamUser"}),
            ResourceFormat.CONFIG: frozenset({"AWS::::Account", "AWS::IAM::User"}),
        },
        name=account_of,
    ),
    permissions=Permissions(
        read=("iam:GetAccountPasswordPolicy",),
        write=("iam:UpdateAccountPasswordPolicy",),
        revert=("iam:UpdateAccountPasswordPolicy", "iam:DeleteAccountPasswordPolicy"),
    ),
    risk=Risk.SAFE,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
    parameters={
        "MinimumPasswordLength": {"type": "integer", "minimum": 6, "maximum": 128},
        "RequireUppercaseCharacters": {"type": "boolean"},
        "RequireLowercaseCharacters": {"type": "boolean"},
        "RequireNumbers": {"type": "boolean"},
        "RequireSymbols": {"type": "boolean"},
        "AllowUsersToChangePassword": {"type": "boolean"},
        "MaxPasswordAge": {"type": "integer", "minimum": 1, "maximum": 1095},
        "PasswordReusePrevention": {"type": "integer", "minimum": 1, "maximum": 24},
        "HardExpiry": {"type": "boolean"},
    },
)
