"""Recording outcomes: grouping into BatchUpdateFindings calls, notes, and the loop guard."""

from __future__ import annotations

from engine.notes import NOTE_LIMIT, note_for
from engine.parse import parse_event
from engine.resolve import BATCH_LIMIT, needs_update, plan_updates
from localaws.events import load_event
from model.outcome import ApiCall, Change, Outcome, Status

FINDING = parse_event(load_event("securityhub-imported-s3.17-consolidated.json")).findings[0]


def outcome(index: int, status: Status = Status.REMEDIATED, **fields: object) -> Outcome:
    finding = FINDING._replace(finding_id=f"{FINDING.finding_id}-{index}")
    return Outcome(
        finding=finding,
        status=status,
        rule_id="s3-bucket-kms-encryption",
        remediation="s3.enable-default-encryption",
        changes=(Change("SSEAlgorithm", None, "aws:kms"),),
        **fields,  # type: ignore[arg-type]
    )


def test_identical_updates_share_calls_of_at_most_100_findings() -> None:
    updates = plan_updates([outcome(i) for i in range(250)])
    assert [len(u.identifiers) for u in updates] == [100, 100, 50]
    assert all(u.workflow_status == "RESOLVED" for u in updates)
    assert BATCH_LIMIT == 100


def test_different_notes_or_statuses_never_share_a_call() -> None:
    outcomes = [
        outcome(1),
        outcome(2, Status.FAILED, reason="AccessDenied"),
        outcome(3, Status.ALREADY_COMPLIANT),
    ]
    updates = plan_updates(outcomes)
    assert sorted(u.workflow_status or "" for u in updates) == ["NOTIFIED", "RESOLVED", "RESOLVED"]


def test_note_is_cut_to_security_hub_limit() -> None:
    many = tuple(Change(f"ingress sgr-{i:017x}", "tcp 0-65535 from 0.0.0.0/0", "revoked") for i in range(40))
    long = outcome(1)._replace(changes=many)
    note = note_for(long)
    assert len(note) <= NOTE_LIMIT and note.endswith("(full report in the engine's logs)")


def test_loop_guard_skips_an_update_that_changes_nothing() -> None:
    planned = outcome(1, Status.PLANNED)
    note = note_for(planned)
    echoed = planned._replace(finding=planned.finding._replace(note_text=note))
    assert needs_update(planned, note)
    assert not needs_update(echoed, note)


def test_transient_failures_are_not_noted_before_the_retry() -> None:
    assert not needs_update(outcome(1, Status.FAILED, retryable=True), "x")


def test_report_keeps_what_was_sent_for_the_logs() -> None:
    sent = ApiCall("revoke_security_group_ingress", {"GroupId": "sg-1", "SecurityGroupRuleIds": ["sgr-1"]})
    assert outcome(1, calls=(sent,)).report()["request"] == [
        {
            "method": "revoke_security_group_ingress",
            "params": {"GroupId": "sg-1", "SecurityGroupRuleIds": ["sgr-1"]},
        }
    ]
