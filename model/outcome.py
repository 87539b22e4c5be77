"""What a remediation plans and what the engine reports for each finding.

A `Plan` is computed from the state read from AWS and the rule's parameters alone, so the
same object serves the dry-run report, the note on the finding and the undo record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from model.finding import Finding

Json = Any  # a value json.dumps accepts


@dataclass(frozen=True, slots=True)
class Change:
    """One setting that a remediation changes, before → after."""

    field: str
    before: Json
    after: Json

    def describe(self) -> str:
        return f"{self.field}: {_short(self.before)} → {_short(self.after)}"


@dataclass(frozen=True, slots=True)
class Plan:
    """The exact changes a remediation will make; no changes means already compliant.

    `request` carries what `apply` needs (for example the API payload), and `undo` what the
    undo command needs to put the old state back.
    """

    changes: tuple[Change, ...] = ()
    request: Mapping[str, Json] = field(default_factory=dict)
    undo: Mapping[str, Json] = field(default_factory=dict)

    @property
    def compliant(self) -> bool:
        return not self.changes


class Status(StrEnum):
    """How the engine finished with a finding; every finding ends in exactly one."""

    REMEDIATED = "remediated"
    ALREADY_COMPLIANT = "already-compliant"
    PLANNED = "planned"  # dry-run: nothing was written
    SKIPPED = "skipped"
    HELD = "held"  # flap breaker: changed too often lately, left for a person to look at
    FAILED = "failed"


#: Security Hub workflow status each outcome sets; None leaves the workflow as it is.
WORKFLOW_FOR_STATUS: Mapping[Status, str | None] = {
    Status.REMEDIATED: "RESOLVED",
    Status.ALREADY_COMPLIANT: "RESOLVED",
    Status.PLANNED: None,
    Status.SKIPPED: None,
    Status.HELD: "NOTIFIED",
    Status.FAILED: "NOTIFIED",
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result for one finding, as reported by the handler and written to the finding."""

    finding: Finding
    status: Status
    rule_id: str | None = None
    remediation: str | None = None
    changes: tuple[Change, ...] = ()
    reason: str = ""
    error_code: str = ""
    undo: Mapping[str, Json] = field(default_factory=dict)
    request: Mapping[str, Json] = field(default_factory=dict)  # what was sent (rule ids, policy…)
    retryable: bool = False
    safety_skip: bool = False  # skipped by an exclusion: worth telling someone

    @property
    def workflow_status(self) -> str | None:
        return WORKFLOW_FOR_STATUS[self.status]

    def report(self) -> dict[str, Json]:
        """The JSON-able line the handler returns for this finding."""
        return {
            "finding": self.finding.key,
            "status": self.status.value,
            "rule": self.rule_id,
            "remediation": self.remediation,
            "changes": [c.describe() for c in self.changes],
            "reason": self.reason,
            "error_code": self.error_code or None,
            "request": dict(self.request) or None,
        }


def _short(value: Json) -> str:
    if value is None:
        return "none"
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)
