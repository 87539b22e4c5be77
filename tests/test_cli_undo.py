"""`remediator undo`: the command, against moto, with the engine's own undo record.

How each remediation plans its revert (stricter since, changed since) is checked for every
remediation in `tests/test_remediation_cases.py`; this file checks the command around it: the
record the engine wrote, the plan printed by `--dry-run`, the refusal and `--force`.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from cli.main import main
from localaws import estate
from localaws.engine_setup import create_state_table
from localaws.events import EVENTS_DIR, load_event

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
