"""The trust rules for AWS Security Hub's OCSF findings: only Security Hub's own control findings,
and only resources in the finding's account and Region (`cloud.account.uid`, `cloud.region`)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from engine.decide import Decision, Skip, decide
from engine.parse import parse_event
from engine.settings import Settings
from engine.trust import foreign_producer
from localaws.events import findings_of, load_event
from model.finding import Finding
from rules.registry import Rule, load_registry

OCSF_EVENT = "securityhub-imported-v2-s3.17-consolidated.json"
REGISTRY = load_registry()


def bound_rule(finding: Finding) -> Rule | None:
    """The finding's rule (the whole catalog is loaded here, so every rule is bound)."""
    rule = REGISTRY.match(finding.lookup_keys)
    assert rule is None or isinstance(rule, Rule)
    return rule


def ocsf_event(**changes: Any) -> dict[str, Any]:
    event = copy.deepcopy(load_event(OCSF_EVENT))
    findings_of(event)[0].update(changes)
    return event


@pytest.mark.parametrize(
    ("product", "vendor", "trusted"),
    [
        ("arn:aws:securityhub:us-east-1::productv2/aws/securityhub", "AWS", True),
        ("arn:aws-us-gov:securityhub:us-gov-west-1::productv2/aws/securityhub", None, True),
        ("arn:aws:securityhub:us-east-1::productv2/aws/securityhub-coverage", "AWS", False),
        ("arn:aws:securityhub:us-east-1::productv2/aws/guardduty", "AWS", False),
        ("arn:aws:securityhub:us-east-1::product/aws/securityhub", "AWS", False),  # the ASFF product
        ("arn:aws:securityhub:us-east-1::productv2/aws/securityhub", "Example Security", False),
    ],
)
def test_only_security_hubs_productv2_is_trusted(product: str, vendor: str | None, trusted: bool) -> None:
    (finding,) = parse_event(load_event(OCSF_EVENT)).findings
    finding = finding._replace(product_arn=product, company_name=vendor)
    assert (foreign_producer(finding) == "") is trusted


@pytest.mark.parametrize(
    ("uid_alt", "reason"),
    [
        ("arn:aws:sqs:us-east-1:999999999999:queue", "UnsupportedResource"),  # not a bucket at all
        ("arn:aws:s3:::example-unencrypted-bucket", ""),
    ],
)
def test_the_resource_must_be_the_kind_the_rule_fixes(uid_alt: str, reason: str) -> None:
    event = load_event(OCSF_EVENT)
    resource = findings_of(event)[0]["resources"][0]
    resource["uid_alt"] = uid_alt
    if reason:
        resource["type"] = "AWS::SQS::Queue"
    (finding,) = parse_event(event).findings
    decision = decide(finding, bound_rule(finding), Settings())
    assert (decision.error_code if isinstance(decision, Skip) else "") == reason


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:ec2:us-east-1:999999999999:security-group/sg-0123456789abcdef0",  # another account
        "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef0",  # another Region
    ],
)
def test_a_resource_outside_the_findings_account_or_region_is_refused(arn: str) -> None:
    event = load_event(OCSF_EVENT)
    finding_json = findings_of(event)[0]
    finding_json["compliance"]["control"] = "EC2.13"
    finding_json["finding_info"].pop("analytic")
    finding_json["resources"] = [
        {"type": "AWS::EC2::SecurityGroup", "uid": "sg-0123456789abcdef0", "uid_alt": arn}
    ]
    (finding,) = parse_event(event).findings
    decision = decide(finding, bound_rule(finding), Settings())
    assert isinstance(decision, Skip) and decision.error_code == "ForeignResource", decision


@pytest.mark.parametrize(
    ("status_id", "acts"), [(1, True), (2, True), (0, False), (3, False), (4, False), (5, False), (99, False)]
)
def test_only_new_or_in_progress_findings_are_acted_on(status_id: int, acts: bool) -> None:
    (finding,) = parse_event(ocsf_event(status_id=status_id)).findings
    decision = decide(finding, bound_rule(finding), Settings())
    assert isinstance(decision, Decision) is acts, decision


@pytest.mark.parametrize(("status_id", "acts"), [(3, True), (1, False), (2, False), (0, False)])
def test_only_failed_compliance_is_acted_on(status_id: int, acts: bool) -> None:
    event = load_event(OCSF_EVENT)
    findings_of(event)[0]["compliance"]["status_id"] = status_id
    (finding,) = parse_event(event).findings
    decision = decide(finding, bound_rule(finding), Settings())
    assert isinstance(decision, Decision) is acts, decision
