"""Every id a user can see for the covered controls resolves to the right rule and remediation.

The table below is `../shared/reference/controls.md` §1 and §4 for the four families of
issue 5 (encryption at rest, password policy, security groups, S3 public access), as test
data: security control id, per-standard ids (`<standard>/v/<version>/<ControlId>`, CIS 1.2
by RuleId), and Config rule identifiers. Each form is turned into a finding the way AWS
shapes it, run through `engine.identifiers`, and matched in the real registry. CloudTrail.2
is in the reference table but not in these families (it must be fixed in the trail's home
region), so it is not listed.
"""

from __future__ import annotations

import inspect
import sys
from dataclasses import dataclass
from typing import Any

import pytest

from engine.identifiers import config_rule_keys, finding_keys
from remediations import CATALOG
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


CONTROLS = (
    # Encryption at rest
    Control(
        "S3.4", ENCRYPT_S3, (CIS14 + "2.1.1", PCI + "PCI.S3.4"), ("s3-bucket-server-side-encryption-enabled",)
    ),
    Control("S3.17", ENCRYPT_S3, (), ("s3-default-encryption-kms",)),
    Control(
        "EC2.7",
        "ec2.enable-ebs-default-encryption",
        (CIS14 + "2.2.1", CIS30 + "2.2.1", CIS50 + "5.1.1"),
        ("ec2-ebs-encryption-by-default",),
    ),
    Control("SQS.1", "sqs.enable-queue-encryption", (), ("sqs-queue-encrypted",)),
    Control("SNS.1", "sns.enable-topic-encryption", (), ("sns-encrypted-kms",)),
    # IAM password policy
    Control("IAM.7", PASSWORD, (), ("iam-password-policy", "iam-password-policy-recommended-defaults")),
    Control("IAM.10", PASSWORD, (PCI + "PCI.IAM.8",)),
    Control("IAM.11", PASSWORD, (CIS12 + "1.5",), ("iam-password-policy-uppercase-letter-check",)),
    Control("IAM.12", PASSWORD, (CIS12 + "1.6",), ("iam-password-policy-lowercase-letter-check",)),
    Control("IAM.13", PASSWORD, (CIS12 + "1.7",), ("iam-password-policy-symbol-check",)),
    Control("IAM.14", PASSWORD, (CIS12 + "1.8",), ("iam-password-policy-number-check",)),
    Control(
        "IAM.15",
        PASSWORD,
        (CIS12 + "1.9", CIS14 + "1.8", CIS30 + "1.8", CIS50 + "1.7"),
        ("iam-password-policy-minimum-length-check",),
    ),
    Control(
        "IAM.16",
        PASSWORD,
        (CIS12 + "1.10", CIS14 + "1.9", CIS30 + "1.9", CIS50 + "1.8"),
        ("iam-password-policy-prevent-reuse-check",),
    ),
    Control("IAM.17", PASSWORD, (CIS12 + "1.11",), ("iam-password-policy-ensure-expires",)),
    # Security groups
    Control(
        "EC2.2",
        "ec2.close-default-security-group",
        (CIS12 + "4.3", CIS14 + "5.3", CIS30 + "5.4", CIS50 + "5.5", PCI + "PCI.EC2.2"),
        ("vpc-default-security-group-closed",),
    ),
    Control("EC2.13", REVOKE, (CIS12 + "4.1", PCI + "PCI.EC2.5"), ("restricted-ssh",)),
    Control("EC2.14", REVOKE, (CIS12 + "4.2",), ("restricted-rdp",)),
    Control("EC2.18", REVOKE, (), ("vpc-sg-open-only-to-authorized-ports",)),
    Control("EC2.19", REVOKE, (), ("vpc-sg-restricted-common-ports",)),
    Control("EC2.53", REVOKE, (CIS30 + "5.2", CIS50 + "5.3")),
    Control("EC2.54", REVOKE, (CIS30 + "5.3", CIS50 + "5.4")),
    # S3 public access
    Control(
        "S3.1",
        "s3.block-account-public-access",
        (CIS14 + "2.1.5.1", CIS30 + "2.1.4.1", PCI + "PCI.S3.6"),
        ("s3-account-level-public-access-blocks-periodic", "s3-account-level-public-access-blocks"),
    ),
    Control(
        "S3.2", "s3.block-bucket-public-access", (PCI + "PCI.S3.2",), ("s3-bucket-public-read-prohibited",)
    ),
    Control(
        "S3.3", "s3.block-bucket-public-access", (PCI + "PCI.S3.1",), ("s3-bucket-public-write-prohibited",)
    ),
    Control(
        "S3.8",
        "s3.block-bucket-public-access",
        (CIS14 + "2.1.5.2", CIS30 + "2.1.4.2"),
        ("s3-bucket-level-public-access-prohibited",),
    ),
)
BY_SCID = {control.scid: control for control in CONTROLS}
#: Requirement numbers two controls share (S3.1 and S3.8): a bare key would pick one blindly.
SHARED_REQUIREMENTS = (CIS14 + "2.1.5", CIS30 + "2.1.4", CIS50 + "2.1.4")
#: Config rule behind two controls (EC2.53 IPv4, EC2.54 IPv6), told apart only by ipType.
SHARED_CONFIG_RULE = "vpc-sg-port-restriction-check"

STANDARD_IDS = [(c.scid, sid) for c in CONTROLS for sid in c.standard_ids]
CONFIG_RULES = [(c.scid, name) for c in CONTROLS for name in c.config_rules]
ACCOUNT, REGION = "123456789012", "us-east-1"
HUB = f"arn:aws:securityhub:{REGION}:{ACCOUNT}"


def resolve(keys: tuple[str, ...]) -> Rule:
    rule = REGISTRY.match(keys)
    assert rule is not None, f"no rule for {keys}"
    return rule


def assert_serves(rule: Rule, scid: str) -> None:
    assert rule.control == scid, f"{scid} resolved to rule {rule.id} ({rule.control})"
    assert rule.remediation.name == BY_SCID[scid].remediation
    assert rule.remediation is CATALOG[rule.remediation.name]


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


def test_every_control_has_exactly_one_rule_and_every_rule_is_in_the_table() -> None:
    served = {control.remediation for control in CONTROLS}
    rules_by_control: dict[str, list[str]] = {}
    for rule in REGISTRY.rules:
        if rule.remediation.name in served and rule.control:
            rules_by_control.setdefault(rule.control, []).append(rule.id)
    assert {scid: len(ids) for scid, ids in rules_by_control.items()} == dict.fromkeys(BY_SCID, 1)


@pytest.mark.parametrize("scid", sorted(BY_SCID))
def test_remediation_module_docstring_names_the_control(scid: str) -> None:
    remediation = CATALOG[BY_SCID[scid].remediation]
    module = sys.modules[remediation.read.__module__]
    assert f"{scid}" in (inspect.getdoc(module) or ""), f"{module.__name__} does not mention {scid}"


def test_every_remediation_serves_a_control_of_the_table() -> None:
    assert {control.remediation for control in CONTROLS} == set(CATALOG)
