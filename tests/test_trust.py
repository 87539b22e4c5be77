"""Issue "Trust nothing the finding says that AWS did not": who produced a finding, and live tags.

Each test here failed on the engine before `engine/trust.py` and the live tag check: a member's
look-alike finding was acted on, a member's own Config rule named like AWS's was acted on, and
a resource whose live tags carry the exclusion tag was changed because the finding listed
other tags.
"""

from __future__ import annotations

import copy
from typing import Any

import boto3
import pytest

from engine.parse import parse_event
from engine.settings import Settings
from engine.trust import config_rule_owner_reader, foreign_producer, untrusted_config_rule
from localaws import estate
from localaws.engine_setup import automatic, create_state_table, make_engine
from localaws.events import load_event
from model.finding import Finding, FindingSource

SG_EVENT = "securityhub-imported-ec2.13-consolidated.json"
MEMBER_PRODUCT = "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default"
TAG = "remediation:exclude"


@pytest.fixture
def group(aws: None) -> str:
    estate.enable_security_hub()
    return estate.create_open_security_group()


def sg_event(group: str, **changes: Any) -> dict[str, Any]:
    event = load_event(SG_EVENT, {estate.SG_PLACEHOLDER: group})
    event["detail"]["findings"][0].update(changes)
    return event


@pytest.mark.parametrize(
    "changes",
    [
        {"ProductArn": MEMBER_PRODUCT, "CompanyName": "AWS"},
        {"ProductArn": MEMBER_PRODUCT, "CompanyName": "Example Security", "ProductName": "Security Hub"},
        {"CompanyName": "Example Security"},  # the product ARN is Security Hub's, the company is not AWS
    ],
)
def test_a_finding_security_hub_did_not_produce_changes_nothing(group: str, changes: dict[str, Any]) -> None:
    event = sg_event(group, **changes)
    estate.import_findings(event)
    engine, recorder = make_engine()
    report = engine.handle(event)
    assert [f["status"] for f in report["findings"]] == ["skipped"]
    assert "not a Security Hub control finding" in report["findings"][0]["reason"]
    assert "ec2.RevokeSecurityGroupIngress" not in recorder.calls
    assert ("tcp", 22, "0.0.0.0/0") in estate.ingress_rules(group)


def test_a_legacy_id_alone_does_not_make_a_finding_security_hubs(group: str) -> None:
    """Only `aws-foundational-security-best-practices/v/1.0.0/EC2.13` plus ProductFields.ControlId."""
    event = sg_event(group, ProductArn=MEMBER_PRODUCT)
    finding = event["detail"]["findings"][0]
    finding["GeneratorId"] = "aws-foundational-security-best-practices/v/1.0.0/EC2.13"
    finding["Compliance"].pop("SecurityControlId")
    finding["ProductFields"]["ControlId"] = "EC2.13"
    estate.import_findings(event)
    engine, recorder = make_engine()
    report = engine.handle(event)
    assert report["findings"][0]["status"] == "skipped"
    assert "ec2.RevokeSecurityGroupIngress" not in recorder.calls


@pytest.mark.parametrize(
    ("product", "company", "trusted"),
    [
        ("arn:aws:securityhub:us-east-1::product/aws/securityhub", "AWS", True),
        ("arn:aws-us-gov:securityhub:us-gov-west-1::product/aws/securityhub", "AWS", True),
        ("arn:aws-cn:securityhub:cn-north-1::product/aws/securityhub", None, True),
        ("arn:aws:securityhub:us-east-1::product/aws/guardduty", "AWS", False),
        ("arn:aws:securityhub:us-east-1:123456789012:product/aws/securityhub", "AWS", False),
        ("arn:aws:securityhub:us-east-1::product/aws/securityhub/x", "AWS", False),
        (MEMBER_PRODUCT, "AWS", False),
    ],
)
def test_only_security_hubs_product_arn_is_trusted(product: str, company: str | None, trusted: bool) -> None:
    finding = copy.replace(
        parse_event(load_event(SG_EVENT)).findings[0], product_arn=product, company_name=company
    )
    assert (foreign_producer(finding) == "") is trusted


def config_finding(arn: str | None, name: str = "restricted-ssh") -> Finding:
    finding = parse_event(load_event("config-restricted-ssh-securityhub-rule.json")).findings[0]
    return copy.replace(finding, config_rule_arn=arn, config_rule_name=name)


def test_security_hubs_service_linked_rules_are_trusted_without_a_call() -> None:
    arn = "arn:aws:config:us-east-1:123456789012:config-rule/aws-service-rule/securityhub.amazonaws.com/config-rule-1"

    def never(account: str, region: str, name: str) -> str | None:
        raise AssertionError("no DescribeConfigRules for Security Hub's own rule")

    assert untrusted_config_rule(config_finding(arn), never) == ""


@pytest.mark.parametrize(
    ("owner", "reason"),
    [("AWS", ""), ("CUSTOM_LAMBDA", "not an AWS managed rule"), (None, "could not read who owns")],
)
def test_other_rules_are_trusted_only_when_aws_owns_them(owner: str | None, reason: str) -> None:
    finding = config_finding("arn:aws:config:us-east-1:123456789012:config-rule/config-rule-2")
    result = untrusted_config_rule(finding, lambda account, region, name: owner)
    assert (reason in result) if reason else result == ""
    assert finding.source is FindingSource.CONFIG


@pytest.mark.usefixtures("aws")
def test_the_owner_is_read_once_and_cached() -> None:
    estate.create_config_rule("restricted-ssh", "INCOMING_SSH_DISABLED")
    calls: list[str] = []

    def client_for(account: str, region: str) -> Any:
        calls.append(account)
        return boto3.client("config", region_name=region)

    owner = config_rule_owner_reader(client_for)
    assert owner(estate.ACCOUNT, estate.REGION, "restricted-ssh") == "AWS"
    assert owner(estate.ACCOUNT, estate.REGION, "restricted-ssh") == "AWS"
    assert calls == [estate.ACCOUNT]
    assert owner(estate.ACCOUNT, estate.REGION, "no-such-rule") is None


def test_live_exclusion_tag_wins_over_the_tags_the_finding_lists(group: str) -> None:
    """The finding's tags are a snapshot: the tag added since is on the resource, not in it."""
    boto3.client("ec2", region_name=estate.REGION).create_tags(
        Resources=[group], Tags=[{"Key": TAG, "Value": "bastion: owner said so"}]
    )
    event = sg_event(group)
    event["detail"]["findings"][0]["Resources"][0]["Tags"] = {"Name": "bastion"}
    estate.import_findings(event)
    engine, recorder = make_engine(Settings(home_account_id=estate.ACCOUNT, exclusion_tag=TAG))
    report = engine.handle(event)
    assert report["findings"][0]["status"] == "skipped"
    assert "exclusion tag" in report["findings"][0]["reason"]
    assert "ec2.RevokeSecurityGroupIngress" not in recorder.calls


def test_the_exclusion_tag_in_the_finding_is_enough(group: str) -> None:
    event = sg_event(group)
    event["detail"]["findings"][0]["Resources"][0]["Tags"] = {TAG: "yes"}
    estate.import_findings(event)
    engine, recorder = make_engine(Settings(home_account_id=estate.ACCOUNT, exclusion_tag=TAG))
    assert engine.handle(event)["findings"][0]["status"] == "skipped"
    assert "tag.GetResources" not in recorder.calls  # decided from the finding, no call needed


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:ec2:eu-west-1:999999999999:security-group/{group}",  # another account and region
        "arn:aws:ec2:us-east-1:999999999999:security-group/{group}",  # another account
        "arn:aws:ec2:eu-west-1:123456789012:security-group/{group}",  # another region
    ],
)
def test_a_resource_in_another_account_or_region_than_the_finding_is_refused(group: str, arn: str) -> None:
    event = sg_event(group)
    event["detail"]["findings"][0]["Resources"][0]["Id"] = arn.format(group=group)
    estate.import_findings(event)
    engine, recorder = make_engine()
    report = engine.handle(event)
    assert [(f["status"], f["error_code"]) for f in report["findings"]] == [("failed", "ForeignResource")]
    assert "nothing was changed" in report["findings"][0]["reason"]
    assert "ec2.RevokeSecurityGroupIngress" not in recorder.calls
    stored = estate.finding(event["detail"]["findings"][0]["Id"])
    assert stored["Workflow"]["Status"] == "NOTIFIED" and "is in" in stored["Note"]["Text"]


def test_one_claim_per_resource_whatever_the_producer_calls_it(group: str) -> None:
    """Security Hub names the group by ARN, Config by `sg-…`: one item holds claim and flap history."""
    create_state_table("trust-state")
    estate.create_config_rule("securityhub-restricted-ssh-1399bc40", "INCOMING_SSH_DISABLED")
    engine, _ = make_engine(Settings(home_account_id=estate.ACCOUNT, state_table="trust-state"))
    engine.registry = automatic(engine.registry, "sg-public-ssh")  # claims are the point, not the mode
    assert engine.handle(sg_event(group))["findings"][0]["status"] == "remediated"
    boto3.client("ec2", region_name=estate.REGION).authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        ],
    )
    config = load_event("config-restricted-ssh-securityhub-rule.json", {estate.SG_PLACEHOLDER: group})
    assert engine.handle(config)["findings"][0]["status"] == "remediated"
    items = boto3.client("dynamodb", region_name=estate.REGION).scan(TableName="trust-state")["Items"]
    claims = [item for item in items if item["pk"]["S"].startswith("resource#")]
    assert [item["pk"]["S"].rsplit("#", 1)[1] for item in claims] == [
        f"arn:aws:ec2:{estate.REGION}:{estate.ACCOUNT}:security-group/{group}"
    ]
    assert len(claims[0]["changes"]["L"]) == 2  # the flap breaker counts both
