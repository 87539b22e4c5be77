"""One bad finding never stops its siblings, and never reaches AWS or the state table.

Each field below once raised out of the engine (IndexError, ValueError, botocore's
InvalidRegionError mislabelled as a state-table fault and retried into the dead-letter queue,
a response botocore could not parse), was acted on where it must not be (a Config rule ARN in
another account, a finding of another account with no member role to reach it), or was reported
as noted when nothing could carry its note (a blank Id). Now each is a validation error naming
the finding's field, with a note on that finding where one can be written, or a failure of that
finding alone, and the other findings of the event complete. Most were found by
`tests/test_fuzz_events.py`.
"""

from __future__ import annotations

from typing import Any

import pytest

from localaws import estate
from localaws.engine_setup import make_engine
from localaws.events import load_event
from model.errors import InvalidEventError

MIXED = "securityhub-custom-action-mixed.json"
CONFIG = "config-restricted-ssh-securityhub-rule.json"
SERVICE_LINKED = "config-rule/aws-service-rule/securityhub.amazonaws.com/"


@pytest.fixture
def world(aws: None) -> dict[str, str]:
    estate.enable_security_hub()
    estate.create_bucket()
    estate.set_weak_password_policy()
    return {estate.SG_PLACEHOLDER: estate.create_open_security_group()}


def resource_id(finding: dict[str, Any]) -> None:
    finding["Resources"][0]["Id"] = "arn:short"


def region(finding: dict[str, Any]) -> None:
    finding["Region"] = "mars-north-1x"


def resource_region(finding: dict[str, Any]) -> None:
    finding["Resources"][0]["Region"] = "not a region"


def partition(finding: dict[str, Any]) -> None:
    finding["Resources"][0]["Partition"] = "aws:evil"


@pytest.mark.parametrize("spoil", [resource_id, region, resource_region, partition])
def test_a_bad_field_fails_that_finding_alone(world: dict[str, str], spoil: Any) -> None:
    event = load_event(MIXED, world)
    spoil(event["detail"]["findings"][0])  # the S3.17 finding
    estate.import_findings(event)
    engine, recorder = make_engine()
    report = engine.handle(event)
    statuses = {line["finding"]: line["status"] for line in report["findings"]}
    bad = event["detail"]["findings"][0]["Id"]
    assert statuses[bad] == "failed" and "findings[0]" in " ".join(report["invalid"])
    assert list(statuses.values()).count("remediated") == 2  # the password policy and the group
    assert "s3.PutBucketEncryption" not in recorder.calls
    assert "invalid finding" in estate.finding(bad)["Note"]["Text"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("resourceId", "arn:x"),
        ("resourceType", "AWS::EC2"),
        ("awsRegion", "nowhere"),
        # Security Hub's own rule, but in another account: it vouched for any rule named here
        ("configRuleARN", f"arn:aws:config:us-east-1:999999999999:{SERVICE_LINKED}config-rule-1"),
        ("configRuleARN", f"arn:aws:config:eu-west-1:123456789012:{SERVICE_LINKED}config-rule-1"),
        ("configRuleARN", f"arn:aws:config:us-east-1:123456789012:config-rule/x:{SERVICE_LINKED}"),
    ],
)
def test_a_bad_config_event_is_rejected_before_any_call(
    world: dict[str, str], field: str, value: str
) -> None:
    event = load_event(CONFIG, world)
    event["detail"][field] = value
    engine, recorder = make_engine()
    with pytest.raises(InvalidEventError, match=f"event.detail.{field}"):
        engine.handle(event)
    assert recorder.calls == []


@pytest.mark.parametrize("blank", ["", " "])
def test_a_finding_with_a_blank_id_goes_to_the_dead_letter_queue_alone(
    world: dict[str, str], blank: str
) -> None:
    """BatchUpdateFindings takes no blank Id: the finding cannot carry a note, so the event is
    refused once the others are recorded (was: "" reported as noted, " " remediated unrecorded)."""
    event = load_event(MIXED, world)
    estate.import_findings(event)
    event["detail"]["findings"][0]["Id"] = blank  # the S3.17 finding
    engine, recorder = make_engine()
    with pytest.raises(InvalidEventError) as raised:
        engine.handle(event)
    assert raised.value.path == "event.detail.findings" and "findings[0].Id" in str(raised.value)
    assert "s3.PutBucketEncryption" not in recorder.calls
    assert estate.finding(event["detail"]["findings"][1]["Id"])["Workflow"]["Status"] == "RESOLVED"


def test_a_response_botocore_cannot_parse_fails_that_finding_alone(world: dict[str, str]) -> None:
    """moto answers a group id with a control character in XML no parser accepts; botocore's
    ResponseParserError is no BotoCoreError and once escaped the engine, losing the siblings."""
    event = load_event(MIXED, world)
    event["detail"]["findings"][2]["Resources"][0]["Id"] += "\x1f"  # the CIS 4.1 group
    estate.import_findings(event)
    engine, _ = make_engine()
    report = engine.handle(event)
    lines = {line["finding"]: line for line in report["findings"]}
    bad = lines[event["detail"]["findings"][2]["Id"]]
    assert (bad["status"], bad["error_code"]) == ("failed", "ResponseParserError")
    assert [line["status"] for line in report["findings"]].count("remediated") == 2


def test_a_finding_of_another_account_is_not_acted_on_without_a_member_role(world: dict[str, str]) -> None:
    """With no member role the engine holds only its own account's credentials: the IAM.7
    finding of account 999999999999 once strengthened this account's password policy."""
    event = load_event(MIXED, world)
    event["detail"]["findings"] = [event["detail"]["findings"][1]]
    event["detail"]["findings"][0]["AwsAccountId"] = "999999999999"
    engine, recorder = make_engine()
    report = engine.handle(event)
    assert [(f["status"], f["error_code"]) for f in report["findings"]] == [("failed", "NoMemberRole")]
    assert "iam.UpdateAccountPasswordPolicy" not in recorder.calls
    assert estate.password_policy()["MinimumPasswordLength"] == estate.WEAK_POLICY["MinimumPasswordLength"]
