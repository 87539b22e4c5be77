"""A fix Security Hub did not record is never silent (issue 12, point 7).

`BatchUpdateFindings` refused after a change: the engine logs an error, counts a metric the
stack alarms on (the alarm notifies the topic), and retries the event, whose next delivery
writes the note saying what the earlier one changed.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from deploy.failures import stack_alarms
from engine import handler
from engine.resolve import UpdateFailure
from engine.settings import ENV_HOME_ACCOUNT, METRIC_UNRECORDED, Settings
from localaws import estate
from localaws.engine_setup import create_state_table, make_engine
from localaws.events import load_event
from localaws.faults import inject_call_faults
from model.errors import RetryLaterError
from tests.test_handler import LambdaContext

S3_EVENT = "securityhub-imported-s3.17-consolidated.json"
TABLE = "remediator-state"


def refuse_updates(code: str) -> Any:
    return lambda operation, _: code if operation == "securityhub.BatchUpdateFindings" else None


@pytest.fixture
def bucket_finding(aws: None) -> dict[str, Any]:
    estate.enable_security_hub()
    estate.create_bucket()
    create_state_table(TABLE)
    event = load_event(S3_EVENT)
    estate.import_findings(event)
    return event


def test_a_refused_update_is_reported_retried_and_finished_by_the_next_delivery(
    bucket_finding: dict[str, Any],
) -> None:
    settings = Settings(home_account_id=estate.ACCOUNT, state_table=TABLE)
    engine, _ = make_engine(settings)
    seen: list[UpdateFailure] = []
    engine.on_update_failure = seen.append
    inject_call_faults(engine.clients.session, refuse_updates("AccessDeniedException"))
    with pytest.raises(RetryLaterError) as raised:
        engine.handle(bucket_finding)
    assert raised.value.report["findings"][0]["status"] == "remediated"  # type: ignore[index]
    assert [(failure.findings, failure.retry) for failure in seen] == [(1, True)]
    finding_id = bucket_finding["detail"]["findings"][0]["Id"]
    assert "Note" not in estate.finding(finding_id)
    assert estate.bucket_encryption() == "aws:kms"

    retry, _ = make_engine(settings)
    report = retry.handle(bucket_finding)
    assert report["problems"] == []
    stored = estate.finding(finding_id)
    assert stored["Workflow"]["Status"] == "RESOLVED"
    assert "on an earlier delivery, changed by this engine at" in stored["Note"]["Text"]
    assert "SSEAlgorithm" in stored["Note"]["Text"]


def test_a_finding_security_hub_does_not_know_is_reported_not_retried(
    bucket_finding: dict[str, Any],
) -> None:
    """FindingNotFound will not change on a retry: counted and alarmed on, the event not retried."""
    engine, _ = make_engine(Settings(home_account_id=estate.ACCOUNT))
    seen: list[UpdateFailure] = []
    engine.on_update_failure = seen.append
    unknown = json.loads(json.dumps(bucket_finding).replace("finding/0000", "finding/ffff"))
    report = engine.handle(unknown)
    assert [failure.retry for failure in seen] == [False]
    assert "FindingNotFound" in report["problems"][0]


@pytest.mark.usefixtures("aws")
def test_the_handler_logs_an_error_and_counts_the_metric_the_stack_alarms_on(
    bucket_finding: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(handler, "_engine", None)
    monkeypatch.setenv(ENV_HOME_ACCOUNT, estate.ACCOUNT)
    engine = handler.get_engine()
    inject_call_faults(engine.clients.session, refuse_updates("ThrottlingException"))
    buffer = io.StringIO()
    stream = handler.logger.registered_handler
    previous = stream.setStream(buffer)
    try:
        with pytest.raises(RetryLaterError):
            handler.lambda_handler(bucket_finding, LambdaContext())
    finally:
        stream.setStream(previous)
    errors = [line for line in map(json.loads, buffer.getvalue().splitlines()) if line["level"] == "ERROR"]
    assert any("outcome not recorded on the finding" in line["message"] for line in errors)
    metrics = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')
    ]
    assert any(metric.get(METRIC_UNRECORDED) == [1.0] for metric in metrics)


def test_the_stack_alarms_on_that_metric_and_notifies_the_topic() -> None:
    alarm = stack_alarms()["UnrecordedOutcomesAlarm"]["Properties"]
    assert alarm["MetricName"] == METRIC_UNRECORDED
    assert alarm["Namespace"] == Settings().metrics_namespace
    assert alarm["AlarmActions"] == [{"Ref": "NotificationTopic"}]
