"""engine/telemetry.py writes the lines Powertools' `Logger` and `single_metric` write, field for field."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import logger as powertools_logger
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from engine.telemetry import JsonLogger, emit_metric


class Context:
    function_name = "sechub-remediator-s3"
    memory_limit_in_mb = 256
    aws_request_id = "00000000-0000-4000-8000-00000000c0de"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:sechub-remediator-s3"


def two_invocations(logger: Any, decorate: Callable[[Any], Any]) -> list[dict[str, Any]]:
    """The handler's use of a logger over two invocations; the lines without their timestamp and location."""
    buffer = io.StringIO()
    logger.registered_handler.setStream(buffer)

    @decorate
    def handler(event: dict[str, Any], context: Any) -> None:
        logger.info("remediated: x", extra={"finding_id": "f", "changes": ["a → b"], "reason": None})
        logger.append_keys(finding_id=event["finding"])
        logger.error("failed", extra={"unrecorded_findings": 2, "retried": True})

    handler({"finding": "f-1"}, Context())
    handler({"finding": "f-2"}, Context())
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    for line in lines:
        assert line.pop("location").startswith("handler:")
        assert line.pop("timestamp").endswith("+0000")
    return lines


@pytest.mark.parametrize("trace", ["", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=1;Sampled=1"])
def test_log_lines_are_powertools_lines(monkeypatch: pytest.MonkeyPatch, trace: str) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", trace)
    monkeypatch.setattr(powertools_logger, "is_cold_start", True)  # a fresh execution environment
    # Loggers of their own: both sit on `logging.getLogger(service)`, which the handler's holds.
    theirs = Logger(service="telemetry-test", level="INFO")
    ours = JsonLogger(service="telemetry-test-ours", level="INFO")
    ours.registered_handler.formatter.service = "telemetry-test"  # type: ignore[union-attr]
    expected = two_invocations(theirs, theirs.inject_lambda_context(log_event=False, clear_state=True))
    actual = two_invocations(ours, ours.inject_lambda_context(clear_state=True))
    assert actual == expected
    assert [list(line) for line in actual] == [list(line) for line in expected]  # the same key order


@pytest.mark.parametrize("service", ["", "sechub-remediator"])
def test_metric_lines_are_powertools_single_metric_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], service: str
) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", service)
    dimensions = {"Outcome": "remediated", "Rule": "s3-bucket-kms-encryption", "Remediation": "s3.x"}
    with single_metric(name="Findings", unit=MetricUnit.Count, value=1, namespace="Ns") as metric:
        for name, value in dimensions.items():
            metric.add_dimension(name=name, value=value)
    with single_metric(name="UnrecordedOutcomes", unit=MetricUnit.Count, value=3, namespace="Ns"):
        pass
    emit_metric("Findings", 1, "Ns", dimensions)
    emit_metric("UnrecordedOutcomes", 3, "Ns")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    for line in lines:
        line["_aws"].pop("Timestamp")
    assert lines[2:] == lines[:2]
    assert [list(line) for line in lines[2:]] == [list(line) for line in lines[:2]]
