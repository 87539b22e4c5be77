"""The `remediator` command: every subcommand's help, output and exit code, against moto.

Commands run in-process through `cli.main.main` with the `aws` fixture (moto in-process);
one test per command that talks to AWS goes through a moto server with --endpoint-url, as a
user would point the CLI at one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from cli.errors import EXIT_AWS, EXIT_REGISTRY
from cli.main import build_parser, main
from cli.progress import ProgressBar
from cli.sweep import sweep_filters
from localaws import estate
from localaws.events import EVENTS_DIR, load_event
from localaws.server import start_server
from model.errors import RegistryError
from rules.registry import load_registry

S3_EVENT = "securityhub-imported-s3.17-consolidated.json"
SG_EVENT = "securityhub-imported-ec2.13-consolidated.json"
NO_RULE_EVENT = "securityhub-imported-macie.1-no-rule.json"
COMMANDS = ("invoke", "sweep", "undo", "redrive", "history", "rules", "except")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_on_server(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    """Run with AWS_ENDPOINT_URL unset, so only --endpoint-url reaches the server; the CLI leaves
    os.environ exactly as it found it."""
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    before = dict(os.environ)
    result = run(capsys, *argv, "--endpoint-url", endpoint, "--region", estate.REGION)
    assert dict(os.environ) == before
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    return result


def event_file(tmp_path: Path, name: str, replacements: dict[str, str] | None = None) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(load_event(name, replacements)), encoding="utf-8")
    return path


@pytest.fixture
def hub(aws: None) -> None:
    estate.enable_security_hub()


@pytest.fixture
def moto_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A moto server; AWS_ENDPOINT_URL points the test's own setup and checks at it."""
    server, endpoint = start_server()
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    try:
        boto3.client("securityhub", region_name=estate.REGION).enable_security_hub()
        yield endpoint
    finally:
        server.stop()


# --- help and arguments -------------------------------------------------------------------


@pytest.mark.parametrize("command", [*COMMANDS, None])
def test_every_command_has_help(command: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"] if command else ["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: remediator")
    assert "Exit codes" in out


def test_the_module_runs_as_the_entry_point_does() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cli", "rules", "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert {entry["id"] for entry in json.loads(result.stdout)} == {r.id for r in load_registry().rules}


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["remediate-everything"])
    assert exit_info.value.code == 2


def test_a_broken_registry_is_not_an_aws_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken() -> None:
        raise RegistryError("rules/registry.json: rule id 's3-1' is used twice")

    monkeypatch.setattr("cli.rules_table.load_registry", broken)
    code, out, err = run(capsys, "rules")
    assert code == EXIT_REGISTRY != EXIT_AWS
    assert out == "" and err.startswith("remediator: error: broken rule registry: ")
    assert err.count("\n") == 1


def test_every_subcommand_is_in_the_parser() -> None:
    subparsers = build_parser()._subparsers
    assert subparsers is not None
    choices = subparsers._group_actions[0].choices
    assert choices is not None and set(choices) == set(COMMANDS)


# --- rules --------------------------------------------------------------------------------


def test_rules_table_lists_every_rule_with_its_actions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0
    registry = load_registry()
    for rule in registry.rules:
        assert rule.id in out
        assert all(action in out for action in rule.permissions)
    assert out.rstrip().endswith(f"{len(registry.rules)} rules")


def test_rules_json_is_the_registry(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "--json")
    entries = {entry["id"]: entry for entry in json.loads(out)}
    assert code == 0
    for rule in load_registry().rules:
        entry = entries[rule.id]
        assert entry["remediation"] == rule.remediation.name
        assert entry["mode"] == rule.mode
        assert entry["parameters"] == dict(rule.parameters)
        assert entry["permissions"] == list(rule.permissions)
        assert entry["control"] == rule.control


# --- invoke -------------------------------------------------------------------------------


def test_invoke_remediates_the_sample_event(
    hub: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    estate.create_bucket()
    estate.import_findings(load_event(S3_EVENT))
    code, out, err = run(capsys, "invoke", str(EVENTS_DIR / S3_EVENT))
    report = json.loads(out)
    assert code == 0, err
    assert [f["status"] for f in report["findings"]] == ["remediated"]
    assert "SSEAlgorithm: none → aws:kms" in report["findings"][0]["changes"]
    assert estate.bucket_encryption() == "aws:kms"
    assert err == ""


def test_invoke_dry_run_changes_nothing(hub: None, capsys: pytest.CaptureFixture[str]) -> None:
    estate.create_bucket()
    estate.import_findings(load_event(S3_EVENT))
    code, out, _ = run(capsys, "invoke", str(EVENTS_DIR / S3_EVENT), "--dry-run")
    assert code == 0
    assert json.loads(out)["summary"] == {"planned": 1}
    assert estate.bucket_encryption() is None


def test_invoke_plans_a_manual_rule_and_applies_it_only_when_approved(
    hub: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """EC2.13 is workload-affecting, so manual: `--approve` is the person it waits for."""
    group = estate.create_open_security_group()
    path = event_file(tmp_path, SG_EVENT, {estate.SG_PLACEHOLDER: group})
    estate.import_findings(json.loads(path.read_text(encoding="utf-8")))
    code, out, _ = run(capsys, "invoke", str(path))
    assert code == 0 and json.loads(out)["summary"] == {"waiting": 1}
    assert ("tcp", 22, "0.0.0.0/0") in estate.ingress_rules(group)
    code, out, _ = run(capsys, "invoke", str(path), "--approve")
    assert code == 0 and json.loads(out)["summary"] == {"remediated": 1}
    assert ("tcp", 22, "0.0.0.0/0") not in estate.ingress_rules(group)


def test_rules_show_the_risk_class_beside_the_mode(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "rules")
    assert "mode / risk class" in out
    row = out[out.index("sg-default-closed") :].splitlines()
    assert "manual" in row[0] and "workload-affecting" in row[1]
    _, out, _ = run(capsys, "rules", "--json")
    entry = next(entry for entry in json.loads(out) if entry["id"] == "sg-default-closed")
    assert (entry["risk"], entry["mode"], entry["mode_overrides_risk"]) == (
        "workload-affecting",
        "manual",
        False,
    )


def test_invoke_verbose_prints_one_line_per_finding(hub: None, capsys: pytest.CaptureFixture[str]) -> None:
    estate.create_bucket()
    estate.import_findings(load_event(S3_EVENT))
    code, _, err = run(capsys, "invoke", str(EVENTS_DIR / S3_EVENT), "--verbose")
    assert code == 0
    assert err.startswith("remediated") and "s3-bucket-kms-encryption" in err


def test_invoke_exits_1_when_a_finding_fails(hub: None, capsys: pytest.CaptureFixture[str]) -> None:
    estate.import_findings(load_event(S3_EVENT))  # the bucket it names does not exist
    code, out, _ = run(capsys, "invoke", str(EVENTS_DIR / S3_EVENT))
    finding = json.loads(out)["findings"][0]
    assert code == 1
    assert finding["status"] == "failed" and finding["error_code"] == "NoSuchBucket"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.json", "cannot read"),
        ("invalid-missing-detail.json", "invalid event: event"),
        ("not-json.json", "is not JSON"),
    ],
)
def test_invoke_bad_input_is_one_line_and_exit_2(
    name: str, message: str, hub: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = EVENTS_DIR / name if (EVENTS_DIR / name).exists() else tmp_path / name
    if name == "not-json.json":
        path.write_text("{not json", encoding="utf-8")
    code, out, err = run(capsys, "invoke", str(path))
    assert code == 2
    assert out == ""
    assert err.startswith("remediator: error: ") and message in err
    assert err.count("\n") == 1


def test_invoke_unknown_profile_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "invoke", str(EVENTS_DIR / S3_EVENT), "--profile", "no-such-profile")
    assert code == 2
    assert "no-such-profile" in err and err.count("\n") == 1


def test_invoke_verbose_errors_carry_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "invoke", "missing.json", "--verbose")
    assert code == 2
    assert "Traceback" in err and err.rstrip().splitlines()[-1].startswith("remediator: error: ")


def test_invoke_against_a_moto_server(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    estate.create_bucket()
    estate.import_findings(load_event(S3_EVENT))
    code, out, _ = run_on_server(monkeypatch, capsys, "invoke", str(EVENTS_DIR / S3_EVENT))
    assert code == 0
    assert json.loads(out)["summary"] == {"remediated": 1}
    assert (
        estate.finding(load_event(S3_EVENT)["detail"]["findings"][0]["Id"])["Workflow"]["Status"]
        == "RESOLVED"
    )


# --- sweep --------------------------------------------------------------------------------


def import_bucket_findings(count: int, account: str = estate.ACCOUNT) -> list[str]:
    """`count` unencrypted buckets with a NEW S3.17 finding each; returns the finding ids."""
    template = load_event(S3_EVENT)["detail"]["findings"][0]
    findings = []
    for index in range(count):
        bucket = f"sweep-bucket-{account}-{index:04d}"
        estate.create_bucket(bucket)
        text = (
            json.dumps(template).replace(estate.BUCKET, bucket).replace("00000001-0000", f"{index:08x}-0000")
        )
        findings.append(
            json.loads(text.replace(f":{estate.ACCOUNT}:", f":{account}:")) | {"AwsAccountId": account}
        )
    securityhub = boto3.client("securityhub", region_name=estate.REGION)
    for start in range(0, len(findings), 100):
        assert securityhub.batch_import_findings(Findings=findings[start : start + 100])["FailedCount"] == 0
    return [finding["Id"] for finding in findings]


def test_sweep_remediates_the_backlog_in_batches(hub: None, capsys: pytest.CaptureFixture[str]) -> None:
    ids = import_bucket_findings(120)
    estate.import_findings(load_event(NO_RULE_EVENT))
    code, out, err = run(capsys, "sweep", "--json")
    result = json.loads(out)
    assert code == 0, err
    assert result["summary"] == {"remediated": 120}
    assert result["batches"] == 2
    assert result["without_rule"] == 1
    assert all(estate.finding(finding_id)["Workflow"]["Status"] == "RESOLVED" for finding_id in ids[::17])
    assert estate.bucket_encryption("sweep-bucket-123456789012-0119") == "aws:kms"


def test_sweep_summary_and_second_run(hub: None, capsys: pytest.CaptureFixture[str]) -> None:
    import_bucket_findings(3)
    code, out, _ = run(capsys, "sweep")
    assert code == 0
    assert out.startswith("swept 3 findings in 1 batch(es)")
    assert "s3-bucket-kms-encryption" in out and "3 remediated" in out
    code, out, _ = run(capsys, "sweep")  # everything is RESOLVED now: nothing left to select
    assert code == 0
    assert "swept 0 findings" in out and "nothing to do" in out


def test_sweep_dry_run_changes_no_resource(hub: None, capsys: pytest.CaptureFixture[str]) -> None:
    import_bucket_findings(2)
    code, out, _ = run(capsys, "sweep", "--dry-run")
    assert code == 0
    assert out.startswith("Dry run: swept 2 findings") and "2 planned" in out
    assert estate.bucket_encryption("sweep-bucket-123456789012-0000") is None


def test_sweep_filters_by_control_and_account(hub: None, capsys: pytest.CaptureFixture[str]) -> None:
    import_bucket_findings(2)
    import_bucket_findings(1, account="210987654321")  # a member's finding aggregated in the hub
    code, out, _ = run(capsys, "sweep", "--control", "IAM.7", "--json")
    assert code == 0 and json.loads(out)["summary"] == {}
    code, out, _ = run(capsys, "sweep", "--control", "S3.17", "--account", estate.ACCOUNT, "--json")
    assert code == 0 and json.loads(out)["summary"] == {"remediated": 2}


def test_sweep_filters_are_the_documented_ones() -> None:
    filters = sweep_filters(["S3.17"], ["111122223333"])
    assert filters["ComplianceStatus"] == [{"Value": "FAILED", "Comparison": "EQUALS"}]
    assert filters["RecordState"] == [{"Value": "ACTIVE", "Comparison": "EQUALS"}]
    assert [f["Value"] for f in filters["WorkflowStatus"]] == ["NEW", "NOTIFIED"]
    assert filters["ComplianceSecurityControlId"] == [{"Value": "S3.17", "Comparison": "EQUALS"}]
    assert filters["AwsAccountId"] == [{"Value": "111122223333", "Comparison": "EQUALS"}]


def test_sweep_refuses_more_filter_values_than_aws_takes(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sweep"] + [arg for n in range(21) for arg in ("--control", f"S3.{n}")]
    code, _, err = run(capsys, *argv)
    assert code == 2 and "at most 20" in err


def test_sweep_exits_1_and_lists_failures(hub: None, capsys: pytest.CaptureFixture[str]) -> None:
    ids = import_bucket_findings(2)
    boto3.client("s3", region_name=estate.REGION).delete_bucket(Bucket="sweep-bucket-123456789012-0001")
    code, out, _ = run(capsys, "sweep")
    assert code == 1
    assert "1 failed" in out and "1 remediated" in out
    assert f"{ids[1]}: " in out and "NoSuchBucket" in out


def test_sweep_against_a_moto_server(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import_bucket_findings(3)
    code, out, _ = run_on_server(monkeypatch, capsys, "sweep", "--json")
    assert code == 0 and json.loads(out)["summary"] == {"remediated": 3}


# --- redrive ------------------------------------------------------------------------------


def test_redrive_against_a_moto_server(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    estate.create_bucket()
    estate.import_findings(load_event(S3_EVENT))
    sqs = boto3.client("sqs", region_name=estate.REGION)
    queue_url = sqs.create_queue(QueueName="remediator-dlq")["QueueUrl"]
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(load_event(S3_EVENT)))
    code, _, err = run_on_server(monkeypatch, capsys, "redrive", queue_url)
    assert code == 0 and "1 delivered" in err
    assert (
        estate.finding(load_event(S3_EVENT)["detail"]["findings"][0]["Id"])["Workflow"]["Status"]
        == "RESOLVED"
    )


# --- progress bar -------------------------------------------------------------------------


class Terminal:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def test_progress_bar_redraws_in_place_and_ends_the_line() -> None:
    ticks = iter([0.0, 0.5, 1.0, 1.0, 2.0, 2.0])
    terminal = Terminal()
    bar = ProgressBar(4, "findings", terminal, clock=lambda: next(ticks))  # type: ignore[arg-type]
    for _ in range(4):
        bar.advance()
    bar.close()
    frames = terminal.text.split("\r")[1:]
    assert frames[-1] == "[" + "#" * 30 + "] 4/4 findings 2.0/s\n"
    assert frames[0].startswith("[#######") and " 1/4 findings" in frames[0]


def test_progress_bar_is_silent_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    bar = ProgressBar(2, "findings")
    bar.advance(2)
    bar.close()
    assert capsys.readouterr().err == ""
