"""`make dashboard-png`: the template's dashboard drawn from metrics, without the demo's minute.

The demo's own metrics are checked in tests/test_demo.py; here a few outcomes and invocations
stand in for them, and the drawing must take every graph of the body and write a PNG.
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path

from engine.handler import count_outcome
from localaws.metrics import MetricStore
from model.finding import Finding, FindingSource
from model.outcome import Outcome, Status
from tools.dashboard_png import draw, local_widgets

FINDING = Finding(
    FindingSource.IMPORTED, "e", "123456789012", "us-east-1", "123456789012", "us-east-1", (), ()
)


def test_the_body_resolves_to_local_names() -> None:
    widgets = local_widgets()
    text = repr(widgets)
    assert "${" not in text and "S3RemediationFunction" in text and "EventDeadLetterQueue.QueueName" in text
    [rate] = [w for w in widgets if w["properties"]["title"].startswith("Changes per hour")]
    assert rate["properties"]["annotations"]["horizontal"][0]["value"] == 50


def test_it_draws_every_graph_to_a_png(tmp_path: Path) -> None:
    store = MetricStore()
    for status in (
        Status.REMEDIATED,
        Status.REMEDIATED,
        Status.WAITING,
        Status.HELD,
        Status.ALREADY_COMPLIANT,
    ):
        outcome = Outcome(FINDING, status, rule_id="sg-public-ssh", remediation="ec2.revoke-public-ingress")
        store.capture(partial(count_outcome, outcome, "SecHubRemediator"))
    now = time.time()
    store.put("AWS/Lambda", "Duration", 120.0, now, FunctionName="Ec2RemediationFunction")
    store.put("AWS/Lambda", "Errors", 0.0, now + 2, FunctionName="Ec2RemediationFunction")
    out = tmp_path / "dashboard.png"
    draw(local_widgets(), store, out)
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and out.stat().st_size > 10_000
