"""template.yaml and deploy/member-role.yaml are what the code says they must be.

The templates are read as deployed (after the SAM transform, localaws/sam_routes.py), and
compared with the sources of truth: the registry and the remediations' declared permissions, the
engine's own permissions and settings. A role that lacks an action its code calls, or grants one
nothing calls, fails here; so does a committed template older than the registry.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy import functions, routing, template_gen
from deploy.iam import HOME, MEMBER, RUNTIME_PERMISSIONS, engine_actions, granted_actions
from deploy.permissions import ENGINE_PERMISSIONS
from engine import settings
from engine.parse import IMPORTED
from engine.settings import Settings
from localaws.event_patterns import matches
from localaws.sam_routes import function_environment, rule_routes, transformed_template
from rules.registry import load_registry

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = functions.families(load_registry().rules)
FAMILY_IDS = [family.name for family in FAMILIES]
RESOURCES: dict[str, Any] = transformed_template()["Resources"]
MEMBER_TEMPLATE: dict[str, Any] = yaml.safe_load(
    (ROOT / "deploy" / "member-role.yaml").read_text(encoding="utf-8")
)
NAMESPACE = Settings().metrics_namespace
ENGINE_ACTIONS = {action for actions in ENGINE_PERMISSIONS.values() for action in actions}


def by_family(name: str) -> functions.Family:
    return next(family for family in FAMILIES if family.name == name)


def policy_statements(role_id: str, template: dict[str, Any] = RESOURCES) -> list[dict[str, Any]]:
    return [
        s
        for policy in template[role_id]["Properties"]["Policies"]
        for s in policy["PolicyDocument"]["Statement"]
    ]


def statement_for(role_id: str, action: str) -> dict[str, Any]:
    (statement,) = [s for s in policy_statements(role_id) if action in s["Action"]]
    return statement


def test_committed_templates_are_generated_from_the_current_registry() -> None:
    stale = [str(path.relative_to(ROOT)) for path in template_gen.stale_files()]
    assert not stale, f"{stale} differ from what the registry and code generate: run `make template`"


def test_one_function_per_family_each_answering_for_its_own() -> None:
    serverless = {
        k
        for k, v in RESOURCES.items()
        if v["Type"] == "AWS::Lambda::Function" and k != "ActionTargetFunction"
    }
    assert serverless == {family.function_id for family in FAMILIES}
    assert {function_environment(f.function_id)[settings.ENV_FAMILIES] for f in FAMILIES} == set(FAMILY_IDS)
    reporters = [
        f.function_id
        for f in FAMILIES
        if function_environment(f.function_id)[settings.ENV_REPORT_UNMATCHED] == "true"
    ]
    assert len(reporters) == 1, f"exactly one function answers for unmatched findings, not {reporters}"
    others = {function_environment(f.function_id)[settings.ENV_REPORT_UNMATCHED] for f in FAMILIES} - {"true"}
    assert others == {"false"}


@pytest.mark.parametrize("family", FAMILY_IDS)
def test_every_setting_the_engine_reads_is_set(family: str) -> None:
    engine_variables = {value for name, value in vars(settings).items() if name.startswith("ENV_")}
    environment = function_environment(by_family(family).function_id)
    assert engine_variables <= set(environment), (
        "add the variable to deploy/functions.py, then `make template`"
    )
    unknown = (
        set(environment)
        - engine_variables
        - {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL"}
    )
    assert not unknown, f"{unknown} are set but the engine reads no such variable"
    assert environment["HOME_ACCOUNT_ID"] == "123456789012"
    assert environment["MEMBER_ROLE_NAME"] == f"SecHubRemediatorMember-{family}"
    assert environment["POWERTOOLS_METRICS_NAMESPACE"] == NAMESPACE == "SecHubRemediator"


@pytest.mark.parametrize("family", FAMILY_IDS)
def test_function_runtime_packaging_and_failure_handling(family: str) -> None:
    function_id = by_family(family).function_id
    source = yaml.safe_load((ROOT / "template.yaml").read_text(encoding="utf-8"))
    sam_function = source["Resources"][function_id]
    assert sam_function["Metadata"]["BuildMethod"] == "makefile"
    assert sam_function["Properties"]["CodeUri"] not in (".", "./", ""), "never package the repository root"
    properties = RESOURCES[function_id]["Properties"]
    assert (properties["Runtime"], properties["Architectures"]) == ("python3.13", ["arm64"])
    assert properties["Handler"] == "engine.handler.lambda_handler"
    assert properties["TracingConfig"] == {"Mode": {"Ref": "Tracing"}}  # X-Ray only when the stack says so
    assert any("AWSLambdaPowertoolsPythonV3-python313-arm64" in str(layer) for layer in properties["Layers"])
    invoke_config = RESOURCES[f"{function_id}EventInvokeConfig"]["Properties"]
    assert invoke_config["MaximumRetryAttempts"] <= 2
    assert invoke_config["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["InvocationDeadLetterQueue", "Arn"]
    }


@pytest.mark.parametrize("family", FAMILY_IDS)
def test_every_function_reserves_concurrency_and_keeps_events_for_the_burst(family: str) -> None:
    """The controls bench/burst models: reserved concurrency from the stack parameter, 6 h, 2 retries."""
    function_id = by_family(family).function_id
    properties = RESOURCES[function_id]["Properties"]
    assert properties["ReservedConcurrentExecutions"] == {
        "Fn::If": ["ReserveConcurrency", {"Ref": "ReservedConcurrency"}, {"Ref": "AWS::NoValue"}]
    }
    invoke_config = RESOURCES[f"{function_id}EventInvokeConfig"]["Properties"]
    assert invoke_config["MaximumEventAgeInSeconds"] == 21600, (
        "the burst drains in hours: keep Lambda's maximum"
    )
    assert invoke_config["MaximumRetryAttempts"] == 2


def test_reserved_concurrency_is_a_parameter_that_leaves_the_account_pool_room() -> None:
    template = transformed_template()
    parameter = template["Parameters"]["ReservedConcurrency"]
    assert (parameter["Type"], parameter["MinValue"]) == ("Number", 0)
    # Lambda refuses a reservation that leaves fewer than 100 unreserved of the default 1,000.
    assert parameter["Default"] >= 1 and parameter["Default"] * len(FAMILIES) <= 1000 - 100
    assert template["Conditions"]["ReserveConcurrency"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "ReservedConcurrency"}, "0"]}]
    }, "0 must mean no reservation: a reservation of 0 would stop the functions"


def test_every_eventbridge_target_retries_then_dead_letters() -> None:
    rules = [(rule_id, r) for rule_id, r in RESOURCES.items() if r["Type"] == "AWS::Events::Rule"]
    assert rules
    for rule_id, rule in rules:
        (target,) = rule["Properties"]["Targets"]
        assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["EventDeadLetterQueue", "Arn"]}}, rule_id
        assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1, rule_id
    (allow,) = [
        s
        for s in RESOURCES["EventDeadLetterQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Allow"
    ]
    sources = allow["Condition"]["ArnEquals"]["aws:SourceArn"]
    assert sorted(arn["Fn::GetAtt"][0] for arn in sources) == sorted(rule_id for rule_id, _ in rules)


def test_every_pattern_fits_the_eventbridge_quota() -> None:
    for route in rule_routes():
        assert routing.pattern_size(route.pattern) <= routing.PATTERN_LIMIT, route.rule_id


# --- least privilege -------------------------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILY_IDS)
def test_function_role_grants_exactly_what_its_code_calls(family: str) -> None:
    role_id = by_family(family).role_id
    granted = granted_actions({"Statement": policy_statements(role_id)})
    remediations = {a for rule in load_registry().rules if rule.family == family for a in rule.permissions}
    expected = remediations | ENGINE_ACTIONS | set(RUNTIME_PERMISSIONS)
    assert not expected - granted, f"{role_id} lacks {sorted(expected - granted)}: run `make template`"
    assert not granted - expected, f"{role_id} grants {sorted(granted - expected)} that nothing calls"
    assert not [a for a in granted if "*" in a], "no wildcard actions"
    other_families = {a for rule in load_registry().rules if rule.family != family for a in rule.permissions}
    assert not (other_families - remediations - ENGINE_ACTIONS) & granted, "another family's actions"


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


@pytest.mark.parametrize("family", FAMILY_IDS)
def test_member_role_grants_exactly_the_family_and_trusts_only_its_function(family: str) -> None:
    fam = by_family(family)
    role = MEMBER_TEMPLATE["Resources"][f"{fam.key}MemberRole"]["Properties"]
    assert role["RoleName"] == {"Fn::Sub": f"${{MemberRoleName}}-{family}"}
    granted = granted_actions(role["Policies"][0]["PolicyDocument"])
    assert granted == set(fam.remediation_actions) | set(engine_actions(MEMBER))
    assert not granted & set(engine_actions(HOME)), "stack-side calls never happen in a member account"
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AdminAccountId}:root"}}
    principal = trust["Condition"]["ArnLike"]["aws:PrincipalArn"]["Fn::Sub"]
    assert (
        principal == f"arn:${{AWS::Partition}}:iam::${{AdminAccountId}}:role/${{EngineRolePrefix}}-{family}-*"
    )
    engine_role = "${EngineRolePrefix}-" + family + "-${AWS::Region}"
    assert RESOURCES[fam.role_id]["Properties"]["RoleName"]["Fn::Sub"] == engine_role
    assert set(MEMBER_TEMPLATE["Resources"]) == {f"{f.key}MemberRole" for f in FAMILIES}


# --- state, encryption, alarms, parameters ---------------------------------------------------------


def test_state_table() -> None:
    table = RESOURCES["StateTable"]["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert {(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]} == {
        ("pk", "HASH"),
        ("sk", "RANGE"),
    }
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["SSESpecification"]["SSEEnabled"] is True


def test_queues_and_topic_are_encrypted() -> None:
    queues = [r["Properties"] for r in RESOURCES.values() if r["Type"] == "AWS::SQS::Queue"]
    assert len(queues) == 2 and all(q["SqsManagedSseEnabled"] is True for q in queues)
    assert RESOURCES["NotificationTopic"]["Properties"]["KmsMasterKeyId"] == {
        "Fn::GetAtt": ["NotificationKey", "Arn"]
    }
    key_policy = RESOURCES["NotificationKey"]["Properties"]["KeyPolicy"]["Statement"]
    assert any(s["Principal"] == {"Service": "cloudwatch.amazonaws.com"} for s in key_policy), (
        "alarms publish"
    )
    subscription = RESOURCES["NotificationEmailSubscription"]
    assert subscription["Condition"] == "HasNotificationEmail"


def test_member_config_events_are_admitted_only_from_the_organization() -> None:
    policy = RESOURCES["MemberConfigEventsPolicy"]
    assert policy["Condition"] == "HasOrganization"
    statement = policy["Properties"]["Statement"]
    assert statement["Action"] == "events:PutEvents" and statement["Principal"] == "*"
    assert statement["Condition"]["StringEquals"] == {"aws:PrincipalOrgID": {"Ref": "OrganizationId"}}
    assert statement["Condition"]["ForAllValues:StringEquals"]["events:source"] == ["aws.config"]


def test_alarms_on_dead_letters_function_errors_and_failed_outcomes() -> None:
    alarms = {k: v["Properties"] for k, v in RESOURCES.items() if v["Type"] == "AWS::CloudWatch::Alarm"}
    for queue in ("EventDeadLetterQueue", "InvocationDeadLetterQueue"):
        assert any(
            a.get("Dimensions", [{}])[0].get("Value") == {"Fn::GetAtt": [queue, "QueueName"]}
            for a in alarms.values()
        )
    for family in FAMILIES:
        assert any(
            a.get("Dimensions", [{}])[0].get("Value") == {"Ref": family.function_id} for a in alarms.values()
        )
    (query,) = [m["Expression"] for a in alarms.values() for m in a.get("Metrics", [])]
    assert re.fullmatch(rf"SELECT SUM\(Findings\) FROM {NAMESPACE} WHERE Outcome = 'failed'", query)
    assert all(a["AlarmActions"] == [{"Ref": "NotificationTopic"}] for a in alarms.values())


def test_parameters_have_safe_defaults_and_are_documented() -> None:
    parameters = transformed_template()["Parameters"]
    readme = (ROOT / "deploy" / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(\w+)` \|", readme, re.MULTILINE))
    assert documented == set(parameters), "deploy/README.md's parameter table must list exactly these"
    assert all("Default" in p for p in parameters.values()), "sam deploy --guided asks only to confirm"
    assert (
        parameters["DryRun"]["Default"] == "false" and parameters["AutomaticRemediation"]["Default"] == "true"
    )


# --- the registry drives the stack -----------------------------------------------------------------


def test_a_new_rule_and_family_change_routing_and_iam_without_hand_edits() -> None:
    from dataclasses import replace

    from remediations import CATALOG
    from remediations.base import Permissions
    from rules.registry import build_registry

    base = CATALOG["s3.enable-default-encryption"]
    catalog = {
        **CATALOG,
        "kinesis.encrypt-stream": replace(
            base,
            name="kinesis.encrypt-stream",
            permissions=Permissions(
                read=("kinesis:DescribeStream",), write=("kinesis:StartStreamEncryption",)
            ),
        ),
    }
    document = json.loads((ROOT / "rules" / "registry.json").read_text(encoding="utf-8"))
    document["rules"].append(
        {
            "id": "kinesis-encryption",
            "control": "Kinesis.1",
            "config_rules": ["kinesis-stream-encrypted"],
            "remediation": "kinesis.encrypt-stream",
            "mode": "automatic",
            "parameters": {"algorithm": "AES256"},
        }
    )
    registry = build_registry(document, catalog)
    template = template_gen.admin_template(registry)
    function = template["Resources"]["KinesisRemediationFunction"]["Properties"]
    assert function["Environment"]["Variables"]["REMEDIATION_FAMILIES"] == "kinesis"
    imported = function["Events"]["Imported"]["Properties"]["Pattern"]
    finding = {
        "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/securityhub",
        "CompanyName": "AWS",
        "Compliance": {"Status": "FAILED", "SecurityControlId": "Kinesis.1"},
        "RecordState": "ACTIVE",
        "Workflow": {"Status": "NEW"},
    }
    assert matches(
        imported,
        {"source": "aws.securityhub", "detail-type": IMPORTED, "detail": {"findings": [finding]}},
    )
    granted = granted_actions(
        {"Statement": policy_statements("KinesisRemediationRole", template["Resources"])}
    )
    assert "kinesis:StartStreamEncryption" in granted
    member = template_gen.member_role_template(registry)["Resources"]["KinesisMemberRole"]["Properties"]
    assert "kinesis:StartStreamEncryption" in granted_actions(member["Policies"][0]["PolicyDocument"])
