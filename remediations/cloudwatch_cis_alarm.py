"""The CIS metric filter and alarm on the multi-Region trail's log group (controls CloudWatch.1-14).

Controls: CloudWatch.1, CloudWatch.2, CloudWatch.3, CloudWatch.4, CloudWatch.5, CloudWatch.6,
CloudWatch.7, CloudWatch.8, CloudWatch.9, CloudWatch.10, CloudWatch.11, CloudWatch.12, CloudWatch.13,
CloudWatch.14 (Security Hub's own checks: no AWS Config managed rule); CIS 1.2.0
1.1 and 3.1 to 3.14, CIS 1.4.0 1.7 and 4.3 to 4.14, PCI.CW.1 (CloudWatch.1). The rule's `control` parameter names
the control; its filter pattern is AWS's, verbatim (`PATTERNS`, from the control pages).
Why: each control asks that a class of CloudTrail events (root use, IAM policy changes, …) is
counted by a metric filter on the log group a multi-Region trail delivers to, and that an alarm on
that metric notifies an SNS topic, so someone hears of it.
Where: the trail is found with DescribeTrails (`includeShadowTrails=False`: the trails whose home
is the finding's Region, where their log group lives and where Security Hub evaluates the
control) — the first multi-Region trail with a CloudWatch Logs log group
(`CloudWatchLogsLogGroupArn`) that GetTrailStatus says is logging (a trail not logging delivers
nothing; one GetTrailStatus a candidate, usually one). No such trail, or none is logging: nothing
is changed and the finding is NOTIFIED naming CloudTrail.1 / CloudTrail.5; this fix never creates
or changes a trail.
What matches: a metric filter on that log group with exactly the pattern, and an alarm on its
metric (DescribeAlarmsForMetric, namespace and name of its first metric transformation) with an
SNS topic among its alarm actions. Such a filter and alarm are kept, never replaced, whatever
their names. A matching filter without such an alarm keeps its metric: only the alarm is added.
Otherwise the filter `sechub-cis-<control>` (metric of the same name, namespace `LogMetrics`, value
1, default 0, as AWS's remediation steps say) and the alarm of the same name (Sum over 300 s, one
period, ≥ 1, missing data not breaching) are put.
Destination: the topic is never made here. It is the rule's `alarm_topic_arn`, else the SSM
parameter `/sechub-remediator/baseline/alarm-topic-arn` that `deploy/member-baseline.yaml`
publishes (its subscription — the control wants one — is the baseline's `AlarmEmail`).
Reads: DescribeTrails, GetTrailStatus, DescribeMetricFilters (paged), and DescribeAlarmsForMetric
once per matching filter: more than one read is unavoidable, the trail, its log group's filters
and the alarms live in three services (the client is a `ServiceClients` over cloudwatch, logs and
cloudtrail: `Remediation.also`). Writes: PutMetricFilter and/or PutMetricAlarm. The finding names
the account (ASFF `AwsAccount`, as the 2023 guide's "Resource type: AWS account" suggests; the
current pages list Config types only, so the ASFF type is unverified).
Guarantee: never deletes or changes a filter or alarm it did not create. PutMetricFilter and
PutMetricAlarm overwrite one of the same name: ours are named `sechub-cis-<control>`; a filter of
that name on the log group with another pattern, or an alarm of that name on a matching filter's
metric, is someone else's: NOTIFIED, not overwritten. An alarm of that name on another metric is
not read (it would cost a DescribeAlarms call on every finding) and would be overwritten.
Revert: deletes the alarm and the filter the fix created, each only if it still reads as the fix
left it; a filter another alarm now watches is kept (that alarm would lose its metric); one
changed or gone since is someone else's change (refused unless forced).
APIs: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html
https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html
https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeMetricFilters.html
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmsForMetric.html
https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.errors import UnsupportedResourceError
from model.finding import Resource
from model.outcome import ApiCall, Change, Plan
from remediations.base import Params, Permissions, Remediation, Risk
from remediations.cloudwatch_cis_patterns import ALARM_TOPIC, PATTERNS, our_name
from remediations.destinations import needed
from remediations.identities import ACCOUNT
from remediations.revert import kept_note, refuse_unless_forced

if TYPE_CHECKING:
    from remediations.cases import Cases

NAMESPACE = "LogMetrics"
TOPIC_SCHEMA: Mapping[str, Any] = {
    "type": "string",
    "pattern": "^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:.+$",
}


def read(client: Any, resource: Resource, params: Params) -> dict[str, Any]:
    control = params["control"]
    state: dict[str, Any] = {"Control": control, "Trail": None, "LogGroup": None, "Filters": [], "Alarms": []}
    trails = client.describe_trails(includeShadowTrails=False).get("trailList", [])
    candidates = [t for t in trails if t.get("IsMultiRegionTrail") and t.get("CloudWatchLogsLogGroupArn")]
    trail = next(
        (t for t in candidates if client.get_trail_status(Name=t["TrailARN"]).get("IsLogging")), None
    )
    if trail is None:
        if candidates:
            state["NotLogging"] = candidates[0]["TrailARN"]
        return state
    state["Trail"] = trail["TrailARN"]
    group = log_group_name(trail["CloudWatchLogsLogGroupArn"])
    state["LogGroup"] = group
    pages = client.get_paginator("describe_metric_filters").paginate(logGroupName=group)
    for page in pages:
        for found in page.get("metricFilters", []):
            transform = (found.get("metricTransformations") or [{}])[0]
            entry = {
                "filterName": found["filterName"],
                "filterPattern": found.get("filterPattern", ""),
                "metricName": transform.get("metricName"),
                "metricNamespace": transform.get("metricNamespace"),
            }
            if entry["filterPattern"] == PATTERNS[control] or entry["filterName"] == our_name(control):
                state["Filters"].append(entry)
    for entry in state["Filters"]:
        if entry["filterPattern"] != PATTERNS[control]:
            continue
        alarms = client.describe_alarms_for_metric(
            MetricName=entry["metricName"], Namespace=entry["metricNamespace"]
        ).get("MetricAlarms", [])
        state["Alarms"].extend(
            {
                "AlarmName": alarm["AlarmName"],
                "MetricName": alarm.get("MetricName"),
                "Namespace": alarm.get("Namespace"),
                "AlarmActions": sorted(alarm.get("AlarmActions", [])),
            }
            for alarm in alarms
        )
    state["Filters"].sort(key=lambda f: f["filterName"])
    state["Alarms"].sort(key=lambda a: a["AlarmName"])
    return state


def log_group_name(arn: str) -> str:
    """`g` of `arn:aws:logs:r:a:log-group:g:*` (the form CloudTrail answers with) or of `…:log-group:g`."""
    name = arn.split(":log-group:", 1)[-1]
    return name.removesuffix(":*")


def notifies(alarm: Mapping[str, Any]) -> bool:
    return any(":sns:" in action for action in alarm["AlarmActions"])


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    control = state["Control"]
    if state["LogGroup"] is None:
        why = (
            f"its trail {state['NotLogging']} is not logging"
            if state.get("NotLogging")
            else "no multi-Region trail whose home is this Region delivers to CloudWatch Logs"
        )
        raise UnsupportedResourceError(
            f"{control} needs a logging multi-Region trail with a CloudWatch Logs log group: {why}. "
            "Fix CloudTrail.1 (multi-Region trail) and CloudTrail.5 (CloudWatch Logs) first; "
            "this fix creates no trail; nothing was changed"
        )
    matching = [f for f in state["Filters"] if f["filterPattern"] == PATTERNS[control]]
    for entry in matching:
        watched = [a for a in state["Alarms"] if _watches(a, entry)]
        if any(notifies(a) for a in watched):
            return Plan(after=dict(state))
    name = our_name(control)
    taken = [
        f for f in state["Filters"] if f["filterName"] == name and f["filterPattern"] != PATTERNS[control]
    ]
    if taken or any(a["AlarmName"] == name for a in state["Alarms"]):
        raise UnsupportedResourceError(
            f"a metric filter or alarm named {name} exists that does not match {control}: it is not "
            "overwritten; nothing was changed"
        )
    topic = needed(params, ALARM_TOPIC)
    changes, calls = [], []
    filters = list(state["Filters"])
    target = matching[0] if matching else None
    if target is None:
        target = {
            "filterName": name,
            "filterPattern": PATTERNS[control],
            "metricName": name,
            "metricNamespace": NAMESPACE,
        }
        filters.append(target)
        changes.append(Change(f"metric filter on {state['LogGroup']}", None, name))
        calls.append(
            ApiCall(
                "put_metric_filter",
                {
                    "logGroupName": state["LogGroup"],
                    "filterName": name,
                    "filterPattern": PATTERNS[control],
                    "metricTransformations": [
                        {
                            "metricName": name,
                            "metricNamespace": NAMESPACE,
                            "metricValue": "1",
                            "defaultValue": 0.0,
                        }
                    ],
                },
            )
        )
    alarm = {
        "AlarmName": name,
        "MetricName": target["metricName"],
        "Namespace": target["metricNamespace"],
        "AlarmActions": [topic],
    }
    changes.append(Change(f"alarm on metric {target['metricName']}", None, f"{name} → {topic}"))
    calls.append(
        ApiCall(
            "put_metric_alarm",
            {
                "AlarmName": name,
                "AlarmDescription": f"{control}: {PATTERNS[control]}",
                "MetricName": target["metricName"],
                "Namespace": target["metricNamespace"],
                "Statistic": "Sum",
                "Period": 300,
                "EvaluationPeriods": 1,
                "Threshold": 1.0,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "TreatMissingData": "notBreaching",
                "AlarmActions": [topic],
            },
        )
    )
    after = {
        **state,
        "Filters": sorted(filters, key=lambda f: f["filterName"]),
        "Alarms": sorted([*state["Alarms"], alarm], key=lambda a: a["AlarmName"]),
    }
    return Plan(changes=tuple(changes), calls=tuple(calls), after=after)


def _watches(alarm: Mapping[str, Any], entry: Mapping[str, Any]) -> bool:
    return bool(alarm["MetricName"] == entry["metricName"] and alarm["Namespace"] == entry["metricNamespace"])


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    made_alarms = [a for a in after["Alarms"] if a not in before["Alarms"]]
    made_filters = [f for f in after["Filters"] if f not in before["Filters"]]
    changes, calls, notes = [], [], []
    alarms = list(current["Alarms"])
    filters = list(current["Filters"])
    for alarm in made_alarms:
        if alarm not in current["Alarms"]:
            now = next((a for a in current["Alarms"] if a["AlarmName"] == alarm["AlarmName"]), None)
            refuse_unless_forced(force, f"alarm {alarm['AlarmName']}", now, alarm)
            continue
        alarms.remove(alarm)
        changes.append(Change(f"alarm {alarm['AlarmName']}", "present", None))
        calls.append(ApiCall("delete_alarms", {"AlarmNames": [alarm["AlarmName"]]}))
    for entry in made_filters:
        if entry not in current["Filters"]:
            now = next((f for f in current["Filters"] if f["filterName"] == entry["filterName"]), None)
            refuse_unless_forced(force, f"metric filter {entry['filterName']}", now, entry)
            continue
        others = [a["AlarmName"] for a in alarms if _watches(a, entry)]
        if others:
            notes.append(
                kept_note(f"metric filter {entry['filterName']}, watched by alarms", ", ".join(others))
            )
            continue
        filters.remove(entry)
        changes.append(Change(f"metric filter on {current['LogGroup']}", entry["filterName"], None))
        calls.append(
            ApiCall(
                "delete_metric_filter",
                {"logGroupName": current["LogGroup"], "filterName": entry["filterName"]},
            )
        )
    return Plan(
        changes=tuple(changes),
        calls=tuple(calls),
        after={**current, "Filters": filters, "Alarms": alarms},
        notes=tuple(notes),
    )


def cases() -> Cases:
    """Its cases live beside it (remediations/cloudwatch_cis_cases.py): built by the tests alone."""
    from remediations.cloudwatch_cis_cases import build_cases

    return build_cases()


REMEDIATION = Remediation(
    name="cloudwatch.create-cis-alarm",
    summary="Add the control's CIS metric filter on the multi-Region trail's log group and an alarm notifying the baseline topic.",
    service="cloudwatch",
    also=("logs", "cloudtrail"),
    identity=ACCOUNT,
    permissions=Permissions(
        read=(
            "cloudtrail:DescribeTrails",
            "cloudtrail:GetTrailStatus",
            "logs:DescribeMetricFilters",
            "cloudwatch:DescribeAlarmsForMetric",
        ),
        write=("logs:PutMetricFilter", "cloudwatch:PutMetricAlarm"),
        revert=("logs:DeleteMetricFilter", "cloudwatch:DeleteAlarms"),
    ),
    risk=Risk.CREATES_RESOURCES,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
    parameters={"control": {"enum": sorted(PATTERNS)}, ALARM_TOPIC.parameter: dict(TOPIC_SCHEMA)},
    schema_extra={"required": ["control"]},
    destinations=(ALARM_TOPIC,),
)
