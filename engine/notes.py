"""The text the engine writes on a finding: what changed, by which rule, or why not.

Security Hub keeps at most 512 characters in `Note.Text`, and `BatchUpdateFindingsV2` takes as
many in an OCSF finding's `Comment`; the note is cut at a word with a pointer to the full report
in the logs rather than failing the update. A waiting note cuts its
list of changes instead, so the way to apply the fix is always there to read.
"""

from __future__ import annotations

from engine.blast_radius import LIMIT_CODE
from model.outcome import Outcome, Status

NOTE_LIMIT = 512
PREFIX = "[sechub-remediator]"
#: How a person applies a fix that waits for them (engine/decide.py `waits_for_person`).
APPLY_HINT = "Run the custom action (or `remediator invoke --approve`) to apply."


def note_for(outcome: Outcome) -> str:
    if outcome.status is Status.WAITING:
        return waiting_note(outcome)
    rule = f"rule {outcome.rule_id} ({outcome.remediation})" if outcome.rule_id else ""
    changes = "; ".join(change.describe() for change in outcome.changes)
    text = {
        Status.REMEDIATED: f"Remediated by {rule}: {changes}",
        Status.ALREADY_COMPLIANT: f"Remediated by {rule} on an earlier delivery, {outcome.earlier}"
        if outcome.earlier
        else f"Already compliant, nothing changed ({rule}).",
        Status.PLANNED: f"Dry run, nothing changed. {rule} would change: {changes}",
        Status.SKIPPED: f"Not remediated: {outcome.reason}.",
        Status.HELD: f"Not remediated: {outcome.reason}."
        if outcome.error_code == LIMIT_CODE
        else f"Not remediated: {outcome.reason}. Something keeps reverting this resource ({rule}); check the pipelines or people that manage it.",
        Status.FAILED: f"Remediation failed ({rule}): {outcome.reason}",
    }[outcome.status]
    return truncate(f"{PREFIX} {text} {outcome.remark}" if outcome.remark else f"{PREFIX} {text}")


def waiting_note(outcome: Outcome) -> str:
    """What a waiting fix would change and how to apply it (or approve it: `Outcome.hint`); the
    changes are cut, never the hint."""
    remark = f"{outcome.remark} " if outcome.remark else ""
    head = f"{PREFIX} {remark}Waiting for a person: {outcome.reason}. It would change: "
    tail = f". {outcome.hint or APPLY_HINT}"
    changes = "; ".join(change.describe() for change in outcome.changes)
    return head + truncate(changes, NOTE_LIMIT - len(head) - len(tail)) + tail


def truncate(text: str, limit: int = NOTE_LIMIT) -> str:
    if len(text) <= limit:
        return text
    tail = " … (full report in the engine's logs)"
    return text[: limit - len(tail)].rsplit(" ", 1)[0] + tail
