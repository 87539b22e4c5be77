"""Least privilege in template.yaml and deploy/member-role.yaml: every role grants what its code calls.

The templates are read as deployed (after the SAM transform, localaws/sam_routes.py, with their
intrinsics resolved for given parameters, localaws/intrinsics.py) and compared with the sources
of truth: the remediations' declared permissions and the engine's own (deploy/permissions.py).
A role that lacks an action its code calls, grants one nothing calls, or trusts more principals
than the engine's own fails here.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore import xform_name

from cli import undo as cli_undo
from deploy import functions, template_gen
from deploy.iam import (
    HOME,
    MEMBER,
    RUNTIME_PERMISSIONS,
    UnboundResourceError,
    engine_actions,
    granted_actions,
    resource_level_statements,
)
from deploy.member_trust import MAX_ENGINE_REGIONS
from deploy.permissions import ENGINE_PERMISSIONS
from localaws.intrinsics import Resolver, deployed_resources
from localaws.sam_routes import transformed_template
from remediations import catalog
from remediations.base import KMS_KEY_PARAMETER
from remediations.destinations import PREFIX, READ_ACTION
from rules.registry import Rule, build_registry, load_registry

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = functions.families(load_registry().rules)
FAMILY_IDS = [family.name for family in FAMILIES]
ENGINE_TEMPLATE: dict[str, Any] = transformed_template()
RESOURCES: dict[str, Any] = ENGINE_TEMPLATE["Resources"]
MEMBER_TEMPLATE: dict[str, Any] = yaml.safe_load(
    (ROOT / "deploy" / "member-role.yaml").read_text(encoding="utf-8")
)
ENGINE_ACTIONS = {action for actions in ENGINE_PERMISSIONS.values() for action in actions}


def by_family(name: str) -> functions.Family:
    return next(family for family in FAMILIES if family.name == name)


def by_role_id(member_role_id: str) -> functions.Family:
    return next(family for family in FAMILIES if f"{family.key}MemberRole" == member_role_id)


def policy_statements(role_id: str, template: dict[str, Any] = RESOURCES) -> list[dict[str, Any]]:
    return [
        s
        for policy in template[role_id]["Properties"]["Policies"]
        for s in policy["PolicyDocument"]["Statement"]
    ]


def statement_for(role_id: str, action: str) -> dict[str, Any]:
    (statement,) = [s for s in policy_statements(role_id) if action in s.get("Action", ())]
    return statement


# --- least privilege -------------------------------------------------------------------------------


KEY = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def fix_actions(rule: Rule, stack_key: str) -> set[str]:
    """What the fix of `rule` may call: the key's own writes only when the rule or the stack gives a key,
    the read of its destinations (on the baseline's parameters only) when it has any."""
    keyed = bool(stack_key) or KMS_KEY_PARAMETER in rule.parameters
    return set(rule.remediation.actions) - set(() if keyed else rule.remediation.permissions.with_key)


def deployed_policy(template: dict[str, Any], role_id: str, **parameters: str) -> dict[str, Any]:
    role = Resolver(template, parameters=parameters).resolve(template["Resources"][role_id])
    (policy,) = role["Properties"]["Policies"]
    return dict(policy["PolicyDocument"])


@pytest.mark.parametrize("stack_key", ["", KEY], ids=["no-key", "stack-key"])
@pytest.mark.parametrize("family", FAMILY_IDS)
def test_function_role_grants_exactly_what_its_code_calls(family: str, stack_key: str) -> None:
    role_id = by_family(family).role_id
    granted = granted_actions(deployed_policy(ENGINE_TEMPLATE, role_id, RemediationKmsKeyId=stack_key))
    remediations = {
        a for rule in load_registry().rules if rule.family == family for a in fix_actions(rule, stack_key)
    }
    expected = remediations | ENGINE_ACTIONS | set(RUNTIME_PERMISSIONS)
    assert not expected - granted, f"{role_id} lacks {sorted(expected - granted)}: run `make template`"
    assert not granted - expected, f"{role_id} grants {sorted(granted - expected)} that nothing calls"
    assert not [a for a in granted if "*" in a], "no wildcard actions"
    other_families = {a for rule in load_registry().rules if rule.family != family for a in rule.permissions}
    assert not (other_families - remediations - ENGINE_ACTIONS) & granted, "another family's actions"


def test_the_default_ebs_key_may_be_changed_only_where_a_key_is_configured() -> None:
    """`ec2:ModifyEbsDefaultKmsKeyId` on `*` with no key to set would let a role point a Region at any key."""
    modify = "ec2:ModifyEbsDefaultKmsKeyId"
    for template, role_id in ((ENGINE_TEMPLATE, "Ec2RemediationRole"), (MEMBER_TEMPLATE, "Ec2MemberRole")):
        assert modify not in granted_actions(deployed_policy(template, role_id)), role_id
        assert modify in granted_actions(deployed_policy(template, role_id, RemediationKmsKeyId=KEY)), role_id


def test_a_rule_that_names_its_own_key_is_granted_the_keys_writes_always() -> None:
    document = json.loads((ROOT / "rules" / "registry.json").read_text(encoding="utf-8"))
    (ebs,) = [
        rule for rule in document["rules"] if rule["remediation"] == "ec2.enable-ebs-default-encryption"
    ]
    ebs["parameters"] = {**ebs.get("parameters", {}), KMS_KEY_PARAMETER: KEY}
    registry = build_registry(document, catalog())
    engine = template_gen.admin_template(registry)
    member = template_gen.member_role_template(registry)
    assert "ec2:ModifyEbsDefaultKmsKeyId" in granted_actions(deployed_policy(engine, "Ec2RemediationRole"))
    assert "ec2:ModifyEbsDefaultKmsKeyId" in granted_actions(deployed_policy(member, "Ec2MemberRole"))


@pytest.mark.parametrize("family", FAMILY_IDS)
def test_the_stack_resources_the_engine_uses_are_scoped(family: str) -> None:
    fam = by_family(family)
    role_id = fam.role_id
    assert statement_for(role_id, "sns:Publish")["Resource"] == {"Ref": "NotificationTopic"}
    assert statement_for(role_id, "dynamodb:PutItem")["Resource"] == {"Fn::GetAtt": ["StateTable", "Arn"]}
    assert statement_for(role_id, "sts:AssumeRole")["Resource"] == {
        "Fn::Sub": f"arn:${{AWS::Partition}}:iam::*:role/${{MemberRoleName}}-{family}"
    }
    assert statement_for(role_id, "kms:GenerateDataKey")["Resource"] == {
        "Fn::GetAtt": ["NotificationKey", "Arn"]
    }
    assert statement_for(role_id, "sqs:SendMessage")["Resource"] == {
        "Fn::GetAtt": ["InvocationDeadLetterQueue", "Arn"]
    }
    assert statement_for(role_id, "logs:PutLogEvents")["Resource"] == {
        "Fn::GetAtt": [fam.log_group_id, "Arn"]
    }
    assert RESOURCES[role_id]["Properties"]["RoleName"] == {
        "Fn::Sub": f"${{EngineRolePrefix}}-{family}-${{AWS::Region}}"
    }


@pytest.mark.parametrize("stack_key", ["", KEY], ids=["no-key", "stack-key"])
@pytest.mark.parametrize("family", FAMILY_IDS)
def test_member_role_grants_exactly_the_family(family: str, stack_key: str) -> None:
    fam = by_family(family)
    role = MEMBER_TEMPLATE["Resources"][f"{fam.key}MemberRole"]["Properties"]
    assert role["RoleName"] == {"Fn::Sub": f"${{MemberRoleName}}-{family}"}
    granted = granted_actions(
        deployed_policy(MEMBER_TEMPLATE, f"{fam.key}MemberRole", RemediationKmsKeyId=stack_key)
    )
    remediations = {a for rule in fam.rules for a in fix_actions(rule, stack_key)}
    assert granted == remediations | set(engine_actions(MEMBER))
    assert not granted & set(engine_actions(HOME)), "stack-side calls never happen in a member account"
    assert set(MEMBER_TEMPLATE["Resources"]) == {f"{f.key}MemberRole" for f in FAMILIES} | {"UndoRole"}


ENGINE_SOURCE = "\n".join(
    path.read_text(encoding="utf-8") for path in sorted((ROOT / "engine").rglob("*.py"))
)


@pytest.mark.parametrize("action", sorted(ENGINE_ACTIONS))
def test_every_engine_action_is_called_by_the_engine(action: str) -> None:
    """Granted = used: an action in deploy/permissions.py that no engine code calls is a grant to remove."""
    method = xform_name(action.split(":", 1)[1])  # dynamodb:GetItem -> get_item
    assert re.search(rf"\b{method}\b", ENGINE_SOURCE), f"no engine code calls {method}: drop {action}"


# --- who may assume what -----------------------------------------------------------------------------

ADMIN, MEMBER_ACCOUNT, ORGANIZATION = "111111111111", "222222222222", "o-a1b2c3d4e5"


def member_roles(**parameters: str) -> dict[str, Any]:
    """deploy/member-role.yaml's roles as a member account's stack with `parameters` creates them."""
    given = {"AdminAccountId": ADMIN, **parameters}
    return deployed_resources(MEMBER_TEMPLATE, account=MEMBER_ACCOUNT, parameters=given)


def trust_of(role: dict[str, Any]) -> dict[str, Any]:
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow" and statement["Action"] == "sts:AssumeRole"
    return dict(statement)


def function_role_name(family: functions.Family, region: str) -> str:
    """The name template.yaml gives the family's function role in a stack in `region`."""
    role = deployed_resources(ENGINE_TEMPLATE, account=ADMIN, region=region)[family.role_id]
    return str(role["Properties"]["RoleName"])


@pytest.mark.parametrize("family", FAMILY_IDS)
@pytest.mark.parametrize("regions", [("us-east-1",), ("us-east-1", "eu-west-1", "ap-southeast-2")])
def test_member_role_trusts_exactly_the_function_roles_of_its_family(
    family: str, regions: tuple[str, ...]
) -> None:
    """Not `<prefix>-<family>-*`: whoever may create a role of that name in the admin account gets nothing."""
    fam = by_family(family)
    trust = trust_of(member_roles(EngineRegions=",".join(regions))[f"{fam.key}MemberRole"])
    assert trust["Principal"] == {"AWS": f"arn:aws:iam::{ADMIN}:root"}
    engine_roles = [f"arn:aws:iam::{ADMIN}:role/{function_role_name(fam, region)}" for region in regions]
    assert trust["Condition"] == {"StringEquals": {"aws:PrincipalArn": engine_roles}}


def test_engine_regions_are_capped_where_a_trust_policy_still_fits() -> None:
    pattern = MEMBER_TEMPLATE["Parameters"]["EngineRegions"]["AllowedPattern"]
    regions = ["us-east-1", "eu-west-1", "us-gov-west-1", "ap-southeast-3", "cn-north-1", "eusc-de-east-1"]
    most = [regions[index % len(regions)] for index in range(MAX_ENGINE_REGIONS)]
    assert re.fullmatch(pattern, ",".join(most))
    assert not re.fullmatch(pattern, ",".join([*most, "us-west-2"])), "more Regions than slots"
    assert not re.fullmatch(pattern, "us-east-1, eu-west-1") and not re.fullmatch(pattern, "")
    trust = trust_of(member_roles(EngineRegions=",".join(most))["S3MemberRole"])
    assert len(trust["Condition"]["StringEquals"]["aws:PrincipalArn"]) == MAX_ENGINE_REGIONS


def test_member_template_fits_a_template_url() -> None:
    """deploy/README.md deploys it from S3 (`--template-url`, `deploy --s3-bucket`), which takes 1 MB.

    (`--template-body` takes 51,200 bytes: one role per family, each trusting 16 Regions, passes that.)
    """
    assert len((ROOT / "deploy" / "member-role.yaml").read_bytes()) <= 1_000_000
    readme = (ROOT / "deploy" / "README.md").read_text(encoding="utf-8")
    assert "--template-url" in readme and "--template-body file://deploy/member-role.yaml" not in readme


def test_member_roles_admit_only_the_organization_when_one_is_set() -> None:
    for role_id, role in member_roles().items():
        assert "aws:PrincipalOrgID" not in trust_of(role)["Condition"]["StringEquals"], role_id
    for role_id, role in member_roles(OrganizationId=ORGANIZATION).items():
        assert trust_of(role)["Condition"]["StringEquals"]["aws:PrincipalOrgID"] == ORGANIZATION, role_id


@pytest.mark.parametrize("family", FAMILY_IDS)
def test_function_roles_assume_member_roles_only_in_the_organization_when_one_is_set(family: str) -> None:
    def assume(**parameters: str) -> dict[str, Any]:
        role = deployed_resources(ENGINE_TEMPLATE, account=ADMIN, parameters=parameters)[
            by_family(family).role_id
        ]
        statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        (statement,) = [s for s in statements if "sts:AssumeRole" in s["Action"]]
        return dict(statement)

    assert "Condition" not in assume()
    within = assume(OrganizationId=ORGANIZATION)
    assert within["Condition"] == {"StringEquals": {"aws:ResourceOrgID": ORGANIZATION}}
    assert within["Resource"] == f"arn:aws:iam::*:role/SecHubRemediatorMember-{family}"


# --- what a finding names cannot widen a grant ------------------------------------------------------

#: Any S3 bucket: a bucket's ARN names no account, so the ARN alone cannot keep a grant at home.
ANY_BUCKET = {"Fn::Sub": "arn:${AWS::Partition}:s3:::*"}
OWN_ACCOUNT_ONLY = {"StringEquals": {"s3:ResourceAccount": {"Fn::Sub": "${AWS::AccountId}"}}}


def every_role_statement() -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, statement) for every statement of every role of both templates, both sides of an Fn::If."""
    for template, resources in (
        ("template.yaml", RESOURCES),
        ("member-role.yaml", MEMBER_TEMPLATE["Resources"]),
    ):
        for role_id, resource in resources.items():
            if resource["Type"] != "AWS::IAM::Role":
                continue
            for statement in policy_statements(role_id, resources):
                branches = statement["Fn::If"][1:] if "Fn::If" in statement else [statement]
                for branch in branches:
                    if "Effect" in branch:
                        yield f"{template} {role_id} {branch['Sid']}", branch


def test_s3_bucket_writes_are_bound_to_the_roles_own_account() -> None:
    """Even if an S3 call lacked ExpectedBucketOwner, a bucket of another account cannot be written."""
    writes = {
        action
        for remediation in catalog().values()
        for action in (*remediation.permissions.write, *remediation.permissions.revert)
        if action.startswith("s3:")
    }
    bound = []
    for where, statement in every_role_statement():
        resources = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        if ANY_BUCKET in resources and writes & set(statement["Action"]):
            assert statement.get("Condition") == OWN_ACCOUNT_ONLY, where
            bound.append(where)
    assert any("RemediationRole" in where for where in bound) and any(
        "MemberRole" in where for where in bound
    )


def test_a_service_whose_arns_name_no_account_must_say_how_to_bind_them() -> None:
    with pytest.raises(UnboundResourceError, match="route53"):
        resource_level_statements(["route53:ChangeResourceRecordSets"], "Remediate")


# --- undo -------------------------------------------------------------------------------------------

OPERATOR = (
    f"arn:aws:iam::{ADMIN}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Operators_0123456789abcdef"
)
UNDO_ROLE = f"arn:aws:iam::{MEMBER_ACCOUNT}:role/SecHubRemediatorMember-undo"


def test_no_undo_role_unless_an_operator_is_named() -> None:
    assert "UndoRole" not in member_roles()
    assert "UndoRole" in member_roles(UndoPrincipalArn=OPERATOR)


def test_the_undo_role_grants_every_revert_and_its_reads_to_the_operator_alone() -> None:
    roles = member_roles(UndoPrincipalArn=OPERATOR)
    undo = roles["UndoRole"]
    assert undo["Properties"]["RoleName"] == UNDO_ROLE.rpartition("/")[2] == cli_undo.DEFAULT_UNDO_ROLE
    granted = granted_actions(undo["Properties"]["Policies"][0]["PolicyDocument"])
    assert granted == {
        action for rule in load_registry().rules for action in rule.remediation.permissions.undo
    }
    trust = trust_of(undo)
    assert trust["Principal"] == {"AWS": f"arn:aws:iam::{ADMIN}:root"}
    assert trust["Condition"] == {"StringEquals": {"aws:PrincipalArn": OPERATOR}}
    within = trust_of(member_roles(UndoPrincipalArn=OPERATOR, OrganizationId=ORGANIZATION)["UndoRole"])
    assert within["Condition"]["StringEquals"]["aws:PrincipalOrgID"] == ORGANIZATION
    for role_id, role in roles.items():
        if role_id != "UndoRole":
            granted = granted_actions(role["Properties"]["Policies"][0]["PolicyDocument"])
            reverts = {
                action for rule in load_registry().rules for action in rule.remediation.permissions.revert
            }
            assert not granted & (reverts - set(by_role_id(role_id).remediation_actions)), role_id


def test_undo_principal_must_be_a_role_or_user_arn() -> None:
    pattern = MEMBER_TEMPLATE["Parameters"]["UndoPrincipalArn"]["AllowedPattern"]
    for good in ("", OPERATOR, f"arn:aws:iam::{ADMIN}:user/alice", f"arn:aws-us-gov:iam::{ADMIN}:role/Ops"):
        assert re.fullmatch(pattern, good), good
    for bad in (
        f"arn:aws:iam::{ADMIN}:root",
        "*",
        f"arn:aws:iam::{ADMIN}:role/*",
        f"arn:aws:sts::{ADMIN}:assumed-role/Ops/s",
    ):
        assert not re.fullmatch(pattern, bad), bad


@pytest.mark.parametrize("family", FAMILY_IDS)
def test_function_roles_cannot_assume_the_undo_role(family: str) -> None:
    role = deployed_resources(ENGINE_TEMPLATE, account=ADMIN)[by_family(family).role_id]
    statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assumable = [s["Resource"] for s in statements if "sts:AssumeRole" in s["Action"]]
    assert assumable and not any(fnmatch.fnmatchcase(UNDO_ROLE, pattern) for pattern in assumable)
    engine_role = f"arn:aws:iam::{ADMIN}:role/{function_role_name(by_family(family), 'us-east-1')}"
    trusted = trust_of(member_roles(UndoPrincipalArn=OPERATOR)["UndoRole"])["Condition"]["StringEquals"]
    assert trusted["aws:PrincipalArn"] != engine_role


def test_every_role_is_described_under_roles_in_deploy_readme() -> None:
    readme = (ROOT / "deploy" / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Roles\n", 1)[1].split("\n## ", 1)[0]
    events = yaml.safe_load((ROOT / "deploy" / "member-config-events.yaml").read_text(encoding="utf-8"))
    family_role = re.compile(rf"^({'|'.join(f.key for f in FAMILIES)})(RemediationRole|MemberRole)$")
    for template in (ENGINE_TEMPLATE, MEMBER_TEMPLATE, events):
        for role_id, resource in template["Resources"].items():
            if resource["Type"] == "AWS::IAM::Role":
                assert f"`{family_role.sub(r'<Family>\2', role_id)}`" in section, role_id


def test_destinations_are_read_only_under_the_baseline_prefix() -> None:
    """`ssm:GetParameters` is granted for the baseline's parameters alone, never every parameter."""
    found = [
        statement for _, statement in every_role_statement() if READ_ACTION in statement.get("Action", ())
    ]
    assert found, "a remediation with destinations is granted their read"
    for statement in found:
        assert statement["Action"] == [READ_ACTION]
        assert statement["Resource"] == {
            "Fn::Sub": f"arn:${{AWS::Partition}}:ssm:*:${{AWS::AccountId}}:parameter{PREFIX}*"
        }


def test_a_role_destination_is_passed_only_as_itself_and_only_to_its_service() -> None:
    """`iam:PassRole` on exactly the baseline role a destination names, for its service, in both templates."""

    from remediations.destinations import CLOUDTRAIL_LOGS_ROLE, PASS_ROLE

    logging = catalog()["s3.enable-server-access-logging"]
    with_role = {
        **catalog(),
        logging.name: logging._replace(
            parameters={**logging.parameters, CLOUDTRAIL_LOGS_ROLE.parameter: {"type": "string"}},
            destinations=(*logging.destinations, CLOUDTRAIL_LOGS_ROLE),
        ),
    }
    document = json.loads((ROOT / "rules" / "registry.json").read_text(encoding="utf-8"))
    registry = build_registry(document, with_role)
    engine = template_gen.admin_template(registry)
    member = template_gen.member_role_template(registry)
    for template, role_id in ((engine, "S3RemediationRole"), (member, "S3MemberRole")):
        statements = deployed_policy(template, role_id)["Statement"]
        (passing,) = [s for s in statements if PASS_ROLE in s["Action"]]
        assert passing["Action"] == [PASS_ROLE]
        assert passing["Resource"] == "arn:aws:iam::123456789012:role/sechub-baseline-cloudtrail-logs-*"
        assert passing["Condition"] == {"StringEquals": {"iam:PassedToService": ["cloudtrail.amazonaws.com"]}}
    for template, role_id in ((engine, "Ec2RemediationRole"), (member, "Ec2MemberRole")):
        (passing,) = [s for s in deployed_policy(template, role_id)["Statement"] if PASS_ROLE in s["Action"]]
        assert passing["Resource"] == "arn:aws:iam::123456789012:role/sechub-baseline-flow-logs-*"
        assert passing["Condition"] == {
            "StringEquals": {"iam:PassedToService": ["vpc-flow-logs.amazonaws.com"]}
        }
    for template, role_id in ((engine, "SqsRemediationRole"), (member, "SqsMemberRole")):
        assert PASS_ROLE not in granted_actions(deployed_policy(template, role_id)), "another family's role"
