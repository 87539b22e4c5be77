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
    """The note for `outcome`; only its own status's text is built (this runs for every finding)."""
    if outcome.status is Status.WAITING:
        return waiting_note(outcome)
    text = _status_text(outcome)
    return truncate(f"{PREFIX} {text} {outcome.remark}" if outcome.remark else f"{PREFIX} {text}")


def _status_text(outcome: Outcome) -> str:
    rule = f"rule {outcome.rule_id} ({outcome.remediation})" if outcome.rule_id else ""
    match outcome.status:
        case Status.REMEDIATED:
            return f"Remediated by {rule}: {_changes(outcome)}"
        case Status.ALREADY_COMPLIANT if outcome.earlier:
            return f"Remediated by {rule} on an earlier delivery, {outcome.earlier}"
        case Status.ALREADY_COMPLIANT:
            return f"Already compliant, nothing changed ({rule})."
        case Status.PLANNED:
            return f"Dry run, nothing changed. {rule} would change: {_changes(outcome)}"
        case Status.SKIPPED:
            return f"Not remediated: {outcome.reason}."
        case Status.HELD if outcome.error_code == LIMIT_CODE:
            return f"Not remediated: {outcome.reason}."
        case Status.HELD:
            return (
                f"Not remediated: {outcome.reason}. Something keeps reverting this resource ({rule}); "
                "check the pipelines or people that manage it."
            )
        case Status.FAILED:
            return f"Remediation failed ({rule}): {outcome.reason}"
    raise KeyError(outcome.status)


def _changes(outcome: Outcome) -> str:
    return "; ".join(change.describe() for change in outcome.changes)


def waiting_note(outcome: Outcome) -> str:
    """What a waiting fix would change and how to apply it (or approve it: `Outcome.hint`); the
    changes are cut, never the hint."""
    remark = f"{outcome.remark} " if outcome.remark else ""
    head = f"{PREFIX} {remark}Waiting for a person: {outcome.reason}. It would change: "
    tail = f". {outcome.hint or APPLY_HINT}"
    return head + truncate(_changes(outcome), NOTE_LIMIT - len(head) - len(tail)) + tail


def truncate(text: str, limit: int = NOTE_LIMIT) -> str:
    if len(text) <= limit:
        return text
    tail = " … (full report in the engine's logs)"
    return text[: limit - len(tail)].rsplit(" ", 1)[0] + tail
