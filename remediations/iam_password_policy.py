"""Make the IAM account password policy at least as strict as the rule asks.

Controls: IAM.7, IAM.10 (PCI DSS v3.2.1 PCI.IAM.8), IAM.11, IAM.12, IAM.13, IAM.14, IAM.15,
IAM.16, IAM.17; CIS 1.2 1.5-1.11, CIS 1.4/3.0 1.8-1.9, CIS 5.0 1.7-1.8. Target defaults:
length 14, all four character classes, max age 90, reuse 24, users may change their own
password; each is a parameter.
Guarantee: the merge keeps, field by field, whichever of the current and the target value is
stricter, so an existing stricter policy is never weakened. `HardExpiry` is switched on only
when the rule's parameters ask for it, because it locks users with expired passwords out.
UpdateAccountPasswordPolicy has no partial update (an omitted field reverts to its default),
so the request always carries the whole merged policy.
API: https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from model.finding import Resource
from model.outcome import Change, Plan
from remediations.base import Params, Remediation, object_schema

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

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
    "AllowUsersToChangePassword": True,
    "MaxPasswordAge": 90,
    "PasswordReusePrevention": 24,
    "HardExpiry": False,
}
FIELDS = tuple(DEFAULTS)


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
        return Plan()
    request = {name: value for name, value in merged.items() if value not in (0, None)}
    return Plan(changes=changes, request=request, undo={"PasswordPolicy": state or None})


def apply(client: IAMClient, resource: Resource, plan: Plan) -> None:
    client.update_account_password_policy(**plan.request)


REMEDIATION = Remediation(
    name="iam.strengthen-password-policy",
    summary="Merge the account password policy with the target, keeping the stricter value of each field.",
    service="iam",
    global_service=True,
    resource_types=frozenset({"AwsAccount", "AwsIamUser"}),
    permissions=("iam:GetAccountPasswordPolicy", "iam:UpdateAccountPasswordPolicy"),
    parameters_schema=object_schema(
        {
            "MinimumPasswordLength": {"type": "integer", "minimum": 6, "maximum": 128},
            "RequireUppercaseCharacters": {"type": "boolean"},
            "RequireLowercaseCharacters": {"type": "boolean"},
            "RequireNumbers": {"type": "boolean"},
            "RequireSymbols": {"type": "boolean"},
            "AllowUsersToChangePassword": {"type": "boolean"},
            "MaxPasswordAge": {"type": "integer", "minimum": 1, "maximum": 1095},
            "PasswordReusePrevention": {"type": "integer", "minimum": 1, "maximum": 24},
            "HardExpiry": {"type": "boolean"},
        }
    ),
    read=read,
    plan=plan,
    apply=apply,
    defaults=DEFAULTS,
)
