"""`deploy/member-role.yaml`: the roles the engine assumes in each member account, one per family.

Each role trusts only its own family's function roles in the administrator account, by exact ARN
(`<EngineRolePrefix>-<family>-<Region>` for each of `EngineRegions`: deploy/member_trust.py), and
grants exactly its family's remediation actions plus the engine calls made in the resource's
account (Config re-evaluation, tag reads). IAM is global: deploy it once per account (one
Region), e.g. with a service-managed StackSet.

Reverting is not the engine's job, so no family role grants the revert actions: with
`UndoPrincipalArn` set, `<MemberRoleName>-undo` grants every remediation's reads and reverts to
that operator alone, for `remediator undo`. The function roles may assume only their family's
role name, so never this one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from deploy import member_trust, stack
from deploy.functions import Family
from deploy.iam import (
    HAS_KMS_KEY,
    KMS_KEY_CONDITION,
    MEMBER,
    engine_actions,
    policy_document,
    resource_level_statements,
    scoped_actions,
)
from model.errors import RegistryError

PARAMETERS = {
    "AdminAccountId": {
        "Type": "String",
        "AllowedPattern": "^[0-9]{12}$",
        "Description": "The Security Hub administrator account where the engine stack runs.",
    },
    "EngineRolePrefix": {**stack.PARAMETERS["EngineRolePrefix"], "Description": "As in the engine stack."},
    "EngineRegions": member_trust.PARAMETERS["EngineRegions"],
    "MemberRoleName": {**stack.PARAMETERS["MemberRoleName"], "Description": "As in the engine stack."},
    "OrganizationId": member_trust.PARAMETERS["OrganizationId"],
    "RemediationKmsKeyId": {
        **stack.PARAMETERS["RemediationKmsKeyId"],
        "Description": "As in the engine stack; only whether it is set matters here: the roles may set a Region's default EBS key only when it is.",
    },
    "UndoPrincipalArn": {
        "Type": "String",
        "Default": "",
        "AllowedPattern": "^(arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]+)?$",
        "Description": "The operator (a role or user ARN in the administrator account) who runs `remediator undo`: it alone may assume <MemberRoleName>-undo, which may revert every remediation here. Empty: no undo role.",
    },
}
#: `<MemberRoleName>-undo`; a family of this name would collide with it.
UNDO_ROLE_SUFFIX = "undo"
HAS_UNDO_PRINCIPAL = "HasUndoPrincipal"


def member_template(families: Sequence[Family]) -> dict[str, Any]:
    if any(family.name == UNDO_ROLE_SUFFIX for family in families):
        raise RegistryError(f"a remediation family may not be named {UNDO_ROLE_SUFFIX!r}: the undo role is")
    resources = {f"{family.key}MemberRole": member_role(family) for family in families}
    outputs = {
        f"{family.key}MemberRoleArn": {"Value": {"Fn::GetAtt": [f"{family.key}MemberRole", "Arn"]}}
        for family in families
    }
    undo_present = {"Fn::Not": [{"Fn::Equals": [{"Ref": "UndoPrincipalArn"}, ""]}]}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Security Hub remediation engine: roles its functions, and the operator who undoes, assume in this member account",
        "Parameters": PARAMETERS,
        "Conditions": {**member_trust.conditions(), **KMS_KEY_CONDITION, HAS_UNDO_PRINCIPAL: undo_present},
        "Resources": {**resources, "UndoRole": undo_role(families)},
        "Outputs": {
            **outputs,
            "UndoRoleArn": {"Condition": HAS_UNDO_PRINCIPAL, "Value": {"Fn::GetAtt": ["UndoRole", "Arn"]}},
        },
    }


def member_role(family: Family) -> dict[str, Any]:
    statements = [
        *resource_level_statements(
            [*family.remediation_actions, *engine_actions(MEMBER)],
            "Remediate",
            roles=family.passed_roles,
            scoped=family.scoped,
        ),
        *resource_level_statements(
            family.key_actions, "RemediateWithKmsKey", only_if=HAS_KMS_KEY, scoped=family.scoped
        ),
    ]
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": family.member_role_name,
            "Description": f"Security Hub remediation engine, {family.name} family",
            "AssumeRolePolicyDocument": member_trust.engine_trust(family.name, family.key),
            "Policies": [{"PolicyName": "least-privilege", "PolicyDocument": policy_document(statements)}],
        },
    }


def undo_role(families: Sequence[Family]) -> dict[str, Any]:
    """`<MemberRoleName>-undo`: every remediation's reads and reverts, for the operator alone."""
    actions = sorted({action for family in families for action in family.undo_actions})
    scoped = scoped_actions(rule for family in families for rule in family.rules)
    return {
        "Type": "AWS::IAM::Role",
        "Condition": HAS_UNDO_PRINCIPAL,
        "Properties": {
            "RoleName": {"Fn::Sub": f"${{MemberRoleName}}-{UNDO_ROLE_SUFFIX}"},
            "Description": "Security Hub remediation engine: remediator undo, run by the operator",
            "AssumeRolePolicyDocument": member_trust.operator_trust(),
            "Policies": [
                {
                    "PolicyName": "least-privilege",
                    "PolicyDocument": policy_document(
                        resource_level_statements(actions, "Revert", scoped=scoped)
                    ),
                }
            ],
        },
    }
