"""Delivering events to the local stack as EventBridge would, and reading findings back.

Shared by the demo's steps (`demo/run.py`, `demo/baseline.py`): each event goes to the functions
whose template rules match it, each function's outcome per finding is recorded on its `Row`, and
Security Hub's echo of every finding the engine updated is delivered too (`Echoes`: the loop guard
must keep those from writing anything again).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from demo import asff, ocsf
from demo.local_aws import HUB_ACCOUNT, REGION
from demo.report import Row
from demo.stack import LocalStack
from localaws.recorder import CallRecorder


@dataclass
class Echoes:
    """Security Hub's Imported events for the engine's own updates: sent, routed, and what they wrote."""

    sent: int = 0
    matched: int = 0
    wrote: int = 0  # notes, workflow changes and notifications the echoes caused: must stay 0


#: Calls an echo's delivery must not make: the loop guard keeps a finding from being re-noted forever.
ECHO_WRITES = ("securityhub.BatchUpdateFindings", "securityhub.BatchUpdateFindingsV2", "sns.Publish")


def deliver(
    stack: LocalStack,
    event: Mapping[str, Any],
    rows: Sequence[Row],
    run: str,
    echoes: Echoes,
    calls: CallRecorder,
) -> None:
    """Route the event, record each function's outcome per finding, then deliver Security Hub's echo."""
    by_id = {row.id: row for row in rows}
    touched: set[str] = set()
    for handled in stack.deliver(event):
        for line in handled.report.get("findings", []):
            if line["finding"] in by_id:
                by_id[line["finding"]].record(run, handled.function, line)
                touched.add(line["finding"])
    securityhub = stack.session.client("securityhub")
    # BatchUpdateFindings re-emits an Imported event per finding; whether BatchUpdateFindingsV2
    # re-emits is not documented (ocsf.md §1), so the demo assumes it does.
    for finding_id in sorted(touched):
        row = by_id[finding_id]
        echo = imported_event(row, get_finding(securityhub, row))
        echoes.sent += 1
        if stack.routes.functions_for(echo):
            echoes.matched += 1
            before = sum(calls.count(call) for call in ECHO_WRITES)
            stack.deliver(echo)
            echoes.wrote += sum(calls.count(call) for call in ECHO_WRITES) - before


def read_back(securityhub: Any, rows: Sequence[Row], run: str) -> None:
    for row in rows:
        found = get_finding(securityhub, row)
        row.workflow[run] = str(
            found.get("status", "?") if row.ocsf else found.get("Workflow", {}).get("Status", "?")
        )


def imported_event(row: Row, finding: Mapping[str, Any]) -> dict[str, Any]:
    """The event Security Hub sends for `finding`: Imported (ASFF) or Imported V2 (OCSF)."""
    if row.ocsf:
        return ocsf.imported_event(finding, HUB_ACCOUNT, REGION)
    return asff.imported_event(finding, HUB_ACCOUNT, REGION)


def get_finding(securityhub: Any, row: Row) -> dict[str, Any]:
    """The finding as Security Hub holds it now: GetFindingsV2 for an OCSF finding, else GetFindings."""
    if row.ocsf:
        equals = {"FieldName": "finding_info.uid", "Filter": {"Value": row.id, "Comparison": "EQUALS"}}
        found = securityhub.get_findings_v2(Filters={"CompositeFilters": [{"StringFilters": [equals]}]})
    else:
        found = securityhub.get_findings(Filters={"Id": [{"Value": row.id, "Comparison": "EQUALS"}]})
    first: Mapping[str, Any] = found["Findings"][0]
    return dict(first)


def chunks(rows: Sequence[Row], size: int) -> list[Sequence[Row]]:
    return [rows[start : start + size] for start in range(0, len(rows), size)]
