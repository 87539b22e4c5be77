"""What a remediation plans and what the engine reports for each finding.

A `Plan` is computed from the state read from AWS and the rule's parameters alone, so the
same object serves the dry-run report, the note on the finding and the undo record.

The small immutable values (`Change`, `ApiCall`, `Plan`) are NamedTuples: a frozen dataclass
costs every cold start ~0.5 ms to create (its methods are compiled by `exec` at import), a
NamedTuple a third of that.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any, NamedTuple

from model.finding import Finding

Json = Any  # a value json.dumps accepts


class Change(NamedTuple):
    """One setting that a remediation changes, before → after."""

    field: str
    before: Json
    after: Json

    def describe(self) -> str:
        return f"{self.field}: {_short(self.before)} → {_short(self.after)}"


class ApiCall(NamedTuple):
    """One request a plan makes: the boto3 client method and its exact parameters.

    `tolerate` lists error codes that mean the call's effect is already there (a rule that
    exists, a policy already gone), so running a plan twice is not an error.
    """

    method: str
    params: Mapping[str, Json] = MappingProxyType({})
    tolerate: tuple[str, ...] = ()

    def report(self) -> dict[str, Json]:
        return {"method": self.method, "params": dict(self.params)}


class Plan(NamedTuple):
    """The exact changes a remediation (or a revert) will make; no calls means nothing to do.

    `changes` say what moves, before → after, for the note; `calls` are what `apply` sends;
    `after` is the state the resource will read as once the calls are made (the undo record
    keeps it, so a revert can tell whether someone changed the resource since); `notes` are
    remarks a person should read, such as a stricter setting a revert keeps.
    """

    changes: tuple[Change, ...] = ()
    calls: tuple[ApiCall, ...] = ()
    after: Json = None
    notes: tuple[str, ...] = ()

    @property
    def compliant(self) -> bool:
        return not self.calls


class Status(StrEnum):
    """How the engine finished with a finding; every finding ends in exactly one."""

    REMEDIATED = "remediated"
    ALREADY_COMPLIANT = "already-compliant"
    PLANNED = "planned"  # dry-run: nothing was written
    WAITING = "waiting"  # a manual or approve rule's automatic event: planned, not written, a person decides
    SKIPPED = "skipped"
    HELD = "held"  # flap breaker or blast-radius limit (error_code says which): left for a person or a later window
    FAILED = "failed"


#: Security Hub workflow status each outcome sets; None leaves the workflow as it is.
WORKFLOW_FOR_STATUS: Mapping[Status, str | None] = {
    Status.REMEDIATED: "RESOLVED",
    Status.ALREADY_COMPLIANT: "RESOLVED",
    Status.PLANNED: None,
    # A person must act, as for held and failed findings (Security Hub: "NOTIFIED … needs
    # intervention from the resource owner"); still NEW-or-NOTIFIED, so a rule made automatic
    # later fixes it on the next import.
    Status.WAITING: "NOTIFIED",
    Status.SKIPPED: None,
    Status.HELD: "NOTIFIED",
    Status.FAILED: "NOTIFIED",
}


class Outcome(NamedTuple):
    """The result for one finding, as reported by the handler and written to the finding."""

    finding: Finding
    status: Status
    rule_id: str | None = None
    remediation: str | None = None
    changes: tuple[Change, ...] = ()
    reason: str = ""
    error_code: str = ""
    calls: tuple[ApiCall, ...] = ()  # what was sent, or would be in a dry run (rule ids, policy…)
    before: Json = None  # the state read, kept in the undo record
    after: Json = None  # the state the calls leave, so a revert can tell a later change
    dry_run: bool = False  # this finding's effective dry-run: stack, rule or invocation
    retryable: bool = False
    safety_skip: bool = False  # skipped by an exclusion: worth telling someone
    earlier: str = ""  # compliant because this engine changed it on an earlier delivery: what, when
    quiet: bool = False  # held by a blast-radius window an earlier hold already notified about
    remark: str = ""  # said on the note whatever the status: an exception that expired (who, why, when)
    hint: str = ""  # how a person applies a waiting fix, when not the custom action (an approval)

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
            "reason": self.reason or self.earlier,
            "error_code": self.error_code or None,
            "request": [call.report() for call in self.calls] or None,
            "dry_run": self.dry_run,
            "remark": self.remark or None,
        }


def _short(value: Json) -> str:
    if value is None:
        return "none"
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)
