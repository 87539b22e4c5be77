"""`remediator invoke EVENT_FILE`: the handler's path for one sample event, from a terminal.

Same parse → route → remediate → resolve as the deployed function (`Engine.handle`), against
whatever the session points at: an account, or a moto server with --endpoint-url.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from cli.errors import EXIT_FINDINGS_FAILED, EXIT_OK, CommandError
from cli.wiring import engine_from
from model.errors import RetryLaterError
from model.outcome import Status

#: Outcomes that make a command exit non-zero.
FAILING_STATUSES = frozenset({Status.FAILED.value})


def read_event(path: Path) -> dict[str, Any]:
    try:
        event = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror or error}") from error
    except ValueError as error:
        raise CommandError(f"{path} is not JSON: {error}") from error
    if not isinstance(event, dict):
        raise CommandError(f"{path} must hold one JSON object (an EventBridge event)")
    return event


def exit_code_for(report: dict[str, Any]) -> int:
    """Non-zero when a finding failed or an outcome could not be written back to Security Hub."""
    failed = any(line["status"] in FAILING_STATUSES for line in report.get("findings", []))
    return EXIT_FINDINGS_FAILED if failed or report.get("problems") else EXIT_OK


def run(args: argparse.Namespace) -> int:
    event = read_event(args.event_file)
    engine = engine_from(args)
    try:
        report = engine.handle(event)
    except RetryLaterError as error:  # Lambda would retry the event; a terminal just reports it
        report = {**error.report, "retry": str(error)}
        print(json.dumps(report, indent=2, default=str, ensure_ascii=False))
        return EXIT_FINDINGS_FAILED
    print(json.dumps(report, indent=2, default=str, ensure_ascii=False))
    return exit_code_for(report)
