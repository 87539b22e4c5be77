"""Every call is held to the invocation's remaining time (issue 12, point 11).

A hung call used to take 121 s of a 120 s function: every note of the event was lost and the
claims stayed held. Now no call starts that could outlive the invocation, findings not reached
are left to the retry, and notes and claim releases still go out before the deadline.
"""

from __future__ import annotations

from typing import Any, cast

import boto3
import pytest

from engine.deadline import (
    FLUSH_RESERVE_SECONDS,
    WORK_RESERVE_SECONDS,
    Deadline,
    DeadlineExceededError,
)
from engine.settings import Settings
from engine.state import STATE_SK
from localaws import estate
from localaws.engine_setup import create_state_table, make_engine
from localaws.events import load_event
from model.errors import RetryLaterError

TABLE = "remediator-state"
MIXED = "securityhub-custom-action-mixed.json"


class Timer:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_work_stops_before_the_flush_and_the_flush_before_the_end() -> None:
    timer = Timer()
    deadline = Deadline.from_remaining_ms(120_000, timer)
    deadline.check(home=False)
    timer.now += 120 - WORK_RESERVE_SECONDS + 0.1
    assert not deadline.may_work()
    with pytest.raises(DeadlineExceededError):
        deadline.check(home=False)
    deadline.check(home=True)  # notes and releases still go out
    timer.now += WORK_RESERVE_SECONDS - FLUSH_RESERVE_SECONDS
    with pytest.raises(DeadlineExceededError):
        deadline.check(home=True)


@pytest.fixture
def mixed_event(aws: None) -> dict[str, Any]:
    estate.enable_security_hub()
    estate.create_bucket()
    estate.set_weak_password_policy()
    create_state_table(TABLE)
    event = load_event(MIXED, {estate.SG_PLACEHOLDER: estate.create_open_security_group()})
    estate.import_findings(event)
    return event


def test_an_invocation_short_of_time_starts_nothing_and_is_retried(mixed_event: dict[str, Any]) -> None:
    engine, recorder = make_engine(Settings(home_account_id=estate.ACCOUNT, state_table=TABLE))
    with pytest.raises(RetryLaterError) as raised:
        engine.handle(mixed_event, lambda: int(WORK_RESERVE_SECONDS * 1000) - 1)
    findings = cast(list[dict[str, Any]], raised.value.report["findings"])
    lines = [line for line in findings if line["rule"]]
    assert len(lines) == 3 and {line["status"] for line in lines} == {"failed"}
    assert all(line["error_code"] == "DeadlineExceededError" for line in lines)
    assert not [call for call in recorder.calls if call.split(".")[0] in ("s3", "iam", "ec2")]
    assert estate.bucket_encryption() is None


def test_a_hung_call_spends_the_budget_the_rest_waits_and_notes_and_claims_still_go_out(
    mixed_event: dict[str, Any],
) -> None:
    engine, recorder = make_engine(Settings(home_account_id=estate.ACCOUNT, state_table=TABLE))
    timer = Timer()
    engine.timer = timer

    def hangs(**_: Any) -> None:
        timer.now += 90  # the bucket read hangs for 90 s of the 120

    engine.clients.session.events.register("before-call.s3.GetBucketEncryption", hangs)
    with pytest.raises(RetryLaterError) as raised:
        engine.handle(mixed_event, lambda: 120_000)
    lines = {
        line["finding"].split("/")[-3]: line
        for line in cast(list[dict[str, Any]], raised.value.report["findings"])
    }
    s3 = lines["S3.17"]
    assert (s3["status"], s3["error_code"]) == ("failed", "DeadlineExceededError")
    assert "s3.PutBucketEncryption" not in recorder.calls  # refused before it was sent
    assert estate.bucket_encryption() is None
    assert "iam.UpdateAccountPasswordPolicy" not in recorder.calls  # not started: left to the retry
    # The flush still ran: the finding no rule matches got its note, and no claim is left held.
    unmatched = next(f["Id"] for f in mixed_event["detail"]["findings"] if "Macie.1" in f["Id"])
    assert "Note" in estate.finding(unmatched)
    items = boto3.client("dynamodb", region_name=estate.REGION).scan(TableName=TABLE)["Items"]
    held = [item for item in items if item["sk"]["S"] == STATE_SK and "claim_owner" in item]
    assert items and not held
