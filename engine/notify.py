"""Tell people about findings the engine could not or would not fix.

The message is short and secret-free by construction: ids, account, region, control, rule
and the error. It never carries the finding body or the before-state; a fix waiting for a person
adds its plan (the changes the note shows, which name settings, never secrets) and how to apply
or approve it.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from engine.notes import APPLY_HINT, note_for
from engine.resolve import needs_update
from model.outcome import Outcome, Status

NOTIFY_STATUSES = frozenset({Status.FAILED, Status.HELD})
SUBJECT_LIMIT = 100


def should_notify(outcome: Outcome) -> bool:
    """Failures, held (flapping) findings, findings skipped for safety (exclusions), and fixes
    waiting for a person, each once: a Security Hub finding whose note already says so (a
    re-import, or the echo of the engine's own note, which Security Hub re-emits as an Imported
    event) is not announced again, so every failure reaches people once, not twice. A Config
    event has no note; Config sends one only when compliance changes.
    """
    if outcome.quiet:  # one notification per blast-radius window (engine/blast_radius.py)
        return False
    notable = (
        outcome.status is Status.WAITING
        or outcome.status in NOTIFY_STATUSES
        or (outcome.status is Status.SKIPPED and outcome.safety_skip)
    )
    return notable and (not outcome.finding.finding_id or needs_update(outcome, note_for(outcome)))


def message_for(outcome: Outcome) -> dict[str, Any]:
    finding = outcome.finding
    return {
        "status": outcome.status.value,
        "finding": finding.key,
        "account": finding.account_id,
        "region": finding.region,
        "control": finding.control_id or finding.config_rule_name,
        "rule": outcome.rule_id,
        "error": outcome.error_code or None,
        "reason": outcome.reason[:300],
        **waiting_fields(outcome),
    }


def waiting_fields(outcome: Outcome) -> dict[str, Any]:
    """For a fix waiting for a person: the plan (what would change) and how to apply or approve it."""
    if outcome.status is not Status.WAITING:
        return {}
    return {
        "plan": [change.describe()[:200] for change in outcome.changes[:10]],
        "how": outcome.hint or APPLY_HINT,
    }


def publish(outcome: Outcome, sns: Any, topic_arn: str) -> str:
    """Publish one notification; returns a problem description, or '' on success."""
    message = message_for(outcome)
    subject = f"sechub-remediator: {message['status']} {message['control'] or ''} in {message['account']}"
    try:
        sns.publish(TopicArn=topic_arn, Subject=subject[:SUBJECT_LIMIT], Message=json.dumps(message))
    except (ClientError, BotoCoreError) as error:
        return f"notification for {finding_key(outcome)} failed: {error}"
    return ""


def finding_key(outcome: Outcome) -> str:
    return outcome.finding.key
