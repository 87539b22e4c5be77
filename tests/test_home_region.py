"""A resource that lives in its ARN's Region (`Identity.region_in_arn`): a multi-Region trail.

A multi-Region CloudTrail trail is reported from every Region it logs, but exists only in its
home Region, which its ARN names. For a remediation that declares so (CloudTrail.4 alone today),
the engine acts in that Region on a finding from another Region of the same account; a trail of
another account is still refused, and every other remediation still refuses a resource whose
ARN names another Region than the finding (issue 12).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import boto3
import pytest

from engine.decide import Decision, Skip, decide
from engine.parse import parse_event
from engine.settings import Settings
from localaws import estate
from localaws.engine_setup import make_engine
from localaws.events import load_event
from model.finding import Resource
from remediations import catalog
from remediations.base import arn_region
from remediations.identities import CLOUDTRAIL_TRAIL
from rules.registry import Rule, load_registry

EVENT = "securityhub-imported-cloudtrail.4-from-another-region.json"
TRAIL = "example-unvalidated-trail"
HOME, REPORTING = "us-west-2", "eu-west-1"
OTHER_ACCOUNT = "999999999999"
REGISTRY = load_registry()
TRAILS = catalog()["cloudtrail.enable-log-file-validation"].identity


def trail_event(arn: str) -> dict[str, Any]:
    """The sample event (a eu-west-1 finding, aggregated in us-east-1) naming the trail `arn`."""
    text = json.dumps(load_event(EVENT)).replace(
        f"arn:aws:cloudtrail:us-east-1:{estate.ACCOUNT}:trail/{TRAIL}", arn
    )
    event: dict[str, Any] = json.loads(text)
    return event


def decided(event: dict[str, Any]) -> Decision | Skip:
    (finding,) = parse_event(event).findings
    rule = REGISTRY.match(finding.lookup_keys)
    assert isinstance(rule, Rule), "the whole catalog is loaded: every rule is bound"
    return decide(finding, rule, Settings(home_account_id=estate.ACCOUNT))


def test_the_sample_event_is_a_finding_from_another_region_than_the_trails() -> None:
    (finding,) = parse_event(load_event(EVENT)).findings
    (resource,) = finding.resources
    assert finding.region == resource.region == REPORTING
    assert arn_region(resource.id) == "us-east-1"


@pytest.mark.parametrize(
    ("arn", "region"),
    [
        (f"arn:aws:cloudtrail:{HOME}:{estate.ACCOUNT}:trail/{TRAIL}", HOME),
        (f"arn:aws-us-gov:cloudtrail:us-gov-west-1:{estate.ACCOUNT}:trail/{TRAIL}", "us-gov-west-1"),
        (TRAIL, REPORTING),  # a Config resource id: no ARN, the finding's Region
        (f"arn:aws:cloudtrail::{estate.ACCOUNT}:trail/{TRAIL}", REPORTING),  # no Region in the ARN
        (f"arn:aws:cloudtrail:not-a-region:{estate.ACCOUNT}:trail/{TRAIL}", REPORTING),
    ],
)
def test_the_trail_is_identified_in_its_arns_region(arn: str, region: str) -> None:
    located = TRAILS.identify(Resource("AwsCloudTrailTrail", arn, arn, estate.ACCOUNT, REPORTING))
    assert located.region == region and located.name == TRAIL
    assert located.arn == f"arn:aws:cloudtrail:{region}:{estate.ACCOUNT}:trail/{TRAIL}"


def test_a_finding_from_another_region_of_the_same_account_is_acted_on_in_the_home_region() -> None:
    decision = decided(trail_event(f"arn:aws:cloudtrail:{HOME}:{estate.ACCOUNT}:trail/{TRAIL}"))
    assert isinstance(decision, Decision), decision
    assert decision.resource.region == HOME and decision.resource.account_id == estate.ACCOUNT
    assert decision.resource.arn == f"arn:aws:cloudtrail:{HOME}:{estate.ACCOUNT}:trail/{TRAIL}"


@pytest.mark.parametrize(
    "arn",
    [
        f"arn:aws:cloudtrail:{HOME}:{OTHER_ACCOUNT}:trail/{TRAIL}",  # an organization trail of another account
        f"arn:aws:cloudtrail:{REPORTING}:{OTHER_ACCOUNT}:trail/{TRAIL}",
        f"arn:aws:cloudtrail:not-a-region:{estate.ACCOUNT}:trail/{TRAIL}",  # no Region to act in
    ],
)
def test_a_trail_of_another_account_or_of_no_region_is_still_refused(arn: str) -> None:
    decision = decided(trail_event(arn))
    assert isinstance(decision, Skip) and decision.error_code == "ForeignResource", decision
    assert "nothing was changed" in decision.reason


def test_other_remediations_still_refuse_a_resource_in_another_region_than_the_finding() -> None:
    """Only an identity that declares `region_in_arn` takes its ARN's Region."""
    event = copy.deepcopy(load_event("securityhub-imported-sqs.1-consolidated.json"))
    finding = event["detail"]["findings"][0]
    finding["Resources"][0]["Id"] = f"arn:aws:sqs:{HOME}:{estate.ACCOUNT}:example-unencrypted-queue"
    decision = decided(event)
    assert isinstance(decision, Skip) and decision.error_code == "ForeignResource", decision
    in_arn = {name for name, r in catalog().items() if r.identity.region_in_arn}
    assert in_arn and in_arn == {name for name, r in catalog().items() if r.identity is CLOUDTRAIL_TRAIL}


def make_trail(region: str) -> str:
    s3: Any = boto3.client("s3", region_name=region)
    s3.create_bucket(
        Bucket="home-region-trail-logs", CreateBucketConfiguration={"LocationConstraint": region}
    )
    made = boto3.client("cloudtrail", region_name=region).create_trail(
        Name=TRAIL, S3BucketName="home-region-trail-logs", IsMultiRegionTrail=True
    )
    return str(made["TrailARN"])


def validation(region: str) -> bool:
    trail = boto3.client("cloudtrail", region_name=region).get_trail(Name=TRAIL)["Trail"]
    return bool(trail["LogFileValidationEnabled"])


@pytest.mark.usefixtures("aws")
def test_end_to_end_the_trail_is_fixed_in_its_home_region_and_the_finding_resolved() -> None:
    estate.enable_security_hub()
    event = trail_event(make_trail(HOME))
    estate.import_findings(event)
    engine, recorder = make_engine()

    report = engine.handle(event)

    (line,) = report["findings"]
    assert line["status"] == "remediated", line
    assert validation(HOME)
    stored = estate.finding(event["detail"]["findings"][0]["Id"])  # noted where it was received
    assert stored["Workflow"]["Status"] == "RESOLVED"
    assert "LogFileValidationEnabled: false → true" in stored["Note"]["Text"]
    assert recorder.count("cloudtrail.UpdateTrail") == 1
    again, _ = make_engine()
    assert [f["status"] for f in again.handle(event)["findings"]] == ["already-compliant"]


@pytest.mark.usefixtures("aws")
def test_end_to_end_a_trail_of_another_account_is_refused_and_nothing_is_written() -> None:
    estate.enable_security_hub()
    make_trail(HOME)
    event = trail_event(f"arn:aws:cloudtrail:{HOME}:{OTHER_ACCOUNT}:trail/{TRAIL}")
    estate.import_findings(event)
    engine, recorder = make_engine()

    report = engine.handle(event)

    assert [(f["status"], f["error_code"]) for f in report["findings"]] == [("failed", "ForeignResource")]
    assert not validation(HOME)
    assert [call for call in recorder.writes if call != "securityhub.BatchUpdateFindings"] == []
    assert not any(call.startswith("cloudtrail.") for call in recorder.calls)
