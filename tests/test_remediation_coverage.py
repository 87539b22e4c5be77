"""Every id a rule lists resolves to that rule, in every shape AWS gives it: derived from the registry.

For each rule of `rules/registry.json`, its security control id, per-standard ids
(`<standard>/v/<version>/<ControlId>`, CIS 1.2 by RuleId) and Config rule identifiers are each
turned into a finding the way AWS shapes it (consolidated, per-standard, Config with Security
Hub's or a conformance pack's decoration), run through `engine.identifiers`, and matched in the
real registry. Adding a rule adds its cases here with no edit.
"""

from __future__ import annotations

import inspect
import sys
from dataclasses import dataclass
from typing import Any

import pytest

from engine.identifiers import config_rule_keys, finding_keys
from remediations import catalog
from rules.keys import standard_key
from rules.registry import Rule, load_registry

CIS12 = "cis-aws-foundations-benchmark/v/1.2.0/"
CIS14 = "cis-aws-foundations-benchmark/v/1.4.0/"
CIS30 = "cis-aws-foundations-benchmark/v/3.0.0/"
CIS50 = "cis-aws-foundations-benchmark/v/5.0.0/"
PCI = "pci-dss/v/3.2.1/"
ENCRYPT_S3 = "s3.enable-default-encryption"
PASSWORD = "iam.strengthen-password-policy"
REVOKE = "ec2.revoke-public-ingress"
REGISTRY = load_registry()


@dataclass(frozen=True)
class Control:
    scid: str
    remediation: str
    standard_ids: tuple[str, ...] = ()
    config_rules: tuple[str, ...] = ()


CONTROLS = tuple(
    Control(rule.control, rule.remediation.name, rule.standard_controls, rule.config_rules)
    for rule in REGISTRY.rules
    if rule.control
)
BY_SCID = {control.scid: control for control in CONTROLS}
#: Requirement numbers two controls share (S3.1 and S3.8): a bare key would pick one blindly.
SHARED_REQUIREMENTS = (CIS14 + "2.1.5", CIS30 + "2.1.4", CIS50 + "2.1.4")
#: Config rule behind two controls (EC2.53 IPv4, EC2.54 IPv6), told apart only by ipType.
SHARED_CONFIG_RULE = "vpc-sg-port-restriction-check"

STANDARD_IDS = [(c.scid, sid) for c in CONTROLS for sid in c.standard_ids]
CONFIG_RULES = [(c.scid, name) for c in CONTROLS for name in c.config_rules]
CONFIG_ONLY = [(rule.id, name) for rule in REGISTRY.rules if not rule.control for name in rule.config_rules]
ACCOUNT, REGION = "123456789012", "us-east-1"
HUB = f"arn:aws:securityhub:{REGION}:{ACCOUNT}"


def resolve(keys: tuple[str, ...]) -> Rule:
    rule = REGISTRY.match(keys)
    assert isinstance(rule, Rule), f"no rule for {keys}"
    return rule


def assert_serves(rule: Rule, scid: str) -> None:
    assert rule.control == scid, f"{scid} resolved to rule {rule.id} ({rule.control})"
    assert rule.remediation.name == BY_SCID[scid].remediation
    assert rule.remediation is catalog()[rule.remediation.name]


def consolidated(scid: str) -> dict[str, Any]:
    return {
        "Id": f"{HUB}:security-control/{scid}/finding/0a1b",
        "GeneratorId": f"security-control/{scid}",
        "Compliance": {"Status": "FAILED", "SecurityControlId": scid},
        "ProductFields": {},
    }


def per_standard(standard_id: str, *, config_rule: str = "") -> dict[str, Any]:
    """A per-standard finding as it looked before Compliance.SecurityControlId existed."""
    standard, _, control = standard_id.rpartition("/")
    fields: dict[str, Any] = {}
    if standard_id.startswith(CIS12):
        generator = f"arn:aws:securityhub:::ruleset/{standard}/rule/{control}"
        fields |= {"StandardsGuideArn": f"arn:aws:securityhub:::ruleset/{standard}", "RuleId": control}
    else:
        generator = standard_id
        fields |= {"StandardsArn": f"arn:aws:securityhub:::standards/{standard}", "ControlId": control}
    if config_rule:
        fields["RelatedAWSResources:0/name"] = config_rule
    return {
        "Id": f"{HUB}:subscription/{standard_id}/finding/0a1b",
        "GeneratorId": generator,
        "Compliance": {"Status": "FAILED"},
        "ProductFields": fields,
    }


@pytest.mark.parametrize("scid", sorted(BY_SCID))
def test_security_control_id_resolves(scid: str) -> None:
    assert_serves(resolve(finding_keys(consolidated(scid))), scid)


@pytest.mark.parametrize("scid", sorted(BY_SCID))
def test_lower_case_consolidated_id_resolves(scid: str) -> None:
    finding = {"Id": f"{HUB}:security-control/{scid.lower()}/finding/0a1b", "ProductFields": {}}
    assert_serves(resolve(finding_keys(finding)), scid)


@pytest.mark.parametrize("scid", sorted(BY_SCID))
@pytest.mark.parametrize(
    "standard",
    [
        "aws-foundational-security-best-practices/v/1.0.0",
        "nist-800-53/v/5.0.0",
        "service-managed-aws-control-tower/v/1.0.0",
    ],
)
def test_standards_that_use_the_security_control_id_resolve(scid: str, standard: str) -> None:
    control = f"CT.{scid}" if standard.startswith("service-managed") else scid
    assert_serves(resolve(finding_keys(per_standard(f"{standard}/{control}"))), scid)


@pytest.mark.parametrize(("scid", "standard_id"), STANDARD_IDS)
def test_per_standard_control_id_resolves(scid: str, standard_id: str) -> None:
    finding = per_standard(standard_id)
    assert_serves(resolve(finding_keys(finding)), scid)
    # From the finding Id alone too (GeneratorId and ProductFields can be trimmed).
    assert_serves(resolve(finding_keys({"Id": finding["Id"], "ProductFields": {}})), scid)


@pytest.mark.parametrize(("scid", "rule_name"), CONFIG_RULES)
@pytest.mark.parametrize(
    "deployed_as",
    ["{}", "securityhub-{}-1a2b3c4d", "securityhub-{}-12345", "{}-conformance-pack-x7k2m9p4q"],
)
def test_config_rule_resolves(scid: str, rule_name: str, deployed_as: str) -> None:
    name = deployed_as.format(rule_name)
    assert_serves(resolve(config_rule_keys(name)), scid)
    # The same name as a finding's related Config rule, with no other identifier.
    finding = {"Id": "arn:aws:securityhub:::unrelated", "ProductFields": {"RelatedAWSResources:0/name": name}}
    assert_serves(resolve(finding_keys(finding)), scid)


@pytest.mark.parametrize("requirement", SHARED_REQUIREMENTS)
def test_shared_requirement_numbers_are_not_guessed(requirement: str) -> None:
    standard, _, control = requirement.rpartition("/")
    assert REGISTRY.match([standard_key(standard, control)]) is None


@pytest.mark.parametrize(
    ("rule_name", "scid"),
    [
        ("securityhub-s3-account-level-public-access-blocks-periodic-6d8e1a50", "S3.1"),
        ("securityhub-s3-bucket-level-public-access-prohibited-0e7b3f95", "S3.8"),
    ],
)
@pytest.mark.parametrize("requirement", SHARED_REQUIREMENTS)
def test_shared_requirement_resolves_by_its_config_rule(requirement: str, rule_name: str, scid: str) -> None:
    assert_serves(resolve(finding_keys(per_standard(requirement, config_rule=rule_name))), scid)


def test_shared_port_restriction_rule_revokes_what_either_control_would() -> None:
    rule = resolve(config_rule_keys(f"securityhub-{SHARED_CONFIG_RULE}-5e0b7d22"))
    assert rule.remediation.name == REVOKE and rule.control is None
    assert sorted(rule.parameters["ports"]) == [22, 3389]
    assert "ip_versions" not in rule.parameters  # both 0.0.0.0/0 and ::/0
    for scid in ("EC2.53", "EC2.54"):
        finding = consolidated(scid)
        finding["ProductFields"]["RelatedAWSResources:0/name"] = f"securityhub-{SHARED_CONFIG_RULE}-5e0b7d22"
        assert_serves(resolve(finding_keys(finding)), scid)


def test_every_control_has_exactly_one_rule() -> None:
    assert len(BY_SCID) == len(CONTROLS)


@pytest.mark.parametrize(("rule_id", "rule_name"), CONFIG_ONLY)
@pytest.mark.parametrize("deployed_as", ["{}", "securityhub-{}-1a2b3c4d", "{}-conformance-pack-x7k2m9p4q"])
def test_config_only_rule_resolves(rule_id: str, rule_name: str, deployed_as: str) -> None:
    assert resolve(config_rule_keys(deployed_as.format(rule_name))).id == rule_id


@pytest.mark.parametrize("scid", sorted(BY_SCID))
def test_remediation_module_docstring_names_the_control(scid: str) -> None:
    remediation = catalog()[BY_SCID[scid].remediation]
    module = sys.modules[remediation.read.__module__]
    assert f"{scid}" in (inspect.getdoc(module) or ""), f"{module.__name__} does not mention {scid}"


def test_every_remediation_serves_a_control() -> None:
    assert {control.remediation for control in CONTROLS} == set(catalog())
