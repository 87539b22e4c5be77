"""The cases of `cloudwatch.create-cis-alarm` (remediations/cloudwatch_cis_alarm.py), for the meta-tests.

Built only by the tests, through the module's `cases()`: `remediations.cases` is imported inside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model.finding import Resource, ResourceFormat
from remediations.cloudwatch_cis_patterns import ALARM_TOPIC, PATTERNS, our_name

if TYPE_CHECKING:
    from remediations.cases import Cases

CONTROL = "CloudWatch.1"
GROUP = "sechub-baseline/cloudtrail"


def build_cases() -> Cases:
    from remediations.cases import (
        ACCOUNT,
        REGION,
        Cases,
        Exchange,
        LiveCase,
        PlanCase,
        RevertCase,
        StubbedCase,
        resource,
    )

    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:sechub-baseline-alarms"
    trail = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/management-events"
    group_arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{GROUP}:*"
    name, pattern = our_name(CONTROL), PATTERNS[CONTROL]
    params = {"control": CONTROL, ALARM_TOPIC.parameter: topic}
    bare = {"Control": CONTROL, "Trail": trail, "LogGroup": GROUP, "Filters": [], "Alarms": []}
    ours = {"filterName": name, "filterPattern": pattern, "metricName": name, "metricNamespace": "LogMetrics"}
    theirs = {
        "filterName": "RootUsage",
        "filterPattern": pattern,
        "metricName": "RootUsage",
        "metricNamespace": "CISBenchmark",
    }
    our_alarm = {"AlarmName": name, "MetricName": name, "Namespace": "LogMetrics", "AlarmActions": [topic]}
    their_alarm = {
        "AlarmName": "root-usage",
        "MetricName": "RootUsage",
        "Namespace": "CISBenchmark",
        "AlarmActions": [f"arn:aws:sns:{REGION}:{ACCOUNT}:security"],
    }
    fixed = {**bare, "Filters": [ours], "Alarms": [our_alarm]}
    theirs_only = {**bare, "Filters": [theirs]}
    theirs_fixed = {
        **theirs_only,
        "Alarms": [{**our_alarm, "MetricName": "RootUsage", "Namespace": "CISBenchmark"}],
    }
    account = resource("AwsAccount", f"AWS::::Account:{ACCOUNT}")

    def setup(session: Any) -> Resource:
        """A logging multi-Region trail delivering to a log group, and the baseline's topic published."""
        bucket = "case-cis-alarm-trail-logs"
        session.client("s3").create_bucket(Bucket=bucket)
        logs = session.client("logs")
        if not logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"]:
            logs.create_log_group(logGroupName=GROUP)
        made = session.client("cloudtrail").create_trail(
            Name="case-cis-alarm-trail",
            S3BucketName=bucket,
            IsMultiRegionTrail=True,
            CloudWatchLogsLogGroupArn=f"arn:aws:logs:{session.region_name}:{ACCOUNT}:log-group:{GROUP}:*",
            CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/sechub-baseline-cloudtrail-logs",
        )
        session.client("cloudtrail").start_logging(Name=made["TrailARN"])
        made_topic = session.client("sns").create_topic(Name="sechub-baseline-alarms")["TopicArn"]
        session.client("ssm").put_parameter(
            Name=ALARM_TOPIC.ssm_name, Value=made_topic, Type="String", Overwrite=True
        )
        return account

    return Cases(
        plans=(
            PlanCase(
                "no filter",
                bare,
                params,
                (
                    f"metric filter on {GROUP}: none → {name}",
                    f"alarm on metric {name}: none → {name} → {topic}",
                ),
            ),
            PlanCase(
                "their filter, no alarm: the alarm watches their metric",
                theirs_only,
                params,
                (f"alarm on metric RootUsage: none → {name} → {topic}",),
            ),
            PlanCase(
                "their filter and an alarm notifying a topic",
                {**theirs_only, "Alarms": [their_alarm]},
                {},
                (),
            ),
            PlanCase("fixed already", fixed, {"control": CONTROL}, ()),
        ),
        stubbed=StubbedCase(
            resource=account,
            params={"control": CONTROL},
            calls=(
                Exchange(
                    "describe_trails",
                    {"includeShadowTrails": False},
                    {
                        "trailList": [
                            {
                                "Name": "management-events",
                                "TrailARN": trail,
                                "IsMultiRegionTrail": True,
                                "HomeRegion": REGION,
                                "CloudWatchLogsLogGroupArn": group_arn,
                            }
                        ]
                    },
                ),
                Exchange("get_trail_status", {"Name": trail}, {"IsLogging": True}),
                Exchange("describe_metric_filters", {"logGroupName": GROUP}, {"metricFilters": []}),
                Exchange(
                    "put_metric_filter",
                    {
                        "logGroupName": GROUP,
                        "filterName": name,
                        "filterPattern": pattern,
                        "metricTransformations": [
                            {
                                "metricName": name,
                                "metricNamespace": "LogMetrics",
                                "metricValue": "1",
                                "defaultValue": 0.0,
                            }
                        ],
                    },
                ),
                Exchange(
                    "put_metric_alarm",
                    {
                        "AlarmName": name,
                        "AlarmDescription": f"{CONTROL}: {pattern}",
                        "MetricName": name,
                        "Namespace": "LogMetrics",
                        "Statistic": "Sum",
                        "Period": 300,
                        "EvaluationPeriods": 1,
                        "Threshold": 1.0,
                        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                        "TreatMissingData": "notBreaching",
                        "AlarmActions": [topic],
                    },
                ),
            ),
            refusals=(
                (0, "AccessDeniedException"),
                (2, "ResourceNotFoundException"),
                (3, "LimitExceededException"),
                (4, "LimitExceeded"),
            ),
            optional_actions=frozenset({"cloudwatch:DescribeAlarmsForMetric"}),
        ),
        reverts=(
            RevertCase(
                "filter and alarm created: both deleted",
                bare,
                fixed,
                fixed,
                (f"alarm {name}: present → none", f"metric filter on {GROUP}: {name} → none"),
            ),
            RevertCase(
                "alarm on their filter: the alarm alone deleted",
                theirs_only,
                theirs_fixed,
                theirs_fixed,
                (f"alarm {name}: present → none",),
            ),
            RevertCase(
                "another alarm watches our filter since: the filter is kept",
                bare,
                fixed,
                {
                    **fixed,
                    "Alarms": [
                        *fixed["Alarms"],
                        {**their_alarm, "MetricName": name, "Namespace": "LogMetrics"},
                    ],
                },
                (f"alarm {name}: present → none",),
                kept="watched by alarms",
                since="stricter",
            ),
            RevertCase(
                "our alarm notifies another topic since",
                bare,
                fixed,
                {**fixed, "Alarms": [{**our_alarm, "AlarmActions": [their_alarm["AlarmActions"][0]]}]},
                conflict=True,
                forced=(),
                since="changed",
            ),
        ),
        live=LiveCase(setup, params),
        keeps=keeps_all,
        identities=(
            (account, ACCOUNT),
            (resource("AWS::::Account", ACCOUNT, ResourceFormat.CONFIG), ACCOUNT),
        ),
        destinations={ALARM_TOPIC.parameter: topic},
    )


def keeps_all(before: Any, after: Any) -> bool:
    """Every filter and alarm there before is there after, unchanged."""
    return all(f in after["Filters"] for f in before["Filters"]) and all(
        a in after["Alarms"] for a in before["Alarms"]
    )
