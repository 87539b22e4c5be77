"""Who may assume the roles in a member account (deploy/member-role.yaml): exact ARNs only.

A family's member role trusts the administrator account as principal, on the condition that the
caller is one of that family's function roles, `<EngineRolePrefix>-<family>-<Region>` (one engine
stack per Region, template.yaml), by exact ARN (`aws:PrincipalArn` StringEquals). Never a name
pattern: `<prefix>-<family>-*` would hand every member role to whoever may create a role of that
name in the administrator account. A condition rather than the role ARNs as principals: IAM refuses
a principal role that does not exist yet, and silently stops trusting one that is re-created.
The undo role trusts, the same way, only the operator `UndoPrincipalArn` names; a principal of
another account never matches, as the principal is the administrator account. With
`OrganizationId` set, every caller must also belong to that organization (`aws:PrincipalOrgID`).

CloudFormation cannot map over a list (the delimiter of Fn::Join and the template of Fn::Sub must
be literal strings), so the Regions fill a fixed number of slots: `EngineRegions` is one
comma-separated string (a String, not a CommaDelimitedList, so its pattern can cap the count),
padded with empty entries, and slot i is in the policy only when its entry is not empty
(Fn::If and AWS::NoValue). `MAX_ENGINE_REGIONS` slots keep a trust policy within IAM's default
2,048 characters even with the longest `EngineRolePrefix`.
"""

from __future__ import annotations

from typing import Any

from deploy import stack
from deploy.render import Inline

Cfn = Any

MAX_ENGINE_REGIONS = 16
_REGION = r"[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}"
NO_VALUE = {"Ref": "AWS::NoValue"}
HAS_ORGANIZATION = "HasOrganization"

PARAMETERS: dict[str, dict[str, Any]] = {
    "EngineRegions": {
        "Type": "String",
        "Default": "us-east-1",
        "AllowedPattern": f"^{_REGION}(,{_REGION}){{0,{MAX_ENGINE_REGIONS - 1}}}$",
        "ConstraintDescription": f"1 to {MAX_ENGINE_REGIONS} Region names separated by commas, no spaces",
        "Description": f"Regions where the engine stack runs, comma-separated (up to {MAX_ENGINE_REGIONS}): member roles trust exactly the function roles <EngineRolePrefix>-<family>-<Region> of these Regions.",
    },
    "OrganizationId": {
        **stack.PARAMETERS["OrganizationId"],
        "Description": "AWS Organizations id (o-...) of the administrator account: the roles then trust it only while it belongs to this organization (aws:PrincipalOrgID); empty: no organization check.",
    },
}


def conditions() -> dict[str, Any]:
    """`HasEngineRegion<n>` for every slot after the first (which the pattern makes present)."""
    present = {
        _slot_condition(index): Inline({"Fn::Not": [{"Fn::Equals": [_engine_region(index), ""]}]})
        for index in range(1, MAX_ENGINE_REGIONS)
    }
    return {**present, HAS_ORGANIZATION: {"Fn::Not": [{"Fn::Equals": [{"Ref": "OrganizationId"}, ""]}]}}


def engine_trust(family_name: str, family_key: str) -> dict[str, Any]:
    """The trust policy of a family's member role: that family's function roles, in every engine Region."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": f"EngineFunctionsOfThe{family_key}Family",
                "Effect": "Allow",
                "Principal": {"AWS": admin_account_root()},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {
                        "aws:PrincipalArn": function_role_arns(family_name),
                        **principal_organization(),
                    }
                },
            }
        ],
    }


def operator_trust() -> dict[str, Any]:
    """The trust policy of the undo role: the one operator `UndoPrincipalArn` names, in the admin account."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OperatorWhoUndoes",
                "Effect": "Allow",
                "Principal": {"AWS": admin_account_root()},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {
                        "aws:PrincipalArn": {"Ref": "UndoPrincipalArn"},
                        **principal_organization(),
                    }
                },
            }
        ],
    }


def function_role_arns(family_name: str) -> list[Cfn]:
    """`arn:…:role/<EngineRolePrefix>-<family>-<Region>` for each Region of `EngineRegions`."""
    arn = f"arn:${{AWS::Partition}}:iam::${{AdminAccountId}}:role/${{EngineRolePrefix}}-{family_name}-${{Region}}"
    slots: list[Cfn] = []
    for index in range(MAX_ENGINE_REGIONS):
        role = {"Fn::Sub": [arn, {"Region": _engine_region(index)}]}
        slots.append(Inline(role if index == 0 else {"Fn::If": [_slot_condition(index), role, NO_VALUE]}))
    return slots


def admin_account_root() -> Cfn:
    return {"Fn::Sub": "arn:${AWS::Partition}:iam::${AdminAccountId}:root"}


def principal_organization() -> dict[str, Cfn]:
    """`aws:PrincipalOrgID` = `OrganizationId` when it is set; nothing when it is empty."""
    return {"aws:PrincipalOrgID": {"Fn::If": [HAS_ORGANIZATION, {"Ref": "OrganizationId"}, NO_VALUE]}}


def _engine_region(index: int) -> Cfn:
    padded = {"Fn::Split": [",", {"Fn::Sub": "${EngineRegions}" + "," * (MAX_ENGINE_REGIONS - 1)}]}
    return {"Fn::Select": [index, padded]}


def _slot_condition(index: int) -> str:
    return f"HasEngineRegion{index + 1}"
