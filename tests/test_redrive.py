"""The dead-letter redrive: both message shapes, backoff with jitter, delete only on success."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from cli.redrive_queue import backoff_delays, event_of, redrive
from localaws.events import load_event

EVENT = "securityhub-imported-s3.17-consolidated.json"


@pytest.fixture
def queue(aws: None) -> tuple[Any, str]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    return sqs, sqs.create_queue(QueueName="remediator-dlq")["QueueUrl"]


def test_both_dead_letter_shapes_yield_the_event() -> None:
    event = load_event(EVENT)
    assert event_of(json.dumps(event)) == event
    assert event_of(json.dumps({"requestPayload": event, "responsePayload": {"errorType": "X"}})) == event
    assert event_of("not json") is None
    assert event_of(json.dumps({"something": "else"})) is None


def test_full_jitter_backoff_grows_and_is_capped() -> None:
    assert backoff_delays(5, 1.0, 5.0, lambda: 1.0) == [1.0, 2.0, 4.0, 5.0]
    assert backoff_delays(3, 1.0, 5.0, lambda: 0.5) == [0.5, 1.0]


def test_redrive_delivers_retries_and_keeps_what_keeps_failing(queue: tuple[Any, str]) -> None:
    sqs, url = queue
    good, flaky, broken = (load_event(EVENT) for _ in range(3))
    flaky["id"], broken["id"] = "flaky", "broken"
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(good))
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"requestPayload": flaky}))
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(broken))
    sqs.send_message(QueueUrl=url, MessageBody="garbage")
    calls: dict[str, int] = {}
    slept: list[float] = []

    def deliver(event: dict[str, Any]) -> None:
        calls[event["id"]] = calls.get(event["id"], 0) + 1
        if event["id"] == "broken" or (event["id"] == "flaky" and calls["flaky"] < 3):
            raise RuntimeError("still failing")

    report = redrive(sqs, url, deliver, attempts=4, base_delay=1.0, sleep=slept.append, rng=lambda: 1.0)
    assert (report.delivered, report.failed, report.unreadable) == (2, 1, 1)
    assert calls == {good["id"]: 1, "flaky": 3, "broken": 4}
    assert slept == [1.0, 2.0, 1.0, 2.0, 4.0]  # flaky waited twice, then broken three times
    left = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
    assert left["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "2", "broken and garbage stay"
