"""The stack's CloudWatch dashboard draws only metrics that exist: the engine's own, and its resources'.

Reads both sides: the dashboard body in the transformed template.yaml, and the EMF lines the
handler prints for an outcome of every status and for an unrecorded update. Every Metrics
Insights query must name a metric, namespace, dimensions and outcome values the engine emits;
every AWS/Lambda and AWS/SQS metric must name one of the stack's own functions or queues.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from deploy import dashboard
from deploy.failures import METRICS_NAMESPACE
from engine.handler import record_outcome, record_update_failure
from engine.resolve import UpdateFailure
from localaws.metrics import MetricStore, emf_lines, parse_query
from localaws.sam_routes import transformed_template
from model.finding import Finding, FindingSource
from model.outcome import Outcome, Status

LIMIT = "ControlChangesPerHour"
LAMBDA_METRICS = {"Errors", "Duration"}
FINDING = Finding(
    source=FindingSource.IMPORTED,
    event_id="event",
    hub_account_id="123456789012",
    hub_region="us-east-1",
    account_id="123456789012",
    region="us-east-1",
    resources=(),
    lookup_keys=(),
    finding_id="finding",
)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return transformed_template()


def body_and_names(template: dict[str, Any]) -> tuple[list[dict[str, Any]], set[str]]:
    """The widgets with each `${Name}` replaced by its name (the limit by its default), and the names."""
    text = template["Resources"][dashboard.DASHBOARD_ID]["Properties"]["DashboardBody"]["Fn::Sub"]
    names = set(re.findall(r"\$\{([^}]+)\}", text))
    default = str(template["Parameters"][LIMIT]["Default"])
    text = text.replace(f"${{{LIMIT}}}", default)
    text = re.sub(r"\$\{([^}]+)\}", r"\1", text)
    return json.loads(text)["widgets"], names


def emitted(capsys: pytest.CaptureFixture[str]) -> MetricStore:
    """What the handler emits: one outcome of every status, and one unrecorded update."""
    capsys.readouterr()
    for status in Status:
        record_outcome(Outcome(FINDING, status, rule_id="rule", remediation="fix"), METRICS_NAMESPACE)
    record_update_failure(UpdateFailure("refused", findings=2, retry=True), METRICS_NAMESPACE)
    store = MetricStore()
    store.add(emf_lines(capsys.readouterr().out))
    return store


def widget_metrics(widgets: list[dict[str, Any]]) -> list[tuple[str, list[Any]]]:
    return [(w["properties"]["title"], spec) for w in widgets for spec in w["properties"]["metrics"]]


def test_every_name_in_the_body_is_the_stacks(template: dict[str, Any]) -> None:
    _, names = body_and_names(template)
    resources = template["Resources"]
    for name in names:
        resource, _, attribute = name.partition(".")
        if name in template["Parameters"] or name == "AWS::Region":
            continue
        assert resource in resources, f"${{{name}}} is no parameter or resource of the stack"
        if attribute:
            assert (resources[resource]["Type"], attribute) == ("AWS::SQS::Queue", "QueueName"), name


def test_the_dashboard_draws_only_what_the_engine_emits(
    template: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    store = emitted(capsys)
    emitted_metrics = {(p.namespace, p.name): set(dict(p.dimensions)) for p in store.points}
    outcomes = {dict(p.dimensions).get("Outcome") for p in store.points} - {None}
    assert outcomes == {status.value for status in Status}
    widgets, _ = body_and_names(template)
    drawn = 0
    for title, spec in widget_metrics(widgets):
        options = spec[-1] if isinstance(spec[-1], dict) else {}
        if "expression" in options:
            query = parse_query(options["expression"])
            assert (query.namespace, query.metric) in emitted_metrics, title
            dimensions = emitted_metrics[(query.namespace, query.metric)]
            assert {name for name, _ in query.where} | set(query.group_by) <= dimensions, title
            assert {value for name, value in query.where if name == "Outcome"} <= outcomes, title
            drawn += 1
        elif spec[0] == METRICS_NAMESPACE:
            names = [part for part in spec if not isinstance(part, dict)]
            assert (spec[0], spec[1]) in emitted_metrics, title
            assert set(names[2::2]) == emitted_metrics[(spec[0], spec[1])], title
            drawn += 1
    assert drawn >= 6


def test_lambda_and_sqs_metrics_are_the_stacks_own_functions_and_queues(template: dict[str, Any]) -> None:
    widgets, _ = body_and_names(template)
    resources = template["Resources"]
    functions = {
        name
        for name, resource in resources.items()
        if resource["Type"] == "AWS::Lambda::Function" and name.endswith("RemediationFunction")
    }
    queues = {name for name, resource in resources.items() if resource["Type"] == "AWS::SQS::Queue"}
    drawn: dict[str, set[str]] = {metric: set() for metric in LAMBDA_METRICS}
    depth: set[str] = set()
    for title, spec in widget_metrics(widgets):
        if spec[0] == "AWS/Lambda":
            assert spec[1] in LAMBDA_METRICS and spec[2] == "FunctionName", title
            assert spec[3] in functions, f"{title}: {spec[3]} is not a function of the stack"
            drawn[spec[1]].add(spec[3])
        elif spec[0] == "AWS/SQS":
            assert spec[1:3] == ["ApproximateNumberOfMessagesVisible", "QueueName"], title
            queue = spec[3].removesuffix(".QueueName")
            assert queue in queues, title
            depth.add(queue)
    assert drawn == {metric: functions for metric in LAMBDA_METRICS}, "every family function, both graphs"
    assert depth == set(dashboard.DEAD_LETTER_QUEUES) == queues


def test_it_has_the_graphs_people_asked_for(template: dict[str, Any]) -> None:
    widgets, _ = body_and_names(template)
    by_title = {w["properties"]["title"]: w["properties"] for w in widgets}
    queries = {
        title: [parse_query(spec[0]["expression"]) for spec in props["metrics"] if "expression" in spec[0]]
        for title, props in by_title.items()
    }
    assert [q.group_by for q in queries["Findings by outcome"]] == [("Outcome",)]
    assert [q.group_by for q in queries["Findings by rule"]] == [("Rule",)]
    [rate] = [title for title in by_title if title.startswith("Changes per hour")]
    assert [q.where for q in queries[rate]] == [(("Outcome", "remediated"),)] and by_title[rate][
        "period"
    ] == 3600
    [line] = by_title[rate]["annotations"]["horizontal"]
    assert line["value"] == template["Parameters"][LIMIT]["Default"] == 50 and LIMIT in line["label"]
    assert template["Parameters"][LIMIT]["Type"] == "Number"
    [held] = [title for title in by_title if title.startswith("Held")]
    assert {q.where for q in queries[held]} == {(("Outcome", "held"),), (("Outcome", "waiting"),)}
    assert {
        "Function errors",
        "Function duration (maximum, ms)",
        "Dead-letter queues: messages waiting",
    } <= set(by_title)
    layout = {(w["x"], w["y"]) for w in widgets}
    assert len(layout) == len(widgets), "no two graphs in the same place"


def test_the_limit_substitutes_as_a_number() -> None:
    text = dashboard.body_text(["S3RemediationFunction"])
    assert f'"value": ${{{LIMIT}}}' in text and f'"${{{LIMIT}}}"' not in text


def test_the_local_cloudwatch_answers_the_dashboards_queries(capsys: pytest.CaptureFixture[str]) -> None:
    store = emitted(capsys)
    start = min(p.timestamp for p in store.points)
    by_outcome = store.series(
        [{"expression": dashboard.findings_query(group_by="Outcome")}], period=3600, stat="Sum", start=start
    )
    assert {label: sum(v for _, v in points) for label, points in by_outcome.items()} == {
        status.value: 1.0 for status in Status
    }
    held = store.series(
        [{"expression": dashboard.findings_query(Status.HELD), "label": "held"}],
        period=60,
        stat="Sum",
        start=start,
    )
    assert [v for _, v in held["held"]] == [1.0]
    unrecorded = store.series(
        [METRICS_NAMESPACE, "UnrecordedOutcomes", {}], period=60, stat="Sum", start=start
    )
    assert [v for _, v in unrecorded["UnrecordedOutcomes"]] == [2.0]
    for refused in (
        "SELECT SUM(Findings) FROM SecHubRemediator WHERE Outcome = 'held' OR Outcome = 'waiting'",
        "SELECT SUM(Findings) FROM SecHubRemediator ORDER BY SUM() DESC",
    ):
        with pytest.raises(ValueError, match="not"):
            parse_query(refused)
