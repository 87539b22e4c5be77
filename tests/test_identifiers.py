"""Every form a control reaches us in becomes the registry key of the same rule."""

from __future__ import annotations

import pytest

from engine.identifiers import config_rule_keys, finding_keys
from rules.registry import load_registry

REGISTRY = load_registry()
SUB = "arn:aws:securityhub:us-east-1:123456789012:subscription"


def rule_for(keys: tuple[str, ...]) -> str | None:
    rule = REGISTRY.match(keys)
    return rule.id if rule else None


@pytest.mark.parametrize(
    ("finding", "rule"),
    [
        ({"Compliance": {"SecurityControlId": "EC2.13"}}, "sg-public-ssh"),
        ({"Id": "arn:aws:securityhub:us-east-1:1:security-control/ec2.13/finding/x"}, "sg-public-ssh"),
        ({"GeneratorId": "security-control/EC2.13"}, "sg-public-ssh"),
        (
            {"GeneratorId": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/4.1"},
            "sg-public-ssh",
        ),
        ({"Id": f"{SUB}/cis-aws-foundations-benchmark/v/1.2.0/4.1/finding/x"}, "sg-public-ssh"),
        (
            {
                "ProductFields": {
                    "RuleId": "4.1",
                    "StandardsGuideArn": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0",
                }
            },
            "sg-public-ssh",
        ),
        ({"GeneratorId": "pci-dss/v/3.2.1/PCI.EC2.5"}, "sg-public-ssh"),
        ({"GeneratorId": "aws-foundational-security-best-practices/v/1.0.0/EC2.13"}, "sg-public-ssh"),
        ({"GeneratorId": "nist-800-53/v/5.0.0/EC2.13"}, "sg-public-ssh"),
        (
            {
                "GeneratorId": "service-managed-aws-control-tower/v/1.0.0/EC2.13",
                "ProductFields": {"ControlId": "CT.EC2.13"},
            },
            "sg-public-ssh",
        ),
        ({"GeneratorId": "cis-aws-foundations-benchmark/v/3.0.0/5.2"}, "sg-public-admin-ports-ipv4"),
        ({"GeneratorId": "cis-aws-foundations-benchmark/v/1.4.0/1.8"}, "iam-password-policy-length"),
        (
            {"ProductFields": {"RelatedAWSResources:0/name": "securityhub-restricted-ssh-1399bc40"}},
            "sg-public-ssh",
        ),
        ({"GeneratorId": "security-control/Macie.1"}, None),
    ],
)
def test_finding_forms_resolve_to_one_rule(finding: dict[str, object], rule: str | None) -> None:
    assert rule_for(finding_keys(finding)) == rule


def test_consolidated_id_wins_over_a_conflicting_config_name() -> None:
    keys = finding_keys(
        {
            "Compliance": {"SecurityControlId": "EC2.14"},
            "ProductFields": {"RelatedAWSResources:0/name": "securityhub-restricted-ssh-1399bc40"},
        }
    )
    assert rule_for(keys) == "sg-public-rdp"


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("securityhub-restricted-ssh-1399bc40", "sg-public-ssh"),
        ("securityhub-restricted-ssh-12345", "sg-public-ssh"),
        ("restricted-ssh", "sg-public-ssh"),
        ("restricted-ssh-conformance-pack-6cruwvtg2", "sg-public-ssh"),
        ("securityhub-iam-password-policy-ensure-expires-a08618e1", "iam-password-policy-expiry"),
        ("securityhub-vpc-sg-restricted-common-ports-4e2d9f00", "sg-public-high-risk-ports"),
        ("restricted-common-ports", "config-restricted-common-ports"),
        ("securityhub-vpc-flow-logs-enabled-12345", "vpc-flow-logs"),
        ("securityhub-elb-logging-enabled-12345", None),
    ],
)
def test_config_rule_names(name: str, rule: str | None) -> None:
    assert rule_for(config_rule_keys(name)) == rule


def test_a_name_without_a_random_suffix_is_not_cut() -> None:
    assert (
        config_rule_keys("securityhub-s3-bucket-public-read-prohibited")[-1]
        == "config/s3-bucket-public-read-prohibited"
    )
