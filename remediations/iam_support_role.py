"""Create a role for AWS Support incidents, with `AWSSupportAccess` (control IAM.18).

Controls: IAM.18; CIS 1.2.0 1.20, CIS 1.4.0 1.17, CIS 3.0.0 1.17, CIS 5.0.0 1.16. Its Config rule is
`iam-policy-in-use` with `policyARN` AWSSupportAccess, which Security Hub names
`securityhub-iam-support-policy-in-use-<suffix>`: only that name routes here. The managed rule's
own name is not listed, since with parameters it checks whatever policy its owner chose.
Why: the account then has a principal that can open and manage AWS Support cases without
broader rights. The control passes when `AWSSupportAccess` is attached to a user, to a group with
at least one user, or to a role with a trusted entity.
- compliant: one ListEntitiesForPolicy (unfiltered: its answer lists roles, users and groups in
  one call) names a role or a user holding the policy. A group alone is not counted (whether it
  has a user would take a GetGroup a group), so a role is created beside it;
- otherwise the role `role_name` (default `aws-support-access`) is created, trusted by the
  account (`arn:<partition>:iam::<account>:root`: any principal of the account that IAM lets
  call sts:AssumeRole on it, and none outside the account), and AWSSupportAccess, alone, is
  attached. GetRole first: a role of that name that is not the engine's (its description says
  whose it is) is never changed, and the finding is NOTIFIED (`UnsupportedResourceError`); the
  engine's own role, left without the policy by a refused attach, gets the attach alone.
Reads: ListEntitiesForPolicy; GetRole when no role or user holds the policy or the role named is
among its holders; for a role of that name, ListAttachedRolePolicies and ListRolePolicies (an
undo reads it too and deletes it only while it has nothing but the policy the fix attached).
Guarantee: creates one role and attaches one AWS managed policy; never changes an existing role.
The deploy roles are granted iam:CreateRole, iam:AttachRolePolicy, iam:DetachRolePolicy and
iam:DeleteRole on the rules' role names only, and attach and detach only where `iam:PolicyARN`
is AWSSupportAccess (`Permissions.scopes`).
Revert: detaches the policy and deletes the role only if it is the role the fix created and it
still has nothing but AWSSupportAccess (no other managed or inline policy); anything else on it is
someone else's change, which a revert does not undo (refused; forced, it is left as it is).
APIs: https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListEntitiesForPolicy.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachRolePolicy.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRole.html
https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSSupportAccess.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam_limit-managed.html
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from model.errors import UnsupportedResourceError
from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Params, Permissions, Remediation, Risk, Scope
from remediations.identities import ACCOUNT
from remediations.revert import refuse_unless_forced

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

    from remediations.cases import Cases

DEFAULT_ROLE_NAME = "aws-support-access"
POLICY = "arn:{partition}:iam::aws:policy/AWSSupportAccess"
#: The engine's mark on the role it creates: a role of that name without it is someone else's.
DESCRIPTION = "AWS Support access for incident management (Security Hub IAM.18), created by sechub-remediator"
ROLE_ARN = "arn:{partition}:iam::{account}:role/{role_name}"


def role_name(params: Params) -> str:
    return str(params.get("role_name") or DEFAULT_ROLE_NAME)


def read(client: IAMClient, resource: Resource, params: Params) -> dict[str, Any]:
    """Who holds AWSSupportAccess; the role `role_name`, when it matters, with what it has."""
    name, policy = role_name(params), POLICY.format(partition=resource.partition)
    holders: list[str] = []
    marker: dict[str, str] = {}
    while True:
        page = client.list_entities_for_policy(PolicyArn=policy, **marker)  # type: ignore[arg-type]
        holders += [f"role/{r['RoleName']}" for r in page.get("PolicyRoles", [])]
        holders += [f"user/{u['UserName']}" for u in page.get("PolicyUsers", [])]
        if holders or not page.get("IsTruncated"):
            break
        marker = {"Marker": page["Marker"]}
    state: dict[str, Any] = {
        "Partition": resource.partition,
        "Account": resource.account_id,
        "RoleName": name,
        "Holders": sorted(holders),
        "Role": None,
    }
    if holders and f"role/{name}" not in holders:
        return state
    try:
        role = client.get_role(RoleName=name)["Role"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "NoSuchEntity":
            raise
        return state
    attached = client.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    state["Role"] = {
        "Ours": role.get("Description") == DESCRIPTION,
        "AttachedPolicies": sorted(p["PolicyArn"] for p in attached),
        "InlinePolicies": sorted(client.list_role_policies(RoleName=name)["PolicyNames"]),
    }
    return state


def trust_policy(state: Mapping[str, Any]) -> str:
    root = f"arn:{state['Partition']}:iam::{state['Account']}:root"
    statement = {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, separators=(",", ":"))


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    if state["Holders"]:
        return Plan(after=dict(state))
    name, policy = state["RoleName"], POLICY.format(partition=state["Partition"])
    role = state["Role"]
    attach = ApiCall("attach_role_policy", {"RoleName": name, "PolicyArn": policy})
    held = {**state, "Holders": [f"role/{name}"]}
    if role is not None:
        if not role["Ours"] or role["AttachedPolicies"] or role["InlinePolicies"]:
            raise UnsupportedResourceError(
                f"no role or user holds AWSSupportAccess, and role {name} exists and is not the one this "
                "engine creates: attach the policy to a role of your choice, or set the rule's role_name "
                "to an unused name; nothing was changed"
            )
        return Plan(
            changes=(Change(f"role {name} policies", [], [policy]),),
            calls=(attach,),
            after={**held, "Role": {**role, "AttachedPolicies": [policy]}},
        )
    create = ApiCall(
        "create_role",
        {"RoleName": name, "AssumeRolePolicyDocument": trust_policy(state), "Description": DESCRIPTION},
    )
    return Plan(
        changes=(
            Change(f"support role {name}", None, f"trusted by account {state['Account']}, AWSSupportAccess"),
        ),
        calls=(create, attach),
        after={**held, "Role": {"Ours": True, "AttachedPolicies": [policy], "InlinePolicies": []}},
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    role, left = current["Role"], after["Role"]
    if role != left:  # gone, or given other policies, or someone else's since
        refuse_unless_forced(force, f"role {current['RoleName']}", role, left)
        return Plan(after=dict(current))
    name, policy = current["RoleName"], POLICY.format(partition=current["Partition"])
    calls = [ApiCall("detach_role_policy", {"RoleName": name, "PolicyArn": policy})]
    if before["Role"] is None:
        calls.append(ApiCall("delete_role", {"RoleName": name}))
        change = Change(f"support role {name}", "AWSSupportAccess", None)
    else:
        change = Change(f"role {name} policies", [policy], [])
    holders = [holder for holder in current["Holders"] if holder != f"role/{name}"]
    return Plan(changes=(change,), calls=tuple(calls), after={**before, "Holders": holders})


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Every holder of the policy still holds it; an existing role keeps what it had."""
    role_kept = before["Role"] is None or (
        set(before["Role"]["AttachedPolicies"]) <= set(after["Role"]["AttachedPolicies"])
        and before["Role"]["InlinePolicies"] == after["Role"]["InlinePolicies"]
    )
    return set(before["Holders"]) <= set(after["Holders"]) and role_kept


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

    policy = POLICY.format(partition="aws")
    name = DEFAULT_ROLE_NAME
    none: dict[str, Any] = {
        "Partition": "aws",
        "Account": ACCOUNT,
        "RoleName": name,
        "Holders": [],
        "Role": None,
    }
    ours = {"Ours": True, "AttachedPolicies": [policy], "InlinePolicies": []}
    created = {**none, "Holders": [f"role/{name}"], "Role": ours}
    account = resource("AwsAccount", f"AWS::::Account:{ACCOUNT}")
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"

    setup = built_by("localaws.estate.iam_policies:account_with_support_policy", "AwsAccount")

    return Cases(
        plans=(
            PlanCase(
                "no holder",
                none,
                {},
                (f"support role {name}: none → trusted by account {ACCOUNT}, AWSSupportAccess",),
            ),
            PlanCase("another role holds it", {**none, "Holders": ["role/support"]}, {}, ()),
            PlanCase("a user holds it", {**none, "Holders": ["user/alice"]}, {}, ()),
            PlanCase(
                "the engine's role, its attach refused last time",
                {**none, "Role": {**ours, "AttachedPolicies": []}},
                {},
                (f'role {name} policies: [] → ["{policy}"]',),
            ),
        ),
        stubbed=StubbedCase(
            resource=account,
            params={},
            calls=(
                Exchange(
                    "list_entities_for_policy",
                    {"PolicyArn": policy},
                    {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": [], "IsTruncated": False},
                ),
                Exchange("get_role", {"RoleName": name}, error="NoSuchEntity"),
                Exchange(
                    "create_role",
                    {
                        "RoleName": name,
                        "AssumeRolePolicyDocument": trust_policy(none),
                        "Description": DESCRIPTION,
                    },
                    {
                        "Role": {
                            "Path": "/",
                            "RoleName": name,
                            "RoleId": "AROA0000000000000000",
                            "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
                            "CreateDate": "2026-12-03T08:00:00Z",
                        }
                    },
                ),
                Exchange("attach_role_policy", {"RoleName": name, "PolicyArn": policy}, {}),
            ),
            refusals=((0, "AccessDenied"), (2, "EntityAlreadyExists"), (3, "AccessDenied")),
            optional_actions=frozenset({"iam:ListAttachedRolePolicies", "iam:ListRolePolicies"}),
        ),
        reverts=(
            RevertCase(
                "created: detached and deleted",
                none,
                created,
                created,
                (f"support role {name}: AWSSupportAccess → none",),
            ),
            RevertCase(
                "attached to the engine's role: detached",
                {**none, "Role": {**ours, "AttachedPolicies": []}},
                created,
                created,
                (f'role {name} policies: ["{policy}"] → []',),
            ),
            RevertCase(
                "another policy attached since: kept",
                none,
                created,
                {**created, "Role": {**ours, "AttachedPolicies": sorted([policy, admin])}},
                conflict=True,
                forced=(),
                since="changed",
            ),
            RevertCase("deleted since", none, created, none, conflict=True, forced=(), since="changed"),
        ),
        live=LiveCase(setup, {}),
        keeps=keeps,
        strictest=(
            "a support role has no stricter form: it exists with the policy or not, and anything added to "
            "it since is someone else's change, refused"
        ),
        identities=(
            (account, ACCOUNT),
            (resource("AWS::::Account", ACCOUNT, ResourceFormat.CONFIG), ACCOUNT),
        ),
    )


REMEDIATION = Remediation(
    name="iam.create-support-role",
    summary="Create a role trusted by the account with AWSSupportAccess when no role or user holds it.",
    service="iam",
    identity=ACCOUNT,
    permissions=Permissions(
        read=(
            "iam:ListEntitiesForPolicy",
            "iam:GetRole",
            "iam:ListAttachedRolePolicies",
            "iam:ListRolePolicies",
        ),
        write=("iam:CreateRole", "iam:AttachRolePolicy"),
        revert=("iam:DetachRolePolicy", "iam:DeleteRole"),
        scopes={
            "iam:CreateRole": Scope((ROLE_ARN,)),
            "iam:DeleteRole": Scope((ROLE_ARN,)),
            "iam:AttachRolePolicy": Scope((ROLE_ARN,), {"ArnEquals": {"iam:PolicyARN": POLICY}}),
            "iam:DetachRolePolicy": Scope((ROLE_ARN,), {"ArnEquals": {"iam:PolicyARN": POLICY}}),
        },
    ),
    risk=Risk.CREATES_RESOURCES,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
    parameters={
        "role_name": {
            "type": "string",
            "pattern": "^[A-Za-z0-9+=,.@_-]{1,64}$",
            "default": DEFAULT_ROLE_NAME,
        }
    },
)
