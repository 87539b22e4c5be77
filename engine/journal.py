"""The write-ahead undo record of one remediation: intent before the first call, then each step.

The record lives on the resource's claimed state item (`engine.state`), so it is keyed by
resource and control whatever produced the finding, and a write succeeds only while this
delivery still holds the claim. Order of writes, and what survives each failure:

1. intent (before-state, planned calls) — fails: nothing was changed, the finding is retried;
2. after each call but the last of a plan with several, the count applied — the function may
   die between calls; the record then says which calls are known to be done;
3. the outcome, with the claim's release — fails: the intent (and its before-state) is there,
   and the next delivery finishes the record.

A delivery that finds an unfinished record keeps its `before`, so a retry after a half-applied
plan never replaces the state before this engine's first change with a half-changed one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from engine.state import Claim, StateStore
from model.errors import StateStoreError
from model.finding import Finding, FindingSource, Resource
from model.outcome import Outcome, Plan, Status
from model.undo import DONE, FAILED, INTENT, PARTIAL, UndoRecord

#: How each input reached the engine, as `remediator history` shows it.
DELIVERY: dict[FindingSource, str] = {
    FindingSource.IMPORTED: "Imported",
    FindingSource.IMPORTED_V2: "Imported V2",
    FindingSource.CONFIG: "Config",
    FindingSource.CUSTOM_ACTION: "custom action",
}
#: A finding the `remediator` command sent (invoke, sweep), whatever the event's shape.
DELIVERY_CLI = "cli"


def delivery_of(finding: Finding, run_by_cli: bool = False) -> str:
    return DELIVERY_CLI if run_by_cli else DELIVERY[finding.source]


@dataclass
class Journal:
    store: StateStore
    claim: Claim
    finding_key: str
    remediation: str
    rule_id: str
    resource: Resource
    parameters: dict[str, Any]
    clock: Callable[[], float]
    delivery: str = ""  # `delivery_of` the finding
    control_id: str = ""  # the rule's (consolidated) control id, else the finding's
    record: UndoRecord | None = None  # this delivery's, once the intent is written

    @property
    def applied(self) -> int:
        return self.record.applied if self.record else 0

    def earlier(self) -> str:
        """What this engine changed on the resource before, for the note of a later delivery."""
        record = self.claim.record
        if record is None or not record.changed_anything:
            return ""
        when = datetime.fromtimestamp(record.changed_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"changed by this engine at {when}: {'; '.join(record.changes) or 'see the undo record'}"

    def intent(self, before: Any, plan: Plan) -> None:
        """Write the record before the first call; keeps an unfinished earlier record's before-state."""
        previous = self.claim.record
        if previous is not None and not previous.finished:
            before = previous.before
        self.record = UndoRecord.of(
            finding_id=self.finding_key,
            remediation=self.remediation,
            rule_id=self.rule_id,
            resource=self.resource,
            parameters=self.parameters,
            before=before,
            after=plan.after,
            changed_at=self.clock(),
            calls=[call.report() for call in plan.calls],
            changes=[change.describe() for change in plan.changes],
            delivery=self.delivery,
            control_id=self.control_id,
        )
        self._save(self.record, pointer=True)

    def step(self, applied: int) -> None:
        """Record that the first `applied` calls succeeded (written only while more remain)."""
        assert self.record is not None
        self.record = replace(self.record, applied=applied)
        if applied < len(self.record.calls):
            self._save(self.record)

    def outcome(self, result: Outcome) -> UndoRecord | None:
        """The record's final form for the release, or None when it stays as it is."""
        if self.record is not None:
            if result.status is Status.REMEDIATED:
                return replace(self.record, status=DONE, applied=len(self.record.calls))
            if self.record.applied:  # what the failed plan left, read back (None if unreadable)
                return replace(self.record, status=PARTIAL, after=result.after)
            return replace(self.record, status=FAILED)
        previous = self.claim.record
        if (
            result.status is Status.ALREADY_COMPLIANT
            and previous is not None
            and previous.status in (INTENT, PARTIAL)
        ):
            # An earlier delivery stopped after its intent or mid-plan; the resource now reads as fixed.
            return replace(previous, status=DONE)
        return None

    def _save(self, record: UndoRecord, pointer: bool = False) -> None:
        try:
            self.store.save_record(self.claim, record, pointer=pointer)
        except (ClientError, BotoCoreError) as error:
            raise StateStoreError(f"undo record not written, nothing more is changed: {error}") from error
