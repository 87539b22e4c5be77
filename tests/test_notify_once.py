"""A failure reaches people once: Security Hub re-emits the engine's own note as an Imported
event (the echo), and re-imports the finding on its next check; neither is a new failure.

A failure that changes (another error, so another note) is announced again.
"""

from __future__ import annotations

import json

import pytest

from engine.settings import Settings
from localaws import estate
from localaws.engine_setup import create_state_table, make_engine
from localaws.events import load_event
from localaws.faults import inject_call_faults

TABLE = "remediator-state"
S3_EVENT = "securityhub-imported-s3.17-consolidated.json"


@pytest.fixture
def inbox(aws: None) -> tuple[str, str]:
    estate.enable_security_hub()
    estate.create_bucket()
    create_state_table(TABLE)
    return estate.create_notification_inbox()


def test_a_failure_is_announced_once_and_again_only_when_it_changes(inbox: tuple[str, str]) -> None:
    topic, queue = inbox
    engine, recorder = make_engine(
        Settings(home_account_id=estate.ACCOUNT, state_table=TABLE, topic_arn=topic)
    )
    error = {"code": "AccessDenied"}
    inject_call_faults(
        engine.clients.session, lambda op, _: error["code"] if op == "s3.PutBucketEncryption" else None
    )
    loaded = load_event(S3_EVENT)
    estate.import_findings(loaded)
    assert engine.handle(loaded)["findings"][0]["status"] == "failed"
    assert [m["error"] for m in estate.notifications(queue)] == ["AccessDenied"]

    echo = json.loads(json.dumps(loaded))  # the finding as Security Hub now holds it: our note on it
    echo["detail"]["findings"][0] = estate.finding(loaded["detail"]["findings"][0]["Id"])
    for _ in range(2):  # the echo of our update, then the next periodic import of the same state
        assert engine.handle(echo)["findings"][0]["status"] == "failed"
    assert recorder.count("sns.Publish") == 1 and estate.notifications(queue) == []

    error["code"] = "KMS.DisabledException"  # the failure changed: the note changes, people hear of it
    assert engine.handle(echo)["findings"][0]["error_code"] == "KMS.DisabledException"
    assert [m["error"] for m in estate.notifications(queue)] == ["KMS.DisabledException"]
