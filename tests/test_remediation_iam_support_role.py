"""IAM.18 beyond the meta-tests: an existing role is never changed, the trust is the account and
nothing wider, the undo deletes only the engine's untouched role, and the deploy roles may create,
attach and delete only that role and only AWSSupportAccess.

On moto (AWSSupportAccess loaded into its IAM, `localaws.estate.iam_policies`) and on the
generated templates.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from deploy import functions
from deploy.iam import scoped_actions
from localaws import estate
from localaws.engine_setup import make_engine
from localaws.estate.iam_policies import load_aws_managed_policy
from localaws.events import load_event
from localaws.project import project_path
from model.errors import RevertConflictError, UnsupportedResourceError
from remediations.cases import ACCOUNT, resource
from remediations.iam_support_role import DEFAULT_ROLE_NAME, DESCRIPTION, REMEDIATION, keeps, trust_policy
from rules.registry import Rule, load_registry

EVENT = "securityhub-custom-action-iam.18-consolidated.json"
POLICY = "arn:aws:iam::aws:policy/AWSSupportAccess"
OTHER = "arn:aws:iam::aws:policy/ReadOnlyAccess"
ROLE_ARN = {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{DEFAULT_ROLE_NAME}"}
ONLY_SUPPORT = {
    "ArnEquals": {"iam:PolicyARN": {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AWSSupportAccess"}}
}
SCOPED = ("iam:CreateRole", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:DeleteRole")

roles = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "Ours": st.booleans(),
            "AttachedPolicies": st.lists(st.sampled_from([POLICY, OTHER]), unique=True).map(sorted),
            "InlinePolicies": st.lists(st.sampled_from(["inline"]), unique=True),
        }
    ),
)
states = st.builds(
    lambda holders, role: {
        "Partition": "aws",
        "Account": ACCOUNT,
        "RoleName": DEFAULT_ROLE_NAME,
        "Holders": holders,
        "Role": role,
    },
    st.lists(st.sampled_from(["role/support", "user/alice", f"role/{DEFAULT_ROLE_NAME}"]), unique=True).map(
        sorted
    ),
    roles,
)


@given(state=states)
def test_an_existing_role_is_never_changed_unless_it_is_the_engines_own_and_empty(
    state: dict[str, Any],
) -> None:
    try:
        plan = REMEDIATION.plan(state, {})
    except UnsupportedResourceError:
        role = state["Role"]
        assert not state["Holders"] and role is not None
        assert not role["Ours"] or role["AttachedPolicies"] or role["InlinePolicies"]
        return
    assert keeps(state, plan.after)
    methods = [call.method for call in plan.calls]
    assert methods in ([], ["create_role", "attach_role_policy"], ["attach_role_policy"])
    if methods == ["attach_role_policy"]:
        assert state["Role"] == {"Ours": True, "AttachedPolicies": [], "InlinePolicies": []}
    if methods:
        assert not state["Holders"]
        assert plan.calls[-1].params == {"RoleName": DEFAULT_ROLE_NAME, "PolicyArn": POLICY}


@pytest.mark.parametrize("partition", ["aws", "aws-us-gov", "aws-cn"])
def test_the_role_trusts_the_account_and_nothing_wider(partition: str) -> None:
    document = json.loads(trust_policy({"Partition": partition, "Account": ACCOUNT}))
    assert document["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
        }
    ]


def iam() -> Any:
    return boto3.client("iam", region_name=estate.REGION)


def deliver() -> tuple[dict[str, Any], Any, dict[str, Any]]:
    estate.enable_security_hub()
    load_aws_managed_policy("AWSSupportAccess")
    event = json.loads(json.dumps(load_event(EVENT)))
    estate.import_findings(event)
    engine, recorder = make_engine()
    return engine.handle(event), recorder, event


def trust(principal: str) -> str:
    return json.dumps(
        {"Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]}
    )


@pytest.mark.usefixtures("aws")
def test_a_role_of_that_name_that_is_not_the_engines_is_notified_and_left_alone() -> None:
    iam().create_role(
        RoleName=DEFAULT_ROLE_NAME, AssumeRolePolicyDocument=trust("arn:aws:iam::210987654321:root")
    )
    report, recorder, event = deliver()
    (line,) = report["findings"]
    assert (line["status"], line["error_code"]) == ("failed", "UnsupportedResource"), line
    stored = estate.finding(event["detail"]["findings"][0]["Id"])
    assert stored["Workflow"]["Status"] == "NOTIFIED" and DEFAULT_ROLE_NAME in stored["Note"]["Text"]
    assert [call for call in recorder.writes if call != "securityhub.BatchUpdateFindings"] == []
    assert iam().list_attached_role_policies(RoleName=DEFAULT_ROLE_NAME)["AttachedPolicies"] == []


@pytest.mark.usefixtures("aws")
def test_a_user_holding_the_policy_is_compliant_and_no_role_is_made() -> None:
    load_aws_managed_policy("AWSSupportAccess")
    iam().create_user(UserName="alice")
    iam().attach_user_policy(UserName="alice", PolicyArn=POLICY)
    report, recorder, _ = deliver()
    assert [line["status"] for line in report["findings"]] == ["already-compliant"]
    assert "iam.CreateRole" not in recorder.calls


@pytest.mark.usefixtures("aws")
def test_the_rules_role_name_is_the_role_made() -> None:
    load_aws_managed_policy("AWSSupportAccess")
    client, params = iam(), {"role_name": "support-desk"}
    account = REMEDIATION.identity.locate([resource("AwsAccount", f"AWS::::Account:{ACCOUNT}")])
    assert account is not None
    REMEDIATION.apply(client, REMEDIATION.plan(REMEDIATION.read(client, account, params), params))
    role = client.get_role(RoleName="support-desk")["Role"]
    assert role["Description"] == DESCRIPTION
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "AWS": f"arn:aws:iam::{ACCOUNT}:root"
    }
    attached = client.list_attached_role_policies(RoleName="support-desk")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [POLICY]


@pytest.mark.usefixtures("aws")
def test_undo_refuses_a_role_given_another_policy_since_and_keeps_it_even_forced() -> None:
    load_aws_managed_policy("AWSSupportAccess")
    load_aws_managed_policy("ReadOnlyAccess")
    client = iam()
    account = REMEDIATION.identity.locate([resource("AwsAccount", f"AWS::::Account:{ACCOUNT}")])
    assert account is not None
    before = REMEDIATION.read(client, account, {})
    plan = REMEDIATION.plan(before, {})
    REMEDIATION.apply(client, plan)
    client.attach_role_policy(RoleName=DEFAULT_ROLE_NAME, PolicyArn=OTHER)
    current = REMEDIATION.read(client, account, {})
    with pytest.raises(RevertConflictError, match="someone changed it since"):
        REMEDIATION.undo(current, before, plan.after)
    assert REMEDIATION.undo(current, before, plan.after, force=True).compliant
    assert client.get_role(RoleName=DEFAULT_ROLE_NAME)["Role"]["RoleName"] == DEFAULT_ROLE_NAME


# --- the deploy roles -----------------------------------------------------------------------------


def statements_granting(action: str, policy: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in policy["Statement"] if action in s.get("Action", ())]


def test_the_iam_roles_may_make_and_remove_only_the_support_role_with_only_its_policy() -> None:
    template = yaml.safe_load(project_path("template.yaml").read_text(encoding="utf-8"))
    members = yaml.safe_load(project_path("deploy/member-role.yaml").read_text(encoding="utf-8"))
    iam_family = next(f for f in functions.families(load_registry().rules) if f.name == "iam")
    policies = {
        "function": template["Resources"][iam_family.role_id]["Properties"]["Policies"][0]["PolicyDocument"],
        "member": members["Resources"][f"{iam_family.key}MemberRole"]["Properties"]["Policies"][0][
            "PolicyDocument"
        ],
        "undo": members["Resources"]["UndoRole"]["Properties"]["Policies"][0]["PolicyDocument"],
    }
    for where, policy in policies.items():
        for action in SCOPED:
            if where == "undo" and action in ("iam:CreateRole", "iam:AttachRolePolicy"):
                assert not statements_granting(action, policy), f"{where} grants {action}"
                continue
            if where != "undo" and action in ("iam:DetachRolePolicy", "iam:DeleteRole"):
                assert not statements_granting(action, policy), f"{where} grants {action}"
                continue
            (statement,) = statements_granting(action, policy)
            assert statement["Resource"] == ROLE_ARN, (where, action)
            expected = ONLY_SUPPORT if action.endswith("RolePolicy") else None
            assert statement.get("Condition") == expected, (where, action)


def test_a_rules_role_name_is_what_the_roles_are_scoped_to() -> None:
    rule = Rule(
        id="support", remediation=REMEDIATION, mode="manual", parameters={"role_name": "support-desk"}
    )
    default = Rule(id="default", remediation=REMEDIATION, mode="manual")
    scoped = scoped_actions([rule, default])
    resources, condition = scoped["iam:CreateRole"]
    assert resources == (
        {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/support-desk"},
        ROLE_ARN,
    )
    assert condition is None
    assert scoped["iam:AttachRolePolicy"][1] == ONLY_SUPPORT
