"""CloudWatch.1-14 (remediations/cloudwatch_cis_alarm.py): what matches is kept, what is missing is added.

Properties over any log group's filters and alarms, then the paths the cases do not walk, on moto:
no trail (or not logging) is NOTIFIED and writes nothing; someone's own filter with the pattern is
kept and only an alarm is added on its metric; a filter and alarm that already match are kept.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.errors import UnsupportedResourceError
from model.finding import Resource
from remediations import catalog
from remediations.cases import ACCOUNT, REGION, resource
from remediations.cloudwatch_cis_patterns import ALARM_TOPIC, PATTERNS, our_name

FIX = catalog()["cloudwatch.create-cis-alarm"]
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:sechub-baseline-alarms"
GROUP = "trail-logs"
CONTROLS = sorted(PATTERNS)


@st.composite
def states(draw: Any) -> dict[str, Any]:
    control = draw(st.sampled_from(CONTROLS))
    names = st.sampled_from([our_name(control), "RootUsage", "cis-1"])
    metrics = st.sampled_from([our_name(control), "RootUsage", "Other"])
    filters = draw(
        st.lists(
            st.builds(
                lambda name, metric, same: {
                    "filterName": name,
                    "filterPattern": PATTERNS[control] if same else "{$.eventName=Other}",
                    "metricName": metric,
                    "metricNamespace": "LogMetrics",
                },
                names,
                metrics,
                st.booleans(),
            ),
            max_size=3,
            unique_by=lambda f: f["filterName"],
        )
    )
    alarms = draw(
        st.lists(
            st.builds(
                lambda name, metric, actions: {
                    "AlarmName": name,
                    "MetricName": metric,
                    "Namespace": "LogMetrics",
                    "AlarmActions": actions,
                },
                st.sampled_from([our_name(control), "root-usage", "other"]),
                metrics,
                st.sampled_from([[], [TOPIC], [f"arn:aws:automate:{REGION}:ec2:stop"]]),
            ),
            max_size=3,
            unique_by=lambda a: a["AlarmName"],
        )
    )
    return {
        "Control": control,
        "Trail": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/org-trail",
        "LogGroup": GROUP,
        "Filters": sorted(filters, key=lambda f: f["filterName"]),
        "Alarms": sorted(alarms, key=lambda a: a["AlarmName"]),
    }


@given(state=states())
def test_the_fix_keeps_every_filter_and_alarm_and_writes_only_its_own_names(state: dict[str, Any]) -> None:
    params = {"control": state["Control"], ALARM_TOPIC.parameter: TOPIC}
    try:
        plan = FIX.plan(state, params)
    except UnsupportedResourceError as error:
        assert our_name(state["Control"]) in str(error)
        return
    assert all(f in plan.after["Filters"] for f in state["Filters"])
    assert all(a in plan.after["Alarms"] for a in state["Alarms"])
    for call in plan.calls:
        assert call.method in ("put_metric_filter", "put_metric_alarm")
        name = call.params.get("filterName") or call.params.get("AlarmName")
        assert name == our_name(state["Control"])
        assert call.params.get("filterPattern", PATTERNS[state["Control"]]) == PATTERNS[state["Control"]]
    assert FIX.plan(plan.after, params).compliant


@given(before=states(), current=states())
def test_undo_deletes_only_what_the_fix_made(before: dict[str, Any], current: dict[str, Any]) -> None:
    params = {"control": before["Control"], ALARM_TOPIC.parameter: TOPIC}
    try:
        after = FIX.plan(before, params).after
    except UnsupportedResourceError:
        return
    made = {f["filterName"] for f in after["Filters"] if f not in before["Filters"]} | {
        a["AlarmName"] for a in after["Alarms"] if a not in before["Alarms"]
    }
    plan = FIX.revert(current, before, after, True)
    for call in plan.calls:
        deleted = call.params.get("filterName") or call.params["AlarmNames"][0]
        assert deleted in made


# --- on moto --------------------------------------------------------------------------------------


def trail(session: Any, *, multi_region: bool = True, logging: bool = True, group: bool = True) -> None:
    session.client("s3").create_bucket(Bucket="trail-bucket")
    session.client("logs").create_log_group(logGroupName=GROUP)
    extra = (
        {
            "CloudWatchLogsLogGroupArn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{GROUP}:*",
            "CloudWatchLogsRoleArn": f"arn:aws:iam::{ACCOUNT}:role/trail-logs",
        }
        if group
        else {}
    )
    made = session.client("cloudtrail").create_trail(
        Name="org-trail", S3BucketName="trail-bucket", IsMultiRegionTrail=multi_region, **extra
    )
    if logging:
        session.client("cloudtrail").start_logging(Name=made["TrailARN"])


def run(session: Any, control: str = "CloudWatch.1") -> tuple[Any, dict[str, Any], Any]:
    client = FIX.client_from(session.client)
    account = state_resource()
    params = {"control": control, ALARM_TOPIC.parameter: TOPIC}
    return client, params, FIX.read(client, account, params)


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize(
    ("shape", "why"),
    [
        ({"multi_region": False}, "no multi-Region trail"),
        ({"group": False}, "no multi-Region trail"),
        ({"logging": False}, "is not logging"),
    ],
)
def test_without_a_logging_multi_region_trail_with_a_log_group_nothing_is_written(
    shape: dict[str, bool], why: str
) -> None:
    session = boto3.Session(region_name=REGION)
    trail(session, **shape)
    _, params, state = run(session)
    with pytest.raises(UnsupportedResourceError, match=why) as raised:
        FIX.plan(state, params)
    assert "CloudTrail.1" in str(raised.value) and "CloudTrail.5" in str(raised.value)
    assert session.client("logs").describe_metric_filters(logGroupName=GROUP)["metricFilters"] == []
    assert session.client("cloudwatch").describe_alarms()["MetricAlarms"] == []


@pytest.mark.usefixtures("aws")
def test_their_filter_is_kept_and_only_an_alarm_is_added_on_its_metric() -> None:
    session = boto3.Session(region_name=REGION)
    trail(session)
    logs = session.client("logs")
    transform = {"metricName": "RootUsage", "metricNamespace": "CIS", "metricValue": "1"}
    logs.put_metric_filter(
        logGroupName=GROUP,
        filterName="root-usage",
        filterPattern=PATTERNS["CloudWatch.1"],
        metricTransformations=[transform],
    )
    client, params, state = run(session)
    plan = FIX.plan(state, params)
    assert [call.method for call in plan.calls] == ["put_metric_alarm"]
    FIX.apply(client, plan)
    filters = logs.describe_metric_filters(logGroupName=GROUP)["metricFilters"]
    assert [f["filterName"] for f in filters] == ["root-usage"]
    (alarm,) = session.client("cloudwatch").describe_alarms_for_metric(
        MetricName="RootUsage", Namespace="CIS"
    )["MetricAlarms"]
    assert alarm["AlarmName"] == our_name("CloudWatch.1") and alarm["AlarmActions"] == [TOPIC]
    assert FIX.plan(FIX.read(client, state_resource(), params), params).compliant


@pytest.mark.usefixtures("aws")
def test_a_filter_and_alarm_that_match_are_kept_whatever_their_names() -> None:
    session = boto3.Session(region_name=REGION)
    trail(session)
    session.client("logs").put_metric_filter(
        logGroupName=GROUP,
        filterName="vpc-changes",
        filterPattern=PATTERNS["CloudWatch.14"],
        metricTransformations=[{"metricName": "VpcChanges", "metricNamespace": "CIS", "metricValue": "1"}],
    )
    session.client("cloudwatch").put_metric_alarm(
        AlarmName="vpc-changes",
        MetricName="VpcChanges",
        Namespace="CIS",
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=[f"arn:aws:sns:{REGION}:{ACCOUNT}:security"],
    )
    _, params, state = run(session, "CloudWatch.14")
    assert FIX.plan(state, params).compliant
    _, other, unrelated = run(session, "CloudWatch.13")
    assert not FIX.plan(unrelated, other).compliant, "another control's filter does not count"


def state_resource() -> Resource:
    located = FIX.identity.locate([resource("AwsAccount", f"AWS::::Account:{ACCOUNT}")])
    assert located is not None
    return located


@pytest.mark.usefixtures("aws")
def test_a_trail_not_logging_is_passed_over_for_one_that_logs() -> None:
    session = boto3.Session(region_name=REGION)
    trail(session, logging=False)
    session.client("logs").create_log_group(logGroupName="other-logs")
    made = session.client("cloudtrail").create_trail(
        Name="logging-trail",
        S3BucketName="trail-bucket",
        IsMultiRegionTrail=True,
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:other-logs:*",
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/trail-logs",
    )
    session.client("cloudtrail").start_logging(Name=made["TrailARN"])
    _, _, state = run(session)
    assert (state["Trail"], state["LogGroup"]) == (made["TrailARN"], "other-logs")
