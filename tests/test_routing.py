"""Events reach exactly the function that should handle them, through template.yaml's own patterns.

The deployed routing is read from the transformed template (localaws/sam_routes.py) and
matched with the EventBridge matcher; what *should* happen is decided independently, the way the
engine decides it: the rule the engine's own lookup keys select (engine/identifiers.py), and
whether that rule acts on automatic input. Every sample event in events/ is checked, and every
identifier of every rule in the registry, in each form Security Hub or Config names it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import pytest
import yaml

from deploy.functions import families
from deploy.routing import routed_rules
from engine.identifiers import config_rule_keys, finding_keys, ocsf_finding_keys
from engine.parse import CONFIG_CHANGE, CUSTOM_ACTION, IMPORTED, IMPORTED_V2
from engine.trust import SECURITY_HUB_PRODUCT, SECURITY_HUB_PRODUCT_V2
from localaws.event_patterns import matches
from localaws.events import event_names, findings_of, load_event
from localaws.sam_routes import DEFAULT_ACCOUNT, DEFAULT_REGION, functions_for, rule_routes
from model.workflow import ACTIONABLE_OCSF_STATUS_IDS, ACTIONABLE_WORKFLOW
from rules.registry import Registry, Rule, UnloadedRule, load_registry

REGISTRY: Registry = load_registry()
FUNCTION_OF_FAMILY = {family.name: family.function_id for family in families(REGISTRY.rules)}
ALL_FUNCTIONS = sorted(FUNCTION_OF_FAMILY.values())
#: The sample events' action target (events/*custom-action*.json), for the default ActionTargetId.
FIXTURE_ACTION_TARGET = "arn:aws:securityhub:us-east-1:123456789012:action/custom/Remediate"
#: Both custom actions of the stack (ActionTargetId, ApproveActionTargetId defaults) reach every function.
FIXTURE_ACTION_TARGETS = {
    FIXTURE_ACTION_TARGET,
    FIXTURE_ACTION_TARGET.replace("Remediate", "ApproveRemediation"),
}
ROUTED = {rule.id for rule in routed_rules(REGISTRY.rules)}


def should_handle(event: Mapping[str, Any]) -> list[str]:
    """The functions that should receive `event`, decided from the registry as the engine would."""
    detail = event.get("detail") if isinstance(event.get("detail"), Mapping) else {}
    assert isinstance(detail, Mapping)
    if event.get("detail-type") == CUSTOM_ACTION:
        return ALL_FUNCTIONS if FIXTURE_ACTION_TARGETS & set(event.get("resources", [])) else []
    rules: list[Rule | UnloadedRule | None] = []
    if event.get("detail-type") == IMPORTED:
        findings = detail.get("findings")
        # EventBridge reads an object where a list is expected as a list of one: so does this.
        for finding in [findings] if isinstance(findings, Mapping) else findings_of(event):
            if _actionable(finding):
                rules.append(REGISTRY.match(finding_keys(finding)))
    if event.get("detail-type") == IMPORTED_V2:
        for finding in findings_of(event):
            if _actionable_ocsf(finding):
                rules.append(REGISTRY.match(ocsf_finding_keys(finding)))
    if event.get("detail-type") == CONFIG_CHANGE and _non_compliant(detail):
        rules.append(REGISTRY.match(config_rule_keys(str(detail.get("configRuleName", "")))))
    return sorted({FUNCTION_OF_FAMILY[rule.family] for rule in rules if rule and rule.id in ROUTED})


def _actionable(finding: Mapping[str, Any]) -> bool:
    return (
        bool(SECURITY_HUB_PRODUCT.match(str(finding.get("ProductArn", ""))))
        and finding.get("CompanyName") == "AWS"
        and (finding.get("Compliance") or {}).get("Status") == "FAILED"
        and finding.get("RecordState") == "ACTIVE"
        and (finding.get("Workflow") or {}).get("Status") in ACTIONABLE_WORKFLOW
    )


def _actionable_ocsf(finding: Mapping[str, Any]) -> bool:
    """As the ASFF oracle: Security Hub's own Compliance Finding, Fail, New or In Progress, by control."""
    product = (finding.get("metadata") or {}).get("product") or {}
    compliance = finding.get("compliance") or {}
    return (
        finding.get("class_uid") == 2003
        and bool(SECURITY_HUB_PRODUCT_V2.match(str(product.get("uid", ""))))
        and compliance.get("status") == "Fail"
        and bool(compliance.get("control"))
        and finding.get("status_id") in ACTIONABLE_OCSF_STATUS_IDS
    )


def _non_compliant(detail: Mapping[str, Any]) -> bool:
    return (
        detail.get("messageType") == "ComplianceChangeNotification"
        and (detail.get("newEvaluationResult") or {}).get("complianceType") == "NON_COMPLIANT"
    )


@pytest.mark.parametrize("name", event_names())
def test_every_sample_event_reaches_exactly_its_function(name: str) -> None:
    event = load_event(name)
    assert sorted(functions_for(event)) == should_handle(event)


#: Pinned outcomes for the kinds of fixture, so the oracle above cannot drift with the routing.
#: Invalid events: whatever EventBridge can match is delivered; the function then reports it:
#: a finding without Id reaches its family's function (the pattern sees Compliance, Workflow…),
#: `findings` as an object instead of a list is matched like a one-element list and the engine
#: rejects the envelope there; no detail, or an unknown detail-type, match nothing.
PINNED = {
    "securityhub-imported-s3.17-consolidated.json": ["S3RemediationFunction"],
    "securityhub-imported-iam.15-cis-1.2.0-legacy.json": ["IamRemediationFunction"],
    "securityhub-imported-ec2.19-afsbp-legacy.json": ["Ec2RemediationFunction"],
    "securityhub-imported-s3.4-cis-1.4.0-legacy.json": ["S3RemediationFunction"],
    "config-restricted-ssh-securityhub-rule.json": ["Ec2RemediationFunction"],
    "config-iam-password-policy-conformance-pack.json": ["IamRemediationFunction"],
    "config-s3-bucket-server-side-encryption-enabled-managed.json": ["S3RemediationFunction"],
    "securityhub-custom-action-mixed.json": ALL_FUNCTIONS,
    "invalid-custom-action-finding-without-resources.json": ALL_FUNCTIONS,
    "securityhub-imported-ec2.13-passed.json": [],
    "securityhub-imported-ec2.13-suppressed.json": [],
    "securityhub-imported-ec2.13-archived.json": [],
    "securityhub-imported-macie.1-no-rule.json": [],
    "config-restricted-ssh-compliant.json": [],
    "securityhub-imported-v2-s3.17-consolidated.json": ["S3RemediationFunction"],
    "securityhub-imported-v2-iam.7-member-eu-west-1.json": ["IamRemediationFunction"],
    "securityhub-imported-v2-iam.15-cis-1.2.0-per-standard.json": ["IamRemediationFunction"],
    "securityhub-imported-v2-s3.17-passed.json": [],
    "securityhub-imported-v2-s3.17-suppressed.json": [],
    "securityhub-imported-v2-macie.1-no-rule.json": [],
    "invalid-imported-v2-finding-without-resources.json": ["S3RemediationFunction"],
    "forged-securityhub-imported-v2-s3.17-coverage-product.json": [],  # another product never routes
    "invalid-imported-finding-without-id.json": ["IamRemediationFunction"],
    "invalid-findings-not-a-list.json": ["IamRemediationFunction"],
    "invalid-missing-detail.json": [],
    "invalid-unknown-detail-type.json": [],
    "forged-securityhub-imported-ec2.2-member-product.json": [],  # never invokes a function
    "forged-config-restricted-ssh-custom-rule.json": ["Ec2RemediationFunction"],  # the engine checks the rule
}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_pinned_fixture_routes(name: str) -> None:
    assert sorted(functions_for(load_event(name))) == PINNED[name]


def test_custom_action_rule_matches_the_template_arn_for_that_account_and_region() -> None:
    event = load_event("securityhub-custom-action-single.json")
    assert event["resources"] == [FIXTURE_ACTION_TARGET]
    assert sorted(functions_for(event, account=DEFAULT_ACCOUNT, region=DEFAULT_REGION)) == ALL_FUNCTIONS
    assert functions_for(event, account="210987654321") == [], "another account's action target"
    assert functions_for(event, region="eu-west-1") == [], "another Region's action target"
    assert functions_for(event, parameters={"ActionTargetId": "RemediateDev"}) == []
    renamed = {**event, "resources": [FIXTURE_ACTION_TARGET.replace("Remediate", "RemediateDev")]}
    assert sorted(functions_for(renamed, parameters={"ActionTargetId": "RemediateDev"})) == ALL_FUNCTIONS


def test_automatic_off_leaves_only_the_custom_action() -> None:
    off = {"AutomaticRemediation": "false"}
    assert functions_for(load_event("securityhub-imported-s3.17-consolidated.json"), parameters=off) == []
    assert functions_for(load_event("config-restricted-ssh-securityhub-rule.json"), parameters=off) == []
    assert (
        sorted(functions_for(load_event("securityhub-custom-action-mixed.json"), parameters=off))
        == ALL_FUNCTIONS
    )


# --- every identifier of every rule, in each form it arrives in -------------------------------------


def _consolidated(control: str) -> dict[str, Any]:
    event = load_event("securityhub-imported-s3.17-consolidated.json")
    finding = findings_of(event)[0]
    finding_id = (
        f"arn:aws:securityhub:us-east-1:123456789012:security-control/{control}/finding/0-synthesized"
    )
    finding.update(Id=finding_id, GeneratorId=f"security-control/{control}", ProductFields={})
    finding["Compliance"]["SecurityControlId"] = control
    event["resources"] = [f"{finding['ProductArn']}/{finding_id}"]
    return event


def _legacy(standard: str, control: str) -> dict[str, Any]:
    """A finding from before consolidated control findings: per-standard id, no SecurityControlId."""
    event = load_event("securityhub-imported-s3.4-cis-1.4.0-legacy.json")
    finding = findings_of(event)[0]
    subscription = f"arn:aws:securityhub:us-east-1:123456789012:subscription/{standard}"
    finding["Id"] = f"{subscription}/{control}/finding/0-synthesized"
    finding["Compliance"].pop("SecurityControlId", None)
    if standard == "cis-aws-foundations-benchmark/v/1.2.0":  # asff.md §2: ARN GeneratorId, RuleId
        finding["GeneratorId"] = f"arn:aws:securityhub:::ruleset/{standard}/rule/{control}"
        finding["ProductFields"] = {
            "StandardsGuideArn": f"arn:aws:securityhub:::ruleset/{standard}",
            "RuleId": control,
        }
    else:
        finding["GeneratorId"] = f"{standard}/{control}"
        finding["ProductFields"] = {
            "StandardsArn": f"arn:aws:securityhub:::standards/{standard}",
            "ControlId": control,
        }
    return event


def _ocsf(control: str) -> dict[str, Any]:
    """The same failure as AWS Security Hub's OCSF Compliance Finding."""
    event = load_event("securityhub-imported-v2-s3.17-consolidated.json")
    finding = findings_of(event)[0]
    finding["finding_info"]["uid"] = (
        f"arn:aws:securityhub:us-east-1:123456789012:security-control/{control}/finding/0-synthesized"
    )
    finding["finding_info"].pop("analytic")
    finding["compliance"]["control"] = control
    return event


def _config(rule_name: str) -> dict[str, Any]:
    event = load_event("config-restricted-ssh-securityhub-rule.json")
    event["detail"]["configRuleName"] = rule_name
    event["detail"]["newEvaluationResult"]["evaluationResultIdentifier"]["evaluationResultQualifier"][
        "configRuleName"
    ] = rule_name
    return event


def _identifier_events(rule: Rule) -> Iterator[tuple[str, dict[str, Any]]]:
    if rule.control:
        yield f"{rule.control} consolidated", _consolidated(rule.control)
        yield (
            f"{rule.control} AFSBP without SecurityControlId",
            _legacy("aws-foundational-security-best-practices/v/1.0.0", rule.control),
        )
        yield f"{rule.control} OCSF", _ocsf(rule.control)
    for entry in rule.standard_controls:
        standard, _, control = entry.rpartition("/")
        yield f"{entry} without SecurityControlId", _legacy(standard, control)
    for name in rule.config_rules:
        yield f"Config {name}", _config(name)
        yield f"Config securityhub-{name}-1a2b3c4d", _config(f"securityhub-{name}-1a2b3c4d")
        yield f"Config {name}-conformance-pack-x7k2m9p4q", _config(f"{name}-conformance-pack-x7k2m9p4q")


IDENTIFIER_CASES = [
    pytest.param(rule, event, id=f"{rule.id}: {label}")
    for rule in REGISTRY.rules
    for label, event in _identifier_events(rule)
]


def identifier_case_events() -> list[dict[str, Any]]:
    return [cast("dict[str, Any]", list(case.values)[1]) for case in IDENTIFIER_CASES]


@pytest.mark.parametrize(("rule", "event"), IDENTIFIER_CASES)
def test_every_registry_identifier_routes_to_its_family_only(rule: Rule, event: dict[str, Any]) -> None:
    finding = findings_of(event)[0] if findings_of(event) else None
    keys = (
        (ocsf_finding_keys if event["detail-type"] == IMPORTED_V2 else finding_keys)(finding)
        if finding
        else config_rule_keys(event["detail"]["configRuleName"])
    )
    assert REGISTRY.match(keys) == rule, "the synthesized event must select this rule in the engine"
    expected = [FUNCTION_OF_FAMILY[rule.family]] if rule.id in ROUTED else []
    assert functions_for(event) == expected


@pytest.mark.parametrize(("rule", "event"), IDENTIFIER_CASES[:1] + IDENTIFIER_CASES[-1:])
def test_passing_or_compliant_forms_route_nowhere(rule: Rule, event: dict[str, Any]) -> None:
    passed = copy.deepcopy(event)
    if findings_of(passed):
        findings_of(passed)[0]["Compliance"]["Status"] = "PASSED"
    else:
        passed["detail"]["newEvaluationResult"]["complianceType"] = "COMPLIANT"
    assert functions_for(passed) == []


def test_every_function_has_rules_and_every_rule_a_function() -> None:
    targets = {route.function_id for route in rule_routes()}
    assert targets == set(ALL_FUNCTIONS)


MEMBER_EVENTS_TEMPLATE = Path(__file__).resolve().parents[1] / "deploy" / "member-config-events.yaml"


def test_member_accounts_forward_every_config_change_the_engine_routes() -> None:
    """A member's Config events stay on its own bus unless forwarded: every form the engine routes is."""
    resources = yaml.safe_load(MEMBER_EVENTS_TEMPLATE.read_text(encoding="utf-8"))["Resources"]
    rules = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Events::Rule"]
    config_cases = [event for event in identifier_case_events() if not findings_of(event)]
    assert config_cases
    for event in config_cases:
        member_event = {**event, "account": "222222222222"}
        forwarded = any(matches(rule["EventPattern"], member_event) for rule in rules)
        assert forwarded == bool(functions_for(member_event)), member_event["detail"]["configRuleName"]
    compliant = copy.deepcopy(config_cases[0])
    compliant["detail"]["newEvaluationResult"]["complianceType"] = "COMPLIANT"
    assert not any(matches(rule["EventPattern"], compliant) for rule in rules)
    admin_bus = {"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AdminAccountId}:event-bus/default"}
    assert all(rule["Targets"][0]["Arn"] == admin_bus for rule in rules)
    (statement,) = resources["ForwardRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert (statement["Action"], statement["Resource"]) == ("events:PutEvents", admin_bus)


ASFF_CASES = [
    case
    for case, event in zip(IDENTIFIER_CASES, identifier_case_events(), strict=True)
    if event["detail-type"] == IMPORTED
]
OCSF_CASES = [
    case
    for case, event in zip(IDENTIFIER_CASES, identifier_case_events(), strict=True)
    if event["detail-type"] == IMPORTED_V2
]


@pytest.mark.parametrize(("rule", "event"), ASFF_CASES[:12])
@pytest.mark.parametrize(
    ("product", "company"),
    [
        ("arn:aws:securityhub:us-east-1:222222222222:product/222222222222/default", "AWS"),
        ("arn:aws:securityhub:us-east-1::product/aws/securityhub", "Example Security"),
        ("arn:aws:securityhub:us-east-1::product/example/securityhub", "AWS"),
    ],
)
def test_a_finding_not_from_security_hub_routes_nowhere(
    rule: Rule, event: dict[str, Any], product: str, company: str
) -> None:
    forged = copy.deepcopy(event)
    findings_of(forged)[0].update(ProductArn=product, CompanyName=company)
    assert functions_for(forged) == []


@pytest.mark.parametrize(("rule", "event"), OCSF_CASES[:6])
@pytest.mark.parametrize(
    "product",
    [
        "arn:aws:securityhub:us-east-1::productv2/aws/securityhub-coverage",
        "arn:aws:securityhub:us-east-1::productv2/aws/guardduty",
        "arn:aws:securityhub:us-east-1::product/aws/securityhub",  # the ASFF product in an OCSF finding
    ],
)
def test_an_ocsf_finding_not_from_security_hub_routes_nowhere(
    rule: Rule, event: dict[str, Any], product: str
) -> None:
    forged = copy.deepcopy(event)
    findings_of(forged)[0]["metadata"]["product"]["uid"] = product
    assert functions_for(forged) == []


@pytest.mark.parametrize(("rule", "event"), OCSF_CASES[:3])
@pytest.mark.parametrize(
    ("field", "value"), [("status_id", 3), ("status_id", 4), ("status_id", 5), ("class_uid", 2004)]
)
def test_ocsf_findings_not_new_or_in_progress_route_nowhere(
    rule: Rule, event: dict[str, Any], field: str, value: int
) -> None:
    changed = copy.deepcopy(event)
    findings_of(changed)[0][field] = value
    assert functions_for(changed) == []
