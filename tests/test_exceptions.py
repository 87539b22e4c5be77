"""Issue 16 point 3: exceptions that expire and say who and why.

The exceptions recorded with `remediator except` (engine/exceptions.py, cli/exceptions.py) and
the exclusion tag's `until=` (engine/exclusions.py): one applying (the skip names the exception,
its owner and its expiry), one expired (the change is made and the note says what expired, who
asked, why and when), each read with one request a finding; then the command against moto.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from cli.main import main
from engine.exceptions import ACCOUNT, RESOURCE, Exemption, ExemptionStore, parse_until, verdict
from engine.exclusions import has_expiry, tag_verdict
from engine.settings import Settings
from localaws import estate
from localaws.engine_setup import create_state_table, make_engine
from localaws.events import load_event
from localaws.faults import inject_call_faults
from model.errors import RetryLaterError

TABLE = "remediator-state"
S3_EVENT = "securityhub-imported-s3.17-consolidated.json"
BUCKET_ARN = f"arn:aws:s3:::{estate.BUCKET}"
TAG = "sechub-remediator:exclude"
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC).timestamp()


def exemption(until: datetime, scope: str = RESOURCE, target: str = BUCKET_ARN) -> Exemption:
    return Exemption(
        control="S3.17",
        scope=scope,
        target=target,
        until=until,
        reason="the data team's reader cannot use KMS yet",
        owner="alice@example.com",
        created_at=NOW,
    )


# --- pure -----------------------------------------------------------------------------------------


def test_until_is_a_date_at_midnight_utc_or_an_iso_time_with_zone() -> None:
    assert parse_until("2027-03-01") == datetime(2027, 3, 1, tzinfo=UTC)
    assert parse_until("2027-03-01T12:30Z") == datetime(2027, 3, 1, 12, 30, tzinfo=UTC)
    assert parse_until("2027-03-01T14:30+02:00") == datetime(2027, 3, 1, 12, 30, tzinfo=UTC)
    for bad in ("soon", "2027-03-01T12:30", "03/01/2027"):
        with pytest.raises(Exception, match=r"ISO|date|zone"):
            parse_until(bad)


def test_a_live_exception_skips_naming_owner_expiry_and_reason() -> None:
    found = verdict([exemption(datetime(2027, 3, 1, tzinfo=UTC))], NOW)
    assert found.skip == (
        f"excepted by the exception for S3.17 on resource {BUCKET_ARN} (owner alice@example.com, "
        "until 2027-03-01, reason: the data team's reader cannot use KMS yet)"
    )
    assert found.remark == ""


def test_an_expired_exception_stops_applying_and_is_remarked() -> None:
    found = verdict([exemption(datetime(2026, 12, 1, tzinfo=UTC))], NOW)
    assert found.skip == ""
    assert found.remark.startswith(
        f"The exception for S3.17 on resource {BUCKET_ARN} (owner alice@example.com"
    )
    assert found.remark.endswith("expired on 2026-12-01.")


def test_the_resource_exception_is_named_before_the_account_one() -> None:
    account = exemption(datetime(2027, 1, 1, tzinfo=UTC), ACCOUNT, estate.ACCOUNT)
    resource = exemption(datetime(2027, 2, 1, tzinfo=UTC))
    assert "on resource" in verdict([account, resource], NOW).skip


def test_the_tag_value_may_say_until_and_owner() -> None:
    assert tag_verdict(TAG, "").skip == (
        f"resource carries the exclusion tag {TAG!r} (no owner named (add owner=… to its value), "
        "no expiry (add until=YYYY-MM-DD to its value))"
    )
    live = tag_verdict(TAG, "until=2027-03-01 owner=bob@example.com", NOW)
    assert (
        live.skip == f"resource carries the exclusion tag {TAG!r} (owner bob@example.com, until 2027-03-01)"
    )
    expired = tag_verdict(TAG, "owner=bob@example.com until=2026-11-30", NOW)
    assert (
        expired.skip == ""
        and "expired on 2026-11-30" in expired.remark
        and "bob@example.com" in expired.remark
    )
    unreadable = tag_verdict(TAG, "until=someday", NOW)
    assert "until=someday is not a date" in unreadable.skip, "an unreadable expiry still excludes"
    assert has_expiry("x until=2027-01-01") and not has_expiry("keep-until-review")


# --- the engine, against moto ---------------------------------------------------------------------


@pytest.fixture
def bucket(aws: None) -> dict[str, Any]:
    create_state_table(TABLE)
    estate.enable_security_hub()
    estate.create_bucket()
    event = load_event(S3_EVENT)
    estate.import_findings(event)
    return event


def store() -> ExemptionStore:
    client = boto3.client("dynamodb", region_name="us-east-1")
    return ExemptionStore(lambda: client, TABLE)


def days(count: float) -> datetime:
    return datetime.fromtimestamp(time.time(), UTC) + timedelta(days=count)


def note(event: dict[str, Any]) -> str:
    return str(estate.finding(event["detail"]["findings"][0]["Id"])["Note"]["Text"])


def test_a_recorded_exception_applies_with_one_read(bucket: dict[str, Any]) -> None:
    store().add(exemption(days(30)))
    engine, recorder = make_engine(Settings(home_account_id=estate.ACCOUNT, state_table=TABLE))
    finding = engine.handle(bucket)["findings"][0]
    assert finding["status"] == "skipped"
    assert (
        "excepted by the exception for S3.17" in finding["reason"]
        and "alice@example.com" in finding["reason"]
    )
    assert "until " in note(bucket) and "owner alice@example.com" in note(bucket)
    assert estate.bucket_encryption() != "aws:kms"
    assert recorder.count("dynamodb.BatchGetItem") == 1 and recorder.count("dynamodb.Query") == 0


def test_an_account_exception_covers_its_resources(bucket: dict[str, Any]) -> None:
    store().add(exemption(days(30), ACCOUNT, estate.ACCOUNT))
    engine, _ = make_engine(Settings(home_account_id=estate.ACCOUNT, state_table=TABLE))
    finding = engine.handle(bucket)["findings"][0]
    assert finding["status"] == "skipped" and f"on account {estate.ACCOUNT}" in finding["reason"]


def test_an_expired_exception_lets_the_fix_through_and_the_note_says_so(bucket: dict[str, Any]) -> None:
    store().add(exemption(days(-2)))
    engine, _ = make_engine(Settings(home_account_id=estate.ACCOUNT, state_table=TABLE))
    finding = engine.handle(bucket)["findings"][0]
    assert finding["status"] == "remediated" and estate.bucket_encryption() == "aws:kms"
    assert "expired on" in finding["remark"], "the report (and the log line) say it too"
    text = note(bucket)
    assert text.startswith("[sechub-remediator] Remediated by rule s3-bucket-kms-encryption")
    assert "The exception for S3.17" in text and "alice@example.com" in text
    assert "the data team's reader cannot use KMS yet" in text and "expired on" in text


def test_an_exception_for_another_control_does_not_apply(bucket: dict[str, Any]) -> None:
    other = Exemption(
        control="S3.4", scope=RESOURCE, target=BUCKET_ARN, until=days(30), reason="r", owner="o"
    )
    store().add(other)
    engine, _ = make_engine(Settings(home_account_id=estate.ACCOUNT, state_table=TABLE))
    assert engine.handle(bucket)["findings"][0]["status"] == "remediated"


def tag_bucket(value: str) -> None:
    boto3.client("s3", region_name="us-east-1").put_bucket_tagging(
        Bucket=estate.BUCKET, Tagging={"TagSet": [{"Key": TAG, "Value": value}]}
    )


def test_the_live_tag_applies_until_its_date(bucket: dict[str, Any]) -> None:
    tag_bucket(f"until={days(10):%Y-%m-%d} owner=bob@example.com")
    engine, _ = make_engine(Settings(home_account_id=estate.ACCOUNT, state_table=TABLE, exclusion_tag=TAG))
    finding = engine.handle(bucket)["findings"][0]
    assert finding["status"] == "skipped" and "owner bob@example.com, until " in finding["reason"]


def test_an_expired_live_tag_no_longer_excludes(bucket: dict[str, Any]) -> None:
    tag_bucket(f"until={days(-1):%Y-%m-%d} owner=bob@example.com")
    engine, _ = make_engine(Settings(home_account_id=estate.ACCOUNT, state_table=TABLE, exclusion_tag=TAG))
    assert engine.handle(bucket)["findings"][0]["status"] == "remediated"
    assert f"The exclusion tag {TAG!r} (owner bob@example.com) expired on" in note(bucket)


def test_the_findings_own_tag_with_an_expiry_is_judged_by_the_clock(aws: None) -> None:
    create_state_table(TABLE)
    estate.enable_security_hub()
    estate.create_bucket()
    event = load_event(S3_EVENT)
    event["detail"]["findings"][0]["Resources"][0]["Tags"] = {TAG: f"until={days(-1):%Y-%m-%d}"}
    estate.import_findings(event)
    engine, _ = make_engine(Settings(home_account_id=estate.ACCOUNT, state_table=TABLE, exclusion_tag=TAG))
    assert engine.handle(event)["findings"][0]["status"] == "remediated"
    event["detail"]["findings"][0]["Resources"][0]["Tags"] = {TAG: f"until={days(5):%Y-%m-%d}"}
    estate.create_bucket("second-bucket")
    text = json.dumps(event).replace(estate.BUCKET, "second-bucket").replace("000000000001", "000000000099")
    second = json.loads(text)
    estate.import_findings(second)
    assert engine.handle(second)["findings"][0]["status"] == "skipped"


# --- the command ----------------------------------------------------------------------------------


@pytest.fixture
def cli_table(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATE_TABLE_NAME", TABLE)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    create_state_table(TABLE)


def test_add_list_remove(cli_table: None, capsys: pytest.CaptureFixture[str]) -> None:
    until = f"{days(60):%Y-%m-%d}"
    add = ["except", "add", "--control", "EC2.13", "--account", estate.ACCOUNT, "--until", until]
    assert main([*add, "--reason", "bastion subnet, reviewed by security", "--owner", "ops@example.com"]) == 0
    assert (
        "Recorded the exception for EC2.13 on account 123456789012 (owner ops@example.com"
        in capsys.readouterr().out
    )
    assert main([*add, "--reason", "renewed", "--owner", "ops@example.com"]) == 0
    assert "It replaces the exception" in capsys.readouterr().out
    assert main(["except", "list"]) == 0
    listed = capsys.readouterr().out
    assert (
        "EC2.13" in listed and "account 123456789012" in listed and "active" in listed and "renewed" in listed
    )
    assert main(["except", "list", "--json", "--control", "S3.17"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["except", "remove", "--control", "EC2.13", "--account", estate.ACCOUNT]) == 0
    assert "Removed the exception for EC2.13" in capsys.readouterr().out
    assert main(["except", "remove", "--control", "EC2.13", "--account", estate.ACCOUNT]) == 2
    assert "no exception for EC2.13" in capsys.readouterr().err


def test_a_rule_id_is_taken_for_its_control(cli_table: None, capsys: pytest.CaptureFixture[str]) -> None:
    until = f"{days(5):%Y-%m-%d}"
    assert main(["except", "add", "--control", "s3-bucket-kms-encryption", "--resource", BUCKET_ARN,
                 "--until", until, "--reason", "r", "--owner", "o"]) == 0  # fmt: skip
    assert [e.control for e in store().list()] == ["S3.17"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--control", "NOPE.1", "--account", "123456789012", "--until", "+30"], "no rule serves control"),
        (["--control", "EC2.13", "--account", "1234", "--until", "+30"], "not a 12-digit account id"),
        (["--control", "EC2.13", "--resource", "bucket", "--until", "+30"], "is not an ARN"),
        (["--control", "EC2.13", "--account", "123456789012", "--until", "-1"], "has passed"),
        (["--control", "EC2.13", "--account", "123456789012", "--until", "+400"], "more than 366 days ahead"),
        (["--control", "EC2.13", "--account", "123456789012", "--until", "soon"], "not a date"),
    ],
)
def test_add_refuses(
    cli_table: None, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    arguments = [f"{days(int(a)):%Y-%m-%d}" if a[0] in "+-" and a[1:].isdigit() else a for a in arguments]
    assert main(["except", "add", *arguments, "--reason", "r", "--owner", "o"]) == 2
    assert message in capsys.readouterr().err


def test_exceptions_that_cannot_be_read_change_nothing_and_retry(bucket: dict[str, Any]) -> None:
    engine, _ = make_engine(Settings(home_account_id=estate.ACCOUNT, state_table=TABLE))
    inject_call_faults(
        engine.clients.session,
        lambda op, _: "AccessDeniedException" if op == "dynamodb.BatchGetItem" else None,
    )
    with pytest.raises(RetryLaterError) as error:
        engine.handle(bucket)
    finding = error.value.report["findings"][0]  # type: ignore[index]
    assert finding["status"] == "failed" and "state table: exceptions" in finding["reason"]
    assert estate.bucket_encryption() != "aws:kms"
