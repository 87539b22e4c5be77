"""`remediator undo`: the command, against moto, with the engine's own undo record.

How each remediation plans its revert (stricter since, changed since) is checked for every
remediation in `tests/test_remediation_cases.py`; this file checks the command around it: the
record the engine wrote, the plan printed by `--dry-run`, the refusal and `--force`, and where
it acts: with the caller's own credentials at home, through the member account's undo role
(deploy/member-role.yaml) elsewhere. moto hands out credentials for any role's account without
reading trust policies, so AWS's refusal of any other role is injected.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from cli import wiring
from cli.main import main
from engine.settings import Settings
from localaws import estate
from localaws.engine_setup import create_state_table, make_engine
from localaws.events import EVENTS_DIR, load_event
from localaws.faults import inject_call_faults
from localaws.recorder import recording_session
from localaws.sessions import assume_role_session

S3_EVENT = "securityhub-imported-s3.17-consolidated.json"
TABLE = "remediator-state"


# --- the command --------------------------------------------------------------------------


@pytest.fixture
def remediated_bucket(aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    """The S3.17 sample remediated through `invoke` with the state table on; returns the finding id."""
    monkeypatch.setenv("STATE_TABLE_NAME", TABLE)
    create_state_table(TABLE)
    estate.enable_security_hub()
    estate.create_bucket()
    event = load_event(S3_EVENT)
    estate.import_findings(event)
    assert main(["invoke", str(EVENTS_DIR / S3_EVENT)]) == 0
    capsys.readouterr()
    assert estate.bucket_encryption() == "aws:kms"
    return str(event["detail"]["findings"][0]["Id"])


def test_undo_prints_its_plan_then_puts_the_bucket_back(
    remediated_bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["undo", remediated_bucket, "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("Dry run: would revert arn:aws:s3:::example-unencrypted-bucket")
    assert "SSEAlgorithm: aws:kms → none" in out
    assert (
        "call s3.delete_bucket_encryption {'Bucket': 'example-unencrypted-bucket', 'ExpectedBucketOwner': '123456789012'}"
        in out
    )
    assert estate.bucket_encryption() == "aws:kms"
    code = main(["undo", remediated_bucket])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("Reverted arn:aws:s3:::example-unencrypted-bucket")
    assert estate.bucket_encryption() is None
    assert main(["undo", remediated_bucket]) == 0  # twice: nothing left to do
    assert "Nothing to undo" in capsys.readouterr().out


def test_undo_keeps_the_owners_own_key_set_since(
    remediated_bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/owners-own"
    _encrypt(key)
    assert main(["undo", remediated_bucket]) == 0
    assert "kept default encryption aws:kms (" + key in capsys.readouterr().out
    assert estate.bucket_encryption() == "aws:kms"


def test_undo_refuses_what_someone_else_changed_since_unless_forced(
    remediated_bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _encrypt(None)  # someone set SSE-S3 after the engine set KMS
    assert main(["undo", remediated_bucket]) == 2
    err = capsys.readouterr().err
    assert "someone changed it since" in err and "--force" in err
    assert estate.bucket_encryption() == "AES256"
    assert main(["undo", remediated_bucket, "--force"]) == 0
    assert estate.bucket_encryption() is None


def _encrypt(key: str | None) -> None:
    default: dict[str, Any] = (
        {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key} if key else {"SSEAlgorithm": "AES256"}
    )
    s3: Any = boto3.client("s3", region_name="us-east-1")
    s3.put_bucket_encryption(
        Bucket=estate.BUCKET,
        ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": default}]},
    )


def test_undo_of_a_finding_without_record_exits_2(
    remediated_bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["undo", "arn:aws:securityhub:us-east-1:123456789012:security-control/S3.17/finding/unknown"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("remediator: error: no undo record for") and err.count("\n") == 1


def test_undo_without_a_state_table_exits_2(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["undo", "any-finding"])
    assert code == 2
    assert "STATE_TABLE_NAME" in capsys.readouterr().err


# --- where undo acts ------------------------------------------------------------------------

MEMBER, MEMBER_BUCKET, MEMBER_REGION = "222222222222", "member-222-eu-bucket", "eu-west-1"
MEMBER_EVENT = "cross-account/imported-s3.17-member-222-eu-west-1.json"


@pytest.fixture
def caller(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The operator's session as `remediator` makes it, recording its calls; AWS refuses roles not listed."""
    session, recorder = recording_session()
    assumable: list[str] = []
    monkeypatch.setattr(wiring, "session_from", lambda args: session)
    inject_call_faults(
        session,
        lambda op, params: (
            "AccessDenied"
            if op == "sts.AssumeRole" and not any(role in str(params) for role in assumable)
            else None
        ),
    )
    return {"recorder": recorder, "assumable": assumable}


@pytest.fixture
def remediated_member_bucket(aws: None, monkeypatch: pytest.MonkeyPatch) -> tuple[str, boto3.Session]:
    """S3.17 of a bucket in member account 222222222222 remediated by the engine; its finding id."""
    monkeypatch.setenv("STATE_TABLE_NAME", TABLE)
    create_state_table(TABLE)
    estate.enable_security_hub()
    member = assume_role_session(MEMBER, "estate-setup")
    estate.create_bucket(MEMBER_BUCKET, MEMBER_REGION, session=member)
    event = load_event(MEMBER_EVENT)
    estate.import_findings(event)
    settings = Settings(
        home_account_id=estate.ACCOUNT, member_role_name="SecHubRemediatorMember-s3", state_table=TABLE
    )
    engine, _ = make_engine(settings)
    assert engine.handle(event)["findings"][0]["status"] == "remediated"
    assert estate.bucket_encryption(MEMBER_BUCKET, session=member) == "aws:kms"
    return str(event["detail"]["findings"][0]["Id"]), member


def test_undo_in_a_member_account_goes_through_its_undo_role(
    remediated_member_bucket: tuple[str, boto3.Session],
    caller: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    finding_id, member = remediated_member_bucket
    caller["assumable"].append(f"arn:aws:iam::{MEMBER}:role/SecHubRemediatorMember-undo")
    assert main(["undo", finding_id]) == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith(f"Reverted arn:aws:s3:::{MEMBER_BUCKET} (account {MEMBER}")
    assert estate.bucket_encryption(MEMBER_BUCKET, session=member) is None
    assert caller["recorder"].count("sts.AssumeRole") == 1


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_the_undo_role_can_be_named(
    how: str,
    remediated_member_bucket: tuple[str, boto3.Session],
    caller: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    finding_id, member = remediated_member_bucket
    caller["assumable"].append(f"arn:aws:iam::{MEMBER}:role/OperatorsUndo")
    monkeypatch.setenv("UNDO_ROLE_NAME", "OperatorsUndo" if how == "environment" else "IgnoredForTheFlag")
    flag = ["--role-name", "OperatorsUndo"] if how == "flag" else []
    assert main(["undo", finding_id, *flag]) == 0, capsys.readouterr().err
    assert estate.bucket_encryption(MEMBER_BUCKET, session=member) is None
    assert caller["recorder"].count("sts.AssumeRole") == 1


def test_an_undo_role_that_cannot_be_assumed_is_named_in_the_error(
    remediated_member_bucket: tuple[str, boto3.Session],
    caller: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    finding_id, member = remediated_member_bucket
    assert main(["undo", finding_id]) == 3
    assert f"cannot assume arn:aws:iam::{MEMBER}:role/SecHubRemediatorMember-undo" in capsys.readouterr().err
    assert estate.bucket_encryption(MEMBER_BUCKET, session=member) == "aws:kms"


def test_undo_at_home_uses_the_callers_own_credentials(
    remediated_bucket: str, caller: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["undo", remediated_bucket]) == 0, capsys.readouterr().err
    assert estate.bucket_encryption() is None
    assert caller["recorder"].count("sts.AssumeRole") == 0
