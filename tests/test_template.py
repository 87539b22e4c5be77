"""template.yaml is what the code says it must be (its roles: tests/test_template_iam.py).

The template is read as deployed (after the SAM transform, localaws/sam_routes.py), and
compared with the sources of truth: the registry (functions, routing) and the engine's settings.
A committed template older than the registry fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy import functions, routing, template_gen
from deploy.iam import granted_actions
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
NAMESPACE = Settings().metrics_namespace


def by_family(name: str) -> functions.Family:
    return next(family for family in FAMILIES if family.name == name)


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


def documented_parameters(section: str) -> set[str]:
    """Parameter names in the first column of the tables under deploy/README.md's `## <section>`."""
    readme = (ROOT / "deploy" / "README.md").read_text(encoding="utf-8")
    text = readme.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(\w+)` \|", text, re.MULTILINE))


def test_parameters_have_safe_defaults_and_are_documented() -> None:
    parameters = transformed_template()["Parameters"]
    assert documented_parameters("Deploy") == set(parameters), "deploy/README.md's table must list these"
    assert all("Default" in p for p in parameters.values()), "sam deploy --guided asks only to confirm"
    assert (
        parameters["DryRun"]["Default"] == "false" and parameters["AutomaticRemediation"]["Default"] == "true"
    )


def test_member_parameters_are_documented() -> None:
    member = template_gen.member_role_template()["Parameters"]
    assert documented_parameters("Member accounts") == set(member), "deploy/README.md's member table"


# --- the registry drives the stack -----------------------------------------------------------------


def test_a_new_rule_and_family_change_routing_and_iam_without_hand_edits() -> None:

    from remediations import catalog
    from remediations.base import Permissions
    from rules.registry import build_registry

    base = catalog()["s3.enable-default-encryption"]
    with_kinesis = {
        **catalog(),
        "kinesis.encrypt-stream": base._replace(
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
    registry = build_registry(document, with_kinesis)
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
    role = template["Resources"]["KinesisRemediationRole"]["Properties"]
    granted = granted_actions(role["Policies"][0]["PolicyDocument"])
    assert "kinesis:StartStreamEncryption" in granted
    member = template_gen.member_role_template(registry)["Resources"]["KinesisMemberRole"]["Properties"]
    assert "kinesis:StartStreamEncryption" in granted_actions(member["Policies"][0]["PolicyDocument"])
