"""`remediator history`: what the engine changed, when, where, by which rule, and whether it was undone.

Read from the stack's state table (STATE_TABLE_NAME) with the caller's own credentials, in the
table's Region (--region); `cli.history_store` says what a record holds and how long it is kept.
Formats: a table for a terminal, JSON (one object per change, `changes` a list) and CSV (changes
joined with "; ") for a spreadsheet or an auditor.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from cli import wiring
from cli.errors import EXIT_OK, EXIT_USAGE, CommandError
from cli.history_store import COLUMNS, Entry, read_history
from cli.table import render

FORMATS = ("table", "json", "csv")
UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
DEFAULT_SINCE = "24h"


def since_timestamp(value: str, now: float) -> float:
    """`24h`, `30m`, `7d`, `2w` back from `now`, or an ISO date/time (UTC unless it says otherwise)."""
    if match := re.fullmatch(r"(\d+)\s*([mhdw])", value.strip()):
        return now - int(match[1]) * UNITS[match[2]]
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(
            f"--since {value!r}: give a duration (30m, 24h, 7d, 2w) or a date (2026-12-01, 2026-12-01T08:00)",
            EXIT_USAGE,
        ) from None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def select(
    entries: Sequence[Entry], accounts: Sequence[str] = (), controls: Sequence[str] = ()
) -> list[Entry]:
    """Changes in any of `accounts` and of any of `controls` (control ids match case-insensitively)."""
    wanted = {control.upper() for control in controls}
    return [
        entry
        for entry in entries
        if (not accounts or entry.record.account_id in accounts)
        and (not wanted or entry.record.control_id.upper() in wanted)
    ]


def as_table(entries: Sequence[Entry]) -> str:
    if not entries:
        return "No changes recorded in that period."
    rows = []
    for entry in entries:
        line = entry.as_dict()
        rows.append(
            [
                line["when"],
                f"{line['account']}\n{line['region']}",
                entry.record.resource_name,  # the ARN is in JSON and CSV
                f"{line['control'] or '-'}\n{line['rule']}",
                line["delivery"] or "-",
                "\n".join(line["changes"]) or "-",
                line["status"] if line["status"] != "done" else "changed",
                line["reverted"] or "-",
            ]
        )
    headers = [
        "when (UTC)",
        "where",
        "resource",
        "control / rule",
        "delivery",
        "before → after",
        "",
        "reverted",
    ]
    return render(headers, rows)


def as_json(entries: Sequence[Entry]) -> str:
    return json.dumps([entry.as_dict() for entry in entries], indent=2, ensure_ascii=False)


def as_csv(entries: Sequence[Entry]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for entry in entries:
        line: dict[str, Any] = entry.as_dict()
        writer.writerow({**line, "changes": "; ".join(line["changes"])})
    return out.getvalue().rstrip("\n")


RENDER: dict[str, Callable[[Sequence[Entry]], str]] = {"table": as_table, "json": as_json, "csv": as_csv}


def run(args: argparse.Namespace, clock: Callable[[], float] = time.time) -> int:
    settings = wiring.settings_from(args)
    if not settings.state_table:
        raise CommandError(
            "no state table: set STATE_TABLE_NAME to the stack's table (its output StateTableName)"
        )
    now = clock()
    since = since_timestamp(args.since, now)
    client: Any = wiring.session_from(args).client("dynamodb", endpoint_url=args.endpoint_url or None)
    entries = select(
        list(read_history(client, settings.state_table, since=since, now=now)), args.account, args.control
    )
    print(RENDER[args.format](entries))
    return EXIT_OK
