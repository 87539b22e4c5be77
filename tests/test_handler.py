"""The deployed entry point itself: environment wiring, logs with the finding id, metrics, cold start."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from engine import handler
from engine.settings import ENV_DRY_RUN, ENV_HOME_ACCOUNT, Settings
from localaws import estate
from localaws.events import load_event


@dataclass
class LambdaContext:
    function_name: str = "sechub-remediator-s3"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:sechub-remediator-s3"
    aws_request_id: str = "00000000-0000-4000-8000-00000000c0de"
    remaining_ms: int = 120_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def fresh_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handler, "_engine", None)
    monkeypatch.setenv(ENV_HOME_ACCOUNT, estate.ACCOUNT)


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the handler's logger writes (its handler keeps the stream it was created with)."""
    buffer = io.StringIO()
    stream_handler = handler.logger.registered_handler
    previous = stream_handler.setStream(buffer)
    yield buffer
    stream_handler.setStream(previous)


@pytest.mark.usefixtures("aws", "fresh_handler")
def test_lambda_handler_remediates_logs_and_counts(
    capsys: pytest.CaptureFixture[str], log_output: io.StringIO
) -> None:
    estate.enable_security_hub()
    estate.create_bucket()
    event = load_event("securityhub-imported-s3.17-consolidated.json")
    estate.import_findings(event)
    report = handler.lambda_handler(event, LambdaContext())
    assert report["findings"][0]["status"] == "remediated"
    logs = [json.loads(line) for line in log_output.getvalue().splitlines()]
    metrics = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')
    ]
    finding_id = event["detail"]["findings"][0]["Id"]
    assert logs and all(line.get("finding_id") == finding_id for line in logs)
    assert any(
        m["Outcome"] == "remediated" and m["Rule"] == "s3-bucket-kms-encryption" and m["Findings"] == [1.0]
        for m in metrics
    )


@pytest.mark.usefixtures("fresh_handler")
def test_keys_appended_in_one_invocation_are_absent_from_the_next(
    monkeypatch: pytest.MonkeyPatch, log_output: io.StringIO
) -> None:
    class LoggingEngine:
        settings = Settings()

        def handle(self, event: dict[str, Any], remaining_ms: Any = None) -> dict[str, Any]:
            handler.logger.info("before")
            if event.get("finding"):
                handler.logger.append_keys(finding_id=event["finding"])
            handler.logger.info("after")
            return {}

    monkeypatch.setattr(handler, "_engine", LoggingEngine())
    handler.lambda_handler({"finding": "finding-1"}, LambdaContext())
    handler.lambda_handler({}, LambdaContext())
    logs = [json.loads(line) for line in log_output.getvalue().splitlines()]
    assert [line["message"] for line in logs] == ["before", "after", "before", "after"]
    assert [line.get("finding_id") for line in logs] == [None, "finding-1", None, None]
    assert all(line["function_request_id"] == LambdaContext.aws_request_id for line in logs)


@pytest.mark.usefixtures("aws", "fresh_handler")
def test_environment_switches_on_dry_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_DRY_RUN, "true")
    estate.enable_security_hub()
    estate.create_bucket()
    event = load_event("securityhub-imported-s3.17-consolidated.json")
    estate.import_findings(event)
    assert handler.lambda_handler(event, LambdaContext())["findings"][0]["status"] == "planned"
    assert estate.bucket_encryption() is None


@pytest.mark.usefixtures("fresh_handler")
def test_engine_is_built_once_per_execution_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    first = handler.get_engine()
    assert handler.get_engine() is first


def test_settings_precedence() -> None:
    assert Settings.from_env({ENV_DRY_RUN: "yes"}).dry_run is True
    assert Settings.from_env({}).dry_run is False
    assert Settings.from_env({"ALLOWED_ACCOUNTS": " 1 , 2,"}).allowed_accounts == frozenset({"1", "2"})
    assert Settings.from_env({ENV_DRY_RUN: "true"}).with_overrides(dry_run=False).dry_run is False


def test_cold_start_imports_neither_jsonschema_nor_xray_nor_a_client() -> None:
    """Keep the cold path light: the checks run in a fresh interpreter.

    Not even fastjsonschema: the compiled validators run without it (model/compiled/).
    """
    code = (
        "import sys, engine.handler as h; h.get_engine();"
        "print(sorted(m for m in ('jsonschema', 'fastjsonschema', 'aws_xray_sdk', 'moto') if m in sys.modules));"
        "print(len(h.get_engine().clients._clients))"
    )
    env: dict[str, Any] = {"AWS_DEFAULT_REGION": "us-east-1", "HOME_ACCOUNT_ID": estate.ACCOUNT, "PATH": ""}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert out.split() == ["[]", "0"]


def test_cold_start_with_a_state_table_creates_no_session_until_the_first_event() -> None:
    code = (
        "import engine.handler as h; e = h.get_engine(); print(e.state is not None, e.clients._given_session)"
    )
    env: dict[str, Any] = {
        "AWS_DEFAULT_REGION": "us-east-1",
        "HOME_ACCOUNT_ID": estate.ACCOUNT,
        "STATE_TABLE_NAME": "state",
        "EXCLUSION_TAG": "keep-out",
        "PATH": "",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert out.split() == ["True", "None"]
