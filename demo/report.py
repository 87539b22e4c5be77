"""The demo's before → after tables, from the engine's reports and the findings read back."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cli.table import render
from demo.asff import CIS_12_RULES
from demo.estate import FindingSpec, Piece


@dataclass
class Row:
    """One finding: where it came from, and what each pass did with it."""

    piece: Piece
    spec: FindingSpec
    account_id: str
    resource: str  # short, human name of the resource
    finding: dict[str, Any]  # the ASFF or OCSF finding as imported
    outcomes: dict[str, list[tuple[str, Mapping[str, Any]]]] = field(
        default_factory=dict
    )  # pass -> [(fn, line)]
    workflow: dict[str, str] = field(default_factory=dict)  # pass -> workflow (OCSF: status) read back

    @property
    def ocsf(self) -> bool:
        return self.spec.format == "ocsf"

    @property
    def id(self) -> str:
        return str(self.finding["finding_info"]["uid"] if self.ocsf else self.finding["Id"])

    @property
    def control(self) -> str:
        if self.spec.legacy:
            return f"{self.spec.control} (CIS 1.2.0 {CIS_12_RULES[self.spec.control]})"
        return f"{self.spec.control} (OCSF)" if self.ocsf else self.spec.control

    def status(self, run: str) -> str:
        lines = self.outcomes.get(run, [])
        if not lines:
            return "no function matched"
        return ", ".join(dict.fromkeys(str(line["status"]) for _, line in lines))

    def record(self, run: str, function: str, line: Mapping[str, Any]) -> None:
        self.outcomes.setdefault(run, []).append((function, line))


def before_after(rows: Sequence[Row], run: str, via: Mapping[str, str], accounts: Mapping[str, str]) -> str:
    table = []
    for row in rows:
        lines = row.outcomes.get(run, [])
        changes = [change for _, line in lines for change in line.get("changes", [])]
        reasons = [str(line["reason"]) for _, line in lines if line.get("reason")]
        functions = ", ".join(dict.fromkeys(function for function, _ in lines)) or "-"
        table.append(
            [
                accounts[row.account_id],
                row.resource,
                row.control,
                f"{via[row.id]}\n→ {functions}",
                row.status(run),
                "\n".join(changes or reasons or ["-"]),
                row.workflow.get(run, "?"),
            ]
        )
    headers = [
        "account",
        "resource",
        "control",
        "delivered",
        "outcome",
        "what changed (before → after)",
        "workflow",
    ]
    return render(headers, table)


def compact(rows: Sequence[Row], run: str, accounts: Mapping[str, str]) -> str:
    table = [
        [accounts[row.account_id], row.resource, row.control, row.status(run), row.workflow.get(run, "?")]
        for row in rows
    ]
    return render(["account", "resource", "control", "outcome", "workflow"], table)


NOTE_WIDTH = 100


def notes(found: Sequence[tuple[Row, Mapping[str, Any]]], accounts: Mapping[str, str]) -> str:
    """Each finding's workflow and note as Security Hub now holds them."""
    table = [
        [
            accounts[row.account_id],
            row.resource,
            row.control,
            str(finding.get("Workflow", {}).get("Status", "?")),
            textwrap.fill(str(finding.get("Note", {}).get("Text", "-")), NOTE_WIDTH),
        ]
        for row, finding in found
    ]
    return render(["account", "resource", "control", "workflow", "note"], table)
