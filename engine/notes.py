"""The text the engine writes on a finding: what changed, by which rule, or why not.

Security Hub keeps at most 512 characters in `Note.Text`; the note is cut at a word with a
pointer to the full report in the logs rather than failing the update.
"""

from __future__ import annotations

from model.outcome import Outcome, Status

NOTE_LIMIT = 512
PREFIX = "[sechub-remediator]"


def note_for(outcome: Outcome) -> str:
    rule = f"rule {outcome.rule_id} ({outcome.remediation})" if outcome.rule_id else ""
    changes = "; ".join(change.describe() for change in outcome.changes)
    text = {
        Status.REMEDIATED: f"Remediated by {rule}: {changes}",
        Status.ALREADY_COMPLIANT: f"Remediated by {rule} on an earlier delivery, {outcome.earlier}"
        if outcome.earlier
        else f"Already compliant, nothing changed ({rule}).",
        Status.PLANNED: f"Dry run, nothing changed. {rule} would change: {changes}",
        Status.SKIPPED: f"Not remediated: {outcome.reason}.",
        Status.HELD: f"Not remediated: {outcome.reason}. Something keeps reverting this resource ({rule}); check the pipelines or people that manage it.",
        Status.FAILED: f"Remediation failed ({rule}): {outcome.reason}",
    }[outcome.status]
    return truncate(f"{PREFIX} {text}")


def truncate(text: str, limit: int = NOTE_LIMIT) -> str:
    if len(text) <= limit:
        return text
    tail = " … (full report in the engine's logs)"
    return text[: limit - len(tail)].rsplit(" ", 1)[0] + tail
