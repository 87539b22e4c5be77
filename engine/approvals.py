"""Approvals from the Security Hub console: a stored plan, applied only as it was planned.

For a rule in `approve` mode (rules/modes.py) an automatic event reads and plans like any other
(engine/remediate.py), then the plan waits here, in the state table, beside the resource's claim
item (pk: the resource key, sk `approval`), with a digest of the state it was planned from: the
canonical JSON of what the remediation read (sorted keys, no spaces), hashed with SHA-256. The
note on the finding and the notification say what would change and how to approve; the workflow
goes to NOTIFIED (`Status.WAITING`).

A person approves with the second custom action, "Approve remediation": the engine reads the
resource again and applies only if it reads with the stored digest, so what is applied is the plan
the person saw (a plan is a pure function of the state read and the rule's parameters). Otherwise
it plans again, stores the new plan and asks again, and the note says why: the resource changed
since the plan, the approval expired (`Settings.approval_days`, stack parameter
`ApprovalExpiryDays`), or no plan was waiting. Who may approve is whoever may use that custom
action in the console (README, section "Safety model").

A re-import of a finding whose plan still waits, unchanged, keeps the stored plan and its expiry:
the note reads the same, so the finding is not updated and nobody is notified twice.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from botocore.exceptions import BotoCoreError, ClientError

from engine.decide import Decision
from engine.table import TableStore, item_key
from model.finding import Finding
from model.outcome import Outcome, Status

if TYPE_CHECKING:
    pass

APPROVAL_SK = "approval"
#: The custom action's display name (stack parameter ApproveActionTargetId is its id).
APPROVE_ACTION_NAME = "Approve remediation"
#: An expired approval is kept this long after it expires, so a late click is told it expired.
KEEP_EXPIRED_DAYS = 30
DAY = 86400


def state_digest(state: Any) -> str:
    """SHA-256 of the canonical JSON of what the remediation read."""
    canonical = json.dumps(state, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Approval(NamedTuple):
    """A plan waiting for a person."""

    digest: str
    finding_id: str
    planned_at: float
    approve_by: float
    changes: tuple[str, ...] = ()

    def expired(self, now: float) -> bool:
        return now >= self.approve_by


class ApprovalStore(TableStore):
    """One approval item per resource and rule in the stack's state table."""

    def load(self, key: str) -> Approval | None:
        item = self._client.get_item(
            TableName=self._table, Key={"pk": {"S": key}, "sk": {"S": APPROVAL_SK}}, ConsistentRead=True
        ).get("Item")
        if not item:
            return None
        return Approval(
            digest=item["digest"]["S"],
            finding_id=item["finding_id"]["S"],
            planned_at=float(item["planned_at"]["N"]),
            approve_by=float(item["approve_by"]["N"]),
            changes=tuple(json.loads(item["changes"]["S"])),
        )

    def save(self, key: str, approval: Approval) -> None:
        self._client.put_item(
            TableName=self._table,
            Item={
                "pk": {"S": key},
                "sk": {"S": APPROVAL_SK},
                "digest": {"S": approval.digest},
                "finding_id": {"S": approval.finding_id},
                "planned_at": {"N": f"{approval.planned_at:.3f}"},
                "approve_by": {"N": str(int(approval.approve_by))},
                "changes": {"S": json.dumps(list(approval.changes))},
                "expires_at": {"N": str(int(approval.approve_by + KEEP_EXPIRED_DAYS * DAY))},
            },
        )

    def delete(self, key: str) -> None:
        self._client.delete_item(TableName=self._table, Key={"pk": {"S": key}, "sk": {"S": APPROVAL_SK}})


#: Runs a decision the way the engine does (claim, journal, remediate) and returns its outcome.
Act = Callable[[Decision], Outcome]


class Approvals:
    def __init__(
        self, store: ApprovalStore, days: int, action_id: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.store, self.days, self.action_id, self.clock = store, days, action_id, clock

    def handles(self, finding: Finding, decision: Decision) -> bool:
        """An approval asked for (the Approve action) or to ask for (an approve rule's automatic event)."""
        return finding.action_id == self.action_id or (decision.mode == "approve" and bool(decision.waiting))

    def run(self, finding: Finding, decision: Decision, act: Act) -> Outcome:
        key = approval_key(decision)
        try:
            if finding.action_id != self.action_id:
                return self._ask(act(decision), key)
            if decision.dry_run:  # a dry-run stack, rule or environment: plans, whoever asks
                return act(decision)
            return self._approve(decision, key, act)
        except (ClientError, BotoCoreError) as error:
            return Outcome(
                finding=finding,
                status=Status.FAILED,
                rule_id=decision.rule.id,
                remediation=decision.rule.remediation.name,
                reason=f"state table (approvals): {error}",
                retryable=True,
            )

    def _approve(self, decision: Decision, key: str, act: Act) -> Outcome:
        stored = self.store.load(key)
        now = self.clock()
        if stored is None:
            why = "no plan was waiting for an approval: planned now"
        elif stored.expired(now):
            why = f"the approval of the plan of {_day(stored.planned_at)} expired on {_day(stored.approve_by)}: planned again"
        else:
            outcome = act(decision._replace(approved=stored.digest))
            if outcome.status is Status.WAITING:  # read with another digest: nothing was written
                return self._ask(
                    outcome,
                    key,
                    f"the resource changed since the plan of {_day(stored.planned_at)}: planned again",
                )
            if outcome.status in (Status.REMEDIATED, Status.ALREADY_COMPLIANT):
                self.store.delete(key)
            return outcome
        return self._ask(act(decision._replace(dry_run=True, waiting=waiting_reason(decision))), key, why)

    def _ask(self, outcome: Outcome, key: str, why: str = "") -> Outcome:
        """Store the plan of a waiting outcome (or keep the same one still waiting) and say how to approve."""
        if outcome.status is not Status.WAITING:
            return outcome
        digest, now = state_digest(outcome.before), self.clock()
        approval = self.store.load(key) if not why else None
        if approval is not None and approval.expired(now):
            why = f"the approval of the plan of {_day(approval.planned_at)} expired on {_day(approval.approve_by)}: planned again"
        if approval is None or approval.digest != digest or approval.expired(now):
            approval = Approval(
                digest=digest,
                finding_id=outcome.finding.key,
                planned_at=now,
                approve_by=now + self.days * DAY,
                changes=tuple(change.describe() for change in outcome.changes),
            )
            self.store.save(key, approval)
        return outcome._replace(
            reason=f"{why}; {outcome.reason}" if why else outcome.reason,
            hint=f"Approve with the custom action '{APPROVE_ACTION_NAME}' by {_day(approval.approve_by)}"
            " (or `remediator invoke --approve`).",
        )


def approval_key(decision: Decision) -> str:
    return item_key(decision.resource, decision.rule.id)


def waiting_reason(decision: Decision) -> str:
    return decision.waiting or f"rule {decision.rule.id} needs an approval"


def _day(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")
