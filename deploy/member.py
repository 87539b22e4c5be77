"""`deploy/member-role.yaml`: the roles the engine assumes in each member account, one per family.

Each role trusts only its own family's function roles in the administrator account (by name,
`<EngineRolePrefix>-<family>-<Region>`, template.yaml), and grants exactly its family's remediation
actions plus the engine calls made in the resource's account (Config re-evaluation, tag reads).
IAM is global: deploy it once per account (one Region), e.g. with a service-managed StackSet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from deploy import stack
from deploy.functions import Family
from deploy.iam import MEMBER, engine_actions, policy_document, resource_level_statements

PARAMETERS = {
    "AdminAccountId": {
        "Type": "String",
        "AllowedPattern": "^[0-9]{12}$",
        "Description": "The Security Hub administrator account where the engine stack runs.",
    },
    "EngineRolePrefix": {**stack.PARAMETERS["EngineRolePrefix"], "Description": "As in the engine stack."},
    "MemberRoleName": {**stack.PARAMETERS["MemberRoleName"], "Description": "As in the engine stack."},
}


def member_template(families: Sequence[Family]) -> dict[str, Any]:
    resources = {f"{family.key}MemberRole": member_role(family) for family in families}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Security Hub remediation engine: roles its functions assume in this member account",
        "Parameters": PARAMETERS,
        "Resources": resources,
        "Outputs": {
            f"{family.key}MemberRoleArn": {"Value": {"Fn::GetAtt": [f"{family.key}MemberRole", "Arn"]}}
            for family in families
        },
    }


def member_role(family: Family) -> dict[str, Any]:
    engine_role = (
        f"arn:${{AWS::Partition}}:iam::${{AdminAccountId}}:role/${{EngineRolePrefix}}-{family.name}-*"
    )
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": f"EngineFunctionsOfThe{family.key}Family",
                "Effect": "Allow",
                "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AdminAccountId}:root"}},
                "Action": "sts:AssumeRole",
                "Condition": {"ArnLike": {"aws:PrincipalArn": {"Fn::Sub": engine_role}}},
            }
        ],
    }
    statements = resource_level_statements(
        [*family.remediation_actions, *engine_actions(MEMBER)], "Remediate"
    )
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": family.member_role_name,
            "Description": f"Security Hub remediation engine, {family.name} family",
            "AssumeRolePolicyDocument": trust,
            "Policies": [{"PolicyName": "least-privilege", "PolicyDocument": policy_document(statements)}],
        },
    }
