"""A failure reaches people once: Security Hub re-emits the engine's own note as an Imported
event (the echo), and re-imports the finding on its next check; neither is a new failure.

A failure that changes (another error, so another note) is announced again.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
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
    sns = boto3.client("sns", region_name=estate.REGION)
    sqs = boto3.client("sqs", region_name=estate.REGION)
    topic = sns.create_topic(Name="remediator")["TopicArn"]
    queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    return topic, queue


def received(queue: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name=estate.REGION)
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


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
    assert [m["error"] for m in received(queue)] == ["AccessDenied"]

    echo = json.loads(json.dumps(loaded))  # the finding as Security Hub now holds it: our note on it
    echo["detail"]["findings"][0] = estate.finding(loaded["detail"]["findings"][0]["Id"])
    for _ in range(2):  # the echo of our update, then the next periodic import of the same state
        assert engine.handle(echo)["findings"][0]["status"] == "failed"
    assert recorder.count("sns.Publish") == 1 and received(queue) == []

    error["code"] = "KMS.DisabledException"  # the failure changed: the note changes, people hear of it
    assert engine.handle(echo)["findings"][0]["error_code"] == "KMS.DisabledException"
    assert [m["error"] for m in received(queue)] == ["KMS.DisabledException"]
