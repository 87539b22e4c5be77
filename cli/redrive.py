"""`remediator redrive QUEUE_URL`: deliver the dead-letter queue's events again.

By default each event runs through the engine here, with the function's settings from the
environment; `--function NAME` invokes the deployed function instead (synchronously, so a
failure is seen and retried). Backoff and jitter: `cli.redrive_queue`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cli.redrive_queue import redrive
from cli.wiring import engine_from, session_from
from model.errors import RemediationError


class FunctionFailedError(RemediationError):
    """The deployed function answered with an error for a redriven event."""


def run(args: argparse.Namespace) -> int:
    session = session_from(args)
    endpoint_url = args.endpoint_url or None
    if args.function:
        lambda_client = session.client("lambda", endpoint_url=endpoint_url)

        def deliver(event: dict[str, Any]) -> None:
            response = lambda_client.invoke(
                FunctionName=args.function,
                InvocationType="RequestResponse",
                Payload=json.dumps(event).encode(),
            )
            if response.get("FunctionError"):
                raise FunctionFailedError(response["Payload"].read().decode()[:500])

    else:
        engine = engine_from(args)

        def deliver(event: dict[str, Any]) -> None:
            engine.handle(event)

    report = redrive(
        session.client("sqs", endpoint_url=endpoint_url), args.queue_url, deliver, attempts=args.attempts
    )
    print(
        f"redrive: {report.delivered} delivered, {report.failed} still failing (left in the queue), "
        f"{report.unreadable} without an event",
        file=sys.stderr,
    )
    for error in report.errors if args.verbose else report.errors[:5]:
        print(f"  {error}", file=sys.stderr)
    return 0 if not report.failed and not report.unreadable else 1
