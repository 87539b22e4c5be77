"""The stack's CloudWatch dashboard: what the engine did, and whether it keeps up.

Every graph draws a metric something already emits: the engine's EMF metrics (`Findings` by
`Outcome`, `Rule`, `Remediation`, and `UnrecordedOutcomes`, engine/settings.py), each family
function's AWS/Lambda `Errors` and `Duration`, and the stack's dead-letter queues' AWS/SQS depth.
The engine's metric has three dimensions, so totals by one of them are Metrics Insights queries
(`SELECT SUM(Findings) FROM SecHubRemediator GROUP BY Outcome`), the kind the stack's
failed-remediations alarm already uses. tests/test_dashboard.py reads this body and the engine's
own EMF output and checks that they name the same metrics; `make dashboard-png` draws the body
from the local demo's metrics (tools/dashboard_png.py).

The body is one `Fn::Sub` string: `${Name}` is a function's or queue's name, the Region, or a
stack parameter (the blast-radius limit drawn as a horizontal line).
Body reference: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from deploy.failures import METRICS_NAMESPACE
from engine.settings import METRIC_FINDINGS, METRIC_UNRECORDED
from model.outcome import Status

DASHBOARD_ID = "Dashboard"
#: The stack parameter the change-rate graph draws its limit from (the blast-radius limit).
LIMIT_PARAMETER = "ControlChangesPerHour"
DEAD_LETTER_QUEUES = ("EventDeadLetterQueue", "InvocationDeadLetterQueue")
FUNCTION_TIMEOUT_MS = 120_000  # Globals' Timeout (deploy/functions.py), drawn on the duration graph
WIDTH, HEIGHT = 12, 6  # two graphs a row on the dashboard's 24-column grid


def findings_query(where: Status | None = None, group_by: str | None = None) -> str:
    """A Metrics Insights query over the engine's `Findings` metric."""
    query = f"SELECT SUM({METRIC_FINDINGS}) FROM {METRICS_NAMESPACE}"
    if where is not None:
        query += f" WHERE Outcome = '{where.value}'"
    if group_by:
        query += f" GROUP BY {group_by}"
    return query


def dashboard(function_ids: Sequence[str]) -> dict[str, Any]:
    """The dashboard resource, over the family functions with these logical ids."""
    return {
        DASHBOARD_ID: {
            "Type": "AWS::CloudWatch::Dashboard",
            "Properties": {
                "DashboardName": {"Fn::Sub": "${AWS::StackName}-${AWS::Region}"},
                "DashboardBody": {"Fn::Sub": body_text(function_ids)},
            },
        }
    }


def body_text(function_ids: Sequence[str]) -> str:
    """The body as `Fn::Sub` takes it, a graph a line; the limit's `${…}` unquoted, so it is a number."""
    limit = f"${{{LIMIT_PARAMETER}}}"
    graphs = ",\n".join(json.dumps(widget) for widget in body(function_ids)["widgets"])
    return '{"widgets": [\n' + graphs.replace(f'"{limit}"', limit) + "\n]}"


def outputs() -> dict[str, Any]:
    return {
        "DashboardName": {
            "Description": "CloudWatch, Dashboards, this name: findings by outcome and rule, changes against the limit, held and waiting findings, dead letters, function errors and duration.",
            "Value": {"Ref": DASHBOARD_ID},
        }
    }


def body(function_ids: Sequence[str]) -> dict[str, Any]:
    graphs = [
        graph(
            "Findings by outcome",
            [insights("outcome", findings_query(group_by="Outcome"))],
            stacked=True,
        ),
        graph("Findings by rule", [insights("rule", findings_query(group_by="Rule"))], stacked=True),
        graph(
            f"Changes per hour by rule (outcome remediated) against {LIMIT_PARAMETER}",
            [insights("changes", findings_query(Status.REMEDIATED, group_by="Rule"))],
            period=3600,
            limit={"label": f"{LIMIT_PARAMETER} (per control)", "value": f"${{{LIMIT_PARAMETER}}}"},
        ),
        graph(
            "Held (blast radius, flap breaker) and waiting for approval",
            [
                insights("held", findings_query(Status.HELD), label="held"),
                insights("waiting", findings_query(Status.WAITING), label="waiting for approval"),
            ],
        ),
        graph(
            "Dead-letter queues: messages waiting",
            [
                [
                    "AWS/SQS",
                    "ApproximateNumberOfMessagesVisible",
                    "QueueName",
                    f"${{{queue}.QueueName}}",
                    {"label": queue, "stat": "Maximum"},
                ]
                for queue in DEAD_LETTER_QUEUES
            ],
        ),
        graph(
            "Outcomes Security Hub did not record",
            [[METRICS_NAMESPACE, METRIC_UNRECORDED, {"label": METRIC_UNRECORDED, "stat": "Sum"}]],
        ),
        graph(
            "Function errors",
            [lambda_metric("Errors", function_id, "Sum") for function_id in function_ids],
        ),
        graph(
            "Function duration (maximum, ms)",
            [lambda_metric("Duration", function_id, "Maximum") for function_id in function_ids],
            limit={"label": "timeout", "value": FUNCTION_TIMEOUT_MS},
        ),
    ]
    for index, widget in enumerate(graphs):
        widget.update(x=(index % 2) * WIDTH, y=(index // 2) * HEIGHT, width=WIDTH, height=HEIGHT)
    return {"widgets": graphs}


def graph(
    title: str,
    metrics: list[list[Any]],
    *,
    period: int = 300,
    stacked: bool = False,
    limit: dict[str, Any] | None = None,
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "title": title,
        "view": "timeSeries",
        "stacked": stacked,
        "region": "${AWS::Region}",
        "period": period,
        "stat": "Sum",
        "metrics": metrics,
    }
    if limit is not None:
        properties["annotations"] = {"horizontal": [limit]}
    return {"type": "metric", "properties": properties}


def insights(metric_id: str, query: str, label: str | None = None) -> list[Any]:
    """A Metrics Insights query as a widget's metric (one line per group)."""
    expression: dict[str, Any] = {"expression": query, "id": metric_id}
    if label:
        expression["label"] = label
    return [expression]


def lambda_metric(name: str, function_id: str, stat: str) -> list[Any]:
    family = function_id.removesuffix("RemediationFunction")
    return ["AWS/Lambda", name, "FunctionName", f"${{{function_id}}}", {"label": family, "stat": stat}]
