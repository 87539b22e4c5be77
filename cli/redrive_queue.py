"""Redrive the dead-letter queue: deliver each held event again, with backoff and jitter.

Messages come from two places and the event is found in either shape: an EventBridge target
dead-letter queue holds the event itself as the message body; a Lambda on-failure
destination wraps it as `requestPayload`. A message is deleted only once its event was
delivered without error; one that keeps failing stays in the queue for the next redrive.
Retries use exponential backoff with full jitter (AWS Architecture Blog, "Exponential
Backoff And Jitter"), so a fleet of redrives does not hammer a recovering dependency.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Deliver = Callable[[dict[str, Any]], object]


@dataclass
class RedriveReport:
    delivered: int = 0
    failed: int = 0
    unreadable: int = 0
    errors: list[str] = field(default_factory=list)


def event_of(body: str) -> dict[str, Any] | None:
    """The EventBridge event a dead-letter message holds, or None when it holds none."""
    try:
        message = json.loads(body)
    except ValueError:
        return None
    if isinstance(message, dict) and isinstance(message.get("requestPayload"), dict):
        payload: dict[str, Any] = message["requestPayload"]
        return payload
    if isinstance(message, dict) and "detail-type" in message:
        return message
    return None


def backoff_delays(attempts: int, base: float, cap: float, rng: Callable[[], float]) -> list[float]:
    """Full jitter: each wait is uniform in [0, min(cap, base * 2**n))."""
    return [rng() * min(cap, base * 2**n) for n in range(attempts - 1)]


def redrive(
    sqs: Any,
    queue_url: str,
    deliver: Deliver,
    *,
    attempts: int = 4,
    base_delay: float = 1.0,
    max_delay: float = 30.0,
    max_messages: int = 1000,
    sleep: Callable[[float], None] = time.sleep,
    rng: Callable[[], float] = random.random,
) -> RedriveReport:
    report = RedriveReport()
    seen = 0
    while seen < max_messages:
        messages = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=300
        ).get("Messages", [])
        if not messages:
            break
        for message in messages:
            seen += 1
            event = event_of(message["Body"])
            if event is None:
                report.unreadable += 1
                report.errors.append(f"{message['MessageId']}: no EventBridge event in the message")
                continue
            if _deliver_with_backoff(
                event, deliver, backoff_delays(attempts, base_delay, max_delay, rng), sleep, report
            ):
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                report.delivered += 1
            else:
                report.failed += 1
    return report


def _deliver_with_backoff(
    event: dict[str, Any],
    deliver: Deliver,
    delays: list[float],
    sleep: Callable[[float], None],
    report: RedriveReport,
) -> bool:
    for delay in [*delays, None]:
        try:
            deliver(event)
            return True
        except Exception as error:  # noqa: BLE001 - any failure of the delivery is retried, then reported
            if delay is None:
                report.errors.append(f"{event.get('id')}: {type(error).__name__}: {error}")
                return False
            sleep(delay)
    return False
