"""`remediator history`: the audit trail, read from the records the engine writes.

What the engine records (delivery, control id, the retention the stack sets), what the command
selects (--since, --account, --control), how it prints (table, JSON, CSV), and that a revert by
`remediator undo` shows, for its own change only. Against moto, with the engine's own writes.
"""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

import boto3
import pytest

from cli.history import since_timestamp
from cli.history_store import COLUMNS, Entry, read_history
from cli.main import main
from deploy.functions import families
from engine.clients import ClientFactory
from engine.handler import state_store
from engine.journal import delivery_of
from engine.settings import ENV_RECORD_DAYS, Settings
from engine.state import StateStore
from engine.table import resource_key
from localaws import estate
from localaws.engine_setup import create_state_table, make_engine
from localaws.events import EVENTS_DIR, load_event
from localaws.sam_routes import function_environment, transformed_template
from model.finding import Finding, FindingSource, Resource
from model.undo import UndoRecord
from rules.registry import load_registry

TABLE = "remediator-state"
S3_EVENT = "securityhub-imported-s3.17-consolidated.json"
CONFIG_EVENT = "config-s3-bucket-server-side-encryption-enabled-managed.json"
DAY = 86400


def _client() -> Any:
    return boto3.client("dynamodb", region_name="us-east-1")


def _history(now: float | None = None, since: float = 0) -> list[Entry]:
    return list(read_history(_client(), TABLE, since=since, now=now or time.time()))


def _change(
    *,
    at: float,
    account: str = "123456789012",
    control: str = "EC2.13",
    resource: str = "sg-0123",
    days: int = 90,
    status_done: bool = True,
) -> None:
    """One change as the engine records it: claim, write-ahead intent, release with the outcome."""
    store = StateStore(_client, TABLE, clock=lambda: at, record_days=days)
    key = resource_key(account, "us-east-1", f"rule-{control}", resource)
    claim = store.claim(key, f"owner-{at}")
    assert claim is not None
    record = UndoRecord.of(
        finding_id=f"finding-{control}-{account}-{at}",
        remediation="ec2.revoke-public-ingress",
        rule_id=f"rule-{control}",
        resource=Resource("AwsEc2SecurityGroup", resource, resource, account, "us-east-1"),
        parameters={},
        before={"open": True},
        after={"open": False},
        changed_at=at,
        changes=["ingress tcp 22 from 0.0.0.0/0: allowed → revoked"],
        delivery="Imported",
        control_id=control,
    )
    store.save_record(claim, record, pointer=True)
    final = UndoRecord.from_dict({**record.as_dict(), "status": "done" if status_done else "failed"})
    store.release(claim, changed=status_done, window_seconds=DAY, keep=4, record=final)


# --- what the engine records -------------------------------------------------------------------


@pytest.fixture
def table(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATE_TABLE_NAME", TABLE)
    create_state_table(TABLE)
    estate.enable_security_hub()
    estate.create_bucket()


def test_the_engine_records_how_the_finding_arrived_and_its_control(table: None) -> None:
    engine, _ = make_engine(Settings(home_account_id="123456789012", state_table=TABLE))
    event = load_event(S3_EVENT)
    estate.import_findings(event)
    assert engine.handle(event)["summary"] == {"remediated": 1}
    [entry] = _history()
    line = entry.as_dict()
    assert (line["delivery"], line["control"], line["rule"]) == (
        "Imported",
        "S3.17",
        "s3-bucket-kms-encryption",
    )
    assert line["account"] == "123456789012" and line["region"] == "us-east-1"
    assert line["resource"] == "arn:aws:s3:::example-unencrypted-bucket"
    assert (
        line["changes"] == ["SSEAlgorithm: none → aws:kms", "BucketKeyEnabled: false → true"]
        and line["status"] == "done"
    )
    assert line["reverted"] == "" and line["finding"] == event["detail"]["findings"][0]["Id"]


def test_a_config_event_is_recorded_with_its_rules_control(table: None) -> None:
    estate.create_config_rule(
        "s3-bucket-server-side-encryption-enabled", "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED"
    )  # an AWS managed rule: the engine acts on its findings only
    engine, _ = make_engine(Settings(home_account_id="123456789012", state_table=TABLE))
    report = engine.handle(load_event(CONFIG_EVENT))
    assert report["summary"] == {"remediated": 1}, report
    [entry] = _history()
    assert (entry.record.delivery, entry.record.control_id) == ("Config", "S3.4")


def test_a_change_the_cli_made_says_cli(table: None, capsys: pytest.CaptureFixture[str]) -> None:
    estate.import_findings(load_event(S3_EVENT))
    assert main(["invoke", str(EVENTS_DIR / S3_EVENT)]) == 0
    capsys.readouterr()
    [entry] = _history()
    assert entry.record.delivery == "cli"


def test_records_are_kept_for_the_stacks_number_of_days(aws: None) -> None:
    create_state_table(TABLE)
    _change(at=1_000_000.0, days=7)
    item = _client().scan(
        TableName=TABLE, FilterExpression="sk = :s", ExpressionAttributeValues={":s": {"S": "state"}}
    )["Items"][0]
    assert int(item["expires_at"]["N"]) == 1_000_000 + 7 * DAY
    assert len(_history(now=1_000_000 + 7 * DAY - 1)) == 1
    assert _history(now=1_000_000 + 7 * DAY + 1) == []  # expired: gone before DynamoDB's TTL sweep


def test_the_retention_parameter_reaches_the_state_store() -> None:
    template = transformed_template()
    parameter = template["Parameters"]["RecordRetentionDays"]
    assert parameter["Type"] == "Number" and parameter["Default"] == 90
    for family in families(load_registry().rules):
        assert function_environment(family.function_id)[ENV_RECORD_DAYS] == "90"
    settings = Settings.from_env({ENV_RECORD_DAYS: "30", "STATE_TABLE_NAME": TABLE})
    store = state_store(settings, ClientFactory())
    assert store is not None and store._record_seconds == 30 * DAY


# --- selecting -------------------------------------------------------------------------------


def test_since_takes_a_duration_or_a_date() -> None:
    now = 1_800_000_000.0
    assert since_timestamp("24h", now) == now - DAY
    assert since_timestamp("30m", now) == now - 1800
    assert since_timestamp("7d", now) == now - 7 * DAY
    assert since_timestamp("2026-12-01", now) == 1_796_083_200.0
    assert since_timestamp("2026-12-01T08:00+01:00", now) == 1_796_083_200.0 + 7 * 3600


def test_filters_since_account_and_control(
    aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STATE_TABLE_NAME", TABLE)
    create_state_table(TABLE)
    now = time.time()
    _change(at=now - 2 * DAY, control="EC2.13", resource="sg-old")
    _change(at=now - 3600, control="EC2.13", resource="sg-recent")
    _change(at=now - 600, control="S3.8", resource="bucket-recent")
    _change(at=now - 300, account="210987654321", control="EC2.13", resource="sg-member")
    _change(at=now - 60, control="EC2.13", resource="sg-failed", status_done=False)  # nothing changed

    def resources(*args: str) -> list[str]:
        assert main(["history", "--format", "json", *args]) == 0
        return [line["resource"] for line in json.loads(capsys.readouterr().out)]

    assert resources() == ["sg-recent", "bucket-recent", "sg-member"]  # default --since 24h
    assert resources("--since", "3d") == ["sg-old", "sg-recent", "bucket-recent", "sg-member"]
    assert resources("--since", "30m") == ["bucket-recent", "sg-member"]
    assert resources("--account", "210987654321") == ["sg-member"]
    assert resources("--control", "ec2.13") == ["sg-recent", "sg-member"]
    assert resources("--control", "EC2.13", "--account", "123456789012", "--since", "3d") == [
        "sg-old",
        "sg-recent",
    ]
    assert main(["history", "--since", "yesterday"]) == 2
    assert "--since 'yesterday'" in capsys.readouterr().err


# --- formats ----------------------------------------------------------------------------------


@pytest.fixture
def two_changes(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATE_TABLE_NAME", TABLE)
    create_state_table(TABLE)
    _change(at=time.time() - 120, control="EC2.13", resource="sg-one")
    _change(at=time.time() - 60, control="S3.8", resource="bucket-two")


def test_table_format(two_changes: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "when",
        "(UTC)",
        "where",
        "resource",
        "control",
        "/",
        "rule",
        "delivery",
        "before",
        "→",
        "after",
        "reverted",
    ]
    body = "\n".join(lines[2:])
    assert body.index("sg-one") < body.index("bucket-two")
    assert "ingress tcp 22 from 0.0.0.0/0: allowed → revoked" in body and "Imported" in body
    assert "123456789012" in body and "us-east-1" in body and "rule-EC2.13" in body


def test_json_format(two_changes: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "--format", "json"]) == 0
    lines = json.loads(capsys.readouterr().out)
    assert [list(line) for line in lines] == [list(COLUMNS)] * 2
    assert lines[1]["control"] == "S3.8" and lines[1]["changes"] == [
        "ingress tcp 22 from 0.0.0.0/0: allowed → revoked"
    ]


def test_csv_format(two_changes: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["resource"] for row in rows] == ["sg-one", "bucket-two"]
    assert list(rows[0]) == list(COLUMNS) and rows[0]["delivery"] == "Imported" and rows[0]["reverted"] == ""


def test_no_changes_and_no_table(
    aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history"]) == 2
    assert "STATE_TABLE_NAME" in capsys.readouterr().err
    monkeypatch.setenv("STATE_TABLE_NAME", TABLE)
    create_state_table(TABLE)
    assert main(["history"]) == 0
    assert capsys.readouterr().out == "No changes recorded in that period.\n"
    assert main(["history", "--format", "csv"]) == 0
    assert capsys.readouterr().out.strip() == ",".join(COLUMNS)


# --- reverts -----------------------------------------------------------------------------------


def test_undo_marks_the_change_reverted_and_only_that_change(
    table: None, capsys: pytest.CaptureFixture[str]
) -> None:
    event = load_event(S3_EVENT)
    finding_id = event["detail"]["findings"][0]["Id"]
    estate.import_findings(event)
    assert main(["invoke", str(EVENTS_DIR / S3_EVENT)]) == 0
    assert main(["undo", finding_id]) == 0
    capsys.readouterr()
    [entry] = _history()
    assert entry.reverted_at is not None and entry.reverted_at >= entry.record.changed_at
    assert main(["history", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["reverted"].endswith("Z")
    assert main(["invoke", str(EVENTS_DIR / S3_EVENT)]) == 0  # fixed again: a new change, not reverted
    capsys.readouterr()
    [entry] = _history()
    assert entry.reverted_at is None and estate.bucket_encryption() == "aws:kms"


def test_every_input_has_a_delivery_name() -> None:
    names = {source: delivery_of(FINDING_OF[source]) for source in FindingSource}
    assert names == {
        FindingSource.IMPORTED: "Imported",
        FindingSource.IMPORTED_V2: "Imported V2",
        FindingSource.CONFIG: "Config",
        FindingSource.CUSTOM_ACTION: "custom action",
    }
    assert delivery_of(FINDING_OF[FindingSource.IMPORTED], run_by_cli=True) == "cli"


FINDING_OF = {
    source: Finding(source, "e", "123456789012", "us-east-1", "123456789012", "us-east-1", (), ())
    for source in FindingSource
}
