"""CloudTrail.1 (multi-Region trail): the widening path stubbed, the refusals, properties, moto.

Never weaken, never replace: a trail is only widened (every Region, logging, all management
events), its data event selectors kept; one trail at most is touched, and only one homed in the
finding's Region; a second trail is made only when the account has none. A revert deletes a
trail it made only while nothing uses it.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from hypothesis import given
from hypothesis import strategies as st

from model.errors import UnsupportedResourceError
from remediations import catalog
from remediations.cases import ACCOUNT, REGION, resource
from remediations.cloudtrail_multi_region import passes
from remediations.cloudtrail_multi_region_cases import ARN, BUCKET, DATA, READS_ONLY, state, trail

MULTI_REGION = catalog()["cloudtrail.enable-multi-region-trail"]
ACCOUNT_RESOURCE = resource("AwsAccount", f"AWS::::Account:{ACCOUNT}")
PARAMS = {"trail_bucket": BUCKET}
selectors = st.lists(
    st.fixed_dictionaries(
        {
            "ReadWriteType": st.sampled_from(["All", "ReadOnly", "WriteOnly"]),
            "IncludeManagementEvents": st.booleans(),
            "DataResources": st.sampled_from([[], DATA["DataResources"]]),
        },
        optional={"ExcludeManagementEventSources": st.sampled_from([[], ["kms.amazonaws.com"]])},
    ),
    max_size=3,
)
trails = st.builds(
    lambda name, region, multi, logging, basic: trail(
        f"arn:aws:cloudtrail:{region}:{ACCOUNT}:trail/{name}",
        IsMultiRegionTrail=multi,
        IncludeGlobalServiceEvents=multi,
        IsLogging=logging,
        EventSelectors=basic if region == REGION else None,
        AdvancedEventSelectors=[] if region == REGION else None,
    ),
    st.sampled_from(["a1", "b2", "c3"]),
    st.sampled_from([REGION, "eu-west-1"]),
    st.booleans(),
    st.booleans(),
    selectors,
)


@given(st.lists(trails, max_size=3, unique_by=lambda t: t["TrailARN"]))
def test_one_trail_here_is_widened_never_weakened_and_a_trail_made_only_when_there_is_none(
    existing: list[dict[str, Any]],
) -> None:
    before = state(*sorted(existing, key=lambda t: t["TrailARN"]))
    try:
        plan = MULTI_REGION.plan(before, PARAMS)
    except UnsupportedResourceError:
        assert existing and all(t["HomeRegion"] != REGION for t in existing)
        return
    if any(passes(t) for t in existing):
        assert plan.compliant
        return
    assert MULTI_REGION.cases().keeps(before, plan.after)
    assert any(passes(t) for t in plan.after["Trails"])
    named = {c.params.get("Name") or c.params.get("TrailName") for c in plan.calls}
    if existing:
        assert len(named) == 1 and named <= {t["TrailARN"] for t in existing if t["HomeRegion"] == REGION}
        assert "create_trail" not in [c.method for c in plan.calls]
    else:
        assert [c.method for c in plan.calls] == ["create_trail", "start_logging"]


def test_a_trail_homed_elsewhere_is_fixed_there_not_doubled_here() -> None:
    elsewhere = trail(f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/eu", IsLogging=False)
    with pytest.raises(UnsupportedResourceError, match="eu-west-1"):
        MULTI_REGION.plan(state(elsewhere), PARAMS)


def test_another_accounts_organization_trail_is_its_owners_to_fix() -> None:
    org = trail(
        "arn:aws:cloudtrail:us-east-1:210987654321:trail/org", IsOrganizationTrail=True, IsLogging=False
    )
    with pytest.raises(UnsupportedResourceError, match="210987654321"):
        MULTI_REGION.plan(state(org), PARAMS)


def test_advanced_selectors_that_miss_reads_are_left_to_a_person() -> None:
    writes_only = [
        {
            "Name": "writes",
            "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Management"]},
                {"Field": "readOnly", "Equals": ["false"]},
            ],
        }
    ]
    with pytest.raises(UnsupportedResourceError, match="advanced event selectors"):
        MULTI_REGION.plan(state(trail(AdvancedEventSelectors=writes_only)), PARAMS)
    everything = [{"Name": "m", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]
    assert MULTI_REGION.plan(state(trail(AdvancedEventSelectors=everything)), PARAMS).compliant


def test_the_widening_path_makes_exactly_its_calls() -> None:
    client = boto3.client("cloudtrail", region_name=REGION)
    widened = [{**READS_ONLY, "ReadWriteType": "All", "ExcludeManagementEventSources": []}, DATA]
    described = {
        "Name": "audit",
        "TrailARN": ARN,
        "HomeRegion": REGION,
        "IsMultiRegionTrail": False,
        "IncludeGlobalServiceEvents": True,
        "HasCustomEventSelectors": True,
    }
    with Stubber(client) as stub:
        stub.add_response("describe_trails", {"trailList": [described]}, {"includeShadowTrails": True})
        stub.add_response("get_trail_status", {"IsLogging": False}, {"Name": ARN})
        stub.add_response("get_event_selectors", {"EventSelectors": [READS_ONLY, DATA]}, {"TrailName": ARN})
        stub.add_response("update_trail", {}, {"Name": ARN, "IsMultiRegionTrail": True})
        stub.add_response("put_event_selectors", {}, {"TrailName": ARN, "EventSelectors": widened})
        stub.add_response("start_logging", {}, {"Name": ARN})
        before = MULTI_REGION.read(client, ACCOUNT_RESOURCE, {})
        MULTI_REGION.apply(client, MULTI_REGION.plan(before, {}))
        stub.assert_no_pending_responses()


@pytest.mark.usefixtures("aws")
def test_on_moto_a_trail_made_is_deleted_on_revert_and_kept_once_something_uses_it() -> None:
    session = boto3.Session(region_name=REGION)
    session.client("s3").create_bucket(Bucket=BUCKET)
    client = session.client("cloudtrail")
    before = MULTI_REGION.read(client, ACCOUNT_RESOURCE, PARAMS)
    assert before["Trails"] == []
    plan = MULTI_REGION.plan(before, PARAMS)
    MULTI_REGION.apply(client, plan)
    made = MULTI_REGION.read(client, ACCOUNT_RESOURCE, PARAMS)
    assert made == plan.after and MULTI_REGION.plan(made, PARAMS).compliant
    (arn,) = [t["TrailARN"] for t in made["Trails"]]
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:trail:*"
    client.update_trail(
        Name=arn, CloudWatchLogsLogGroupArn=group, CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/r"
    )
    used = MULTI_REGION.read(client, ACCOUNT_RESOURCE, PARAMS)
    kept = MULTI_REGION.undo(used, before, plan.after, force=False)
    assert not kept.calls and "CloudWatch Logs group" in kept.notes[0]
    client.update_trail(Name=arn, CloudWatchLogsLogGroupArn="", CloudWatchLogsRoleArn="")
    undo = MULTI_REGION.undo(
        MULTI_REGION.read(client, ACCOUNT_RESOURCE, PARAMS), before, plan.after, force=False
    )
    assert [c.method for c in undo.calls] == ["delete_trail"], undo
    MULTI_REGION.apply(client, undo)
    assert client.describe_trails()["trailList"] == []
