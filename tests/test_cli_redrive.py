"""`remediator redrive`: the dead-letter queue's events run through the engine again."""

from __future__ import annotations

import json

import boto3
import pytest

from cli.main import main
from localaws import estate
from localaws.events import load_event

S3_EVENT = "securityhub-imported-s3.17-consolidated.json"


@pytest.mark.usefixtures("aws")
def test_redrive_remediates_held_events_and_empties_the_queue(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOME_ACCOUNT_ID", estate.ACCOUNT)
    estate.enable_security_hub()
    estate.create_bucket()
    event = load_event(S3_EVENT)
    estate.import_findings(event)
    sqs = boto3.client("sqs", region_name=estate.REGION)
    url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"requestPayload": event}))
    code = main(["redrive", url, "--region", estate.REGION])
    assert code == 0, capsys.readouterr().err
    assert "1 delivered, 0 still failing" in capsys.readouterr().err
    assert estate.bucket_encryption() == "aws:kms"
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


@pytest.mark.usefixtures("aws")
def test_redrive_exits_1_for_a_message_without_an_event(capsys: pytest.CaptureFixture[str]) -> None:
    sqs = boto3.client("sqs", region_name=estate.REGION)
    url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="not an event")
    assert main(["redrive", url, "--region", estate.REGION]) == 1
    assert "1 without an event" in capsys.readouterr().err
