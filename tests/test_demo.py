"""`make demo` end to end: its main function, on the real template's routing, in one process."""

from __future__ import annotations

import pytest

from demo.run import main
from localaws.metrics import MetricStore
from tests.conftest import DemoRun


def test_demo_fixes_the_estate_then_finds_it_compliant(demo_run: DemoRun) -> None:
    out = demo_run.out
    assert demo_run.code == 0, out
    out, history = out.split("What the engine changed, from its records")
    _check_history_and_metrics(history, demo_run.metrics)
    imported, rest = out.split("Imported events:")[1].split("First pass:")
    first, second = rest.split("Second pass:")
    second = second.split("\nBaseline:")[0]  # the baseline step's own tables: tests/test_demo_baseline.py
    # Workload-affecting findings wait for a person, with the plan in their note, and notify once each.
    waiting = [line for line in imported.splitlines() if line.startswith(("hub ", "member "))]
    assert all(
        any(f" {control} " in line for line in waiting) for control in ("EC2.2", "EC2.13", "S3.8", "Lambda.1")
    )
    assert all("NOTIFIED" in line and "Waiting for a person" in line for line in waiting)
    assert (
        f"{len(waiting)} wait for a person" in imported
        and f"{len(waiting)} notifications published" in imported
    )
    # ... and the custom action applies them.
    assert "remediated" in first and "failed" not in first and "no function matched" not in first
    for control in ("EC2.2", "EC2.13", "S3.8", "SNS.1"):
        row = next(line for line in first.splitlines() if f" {control} " in line)
        assert "remediated" in row and row.rstrip().endswith("RESOLVED"), row
    # Safe fixes apply on their own, from their Imported event: the key rotates, the table is protected.
    for control, change in (
        ("KMS.4", "KeyRotationEnabled: false → true"),
        ("DynamoDB.6", "DeletionProtectionEnabled: false → true"),
    ):
        row = next(line for line in first.splitlines() if f" {control} " in line)
        assert "Imported event" in row and "remediated" in row and change in row, row
        assert row.rstrip().endswith("RESOLVED"), row
    assert "KmsRemediationFunction" in out and "DynamodbRemediationFunction" in out
    rows = [line for line in second.splitlines() if line.startswith(("hub ", "member "))]
    assert any(" KMS.4 " in row for row in rows) and any(" DynamoDB.6 " in row for row in rows)
    assert rows and all(
        "already-compliant" in row and row.rstrip().endswith(("RESOLVED", "Resolved")) for row in rows
    )
    _check_ocsf_findings(first, rows)
    assert ", 0 of those wrote anything again." in out  # the engine's own updates do not loop
    # One finding held by the blast-radius limit (lowered for that step), then applied by a person.
    assert (
        "demo-held-second  held, workflow NOTIFIED: [sechub-remediator] Not remediated: blast-radius limit"
        in out
    )
    assert "notifications for the window: 1" in out and "demo-held-second: remediated" in out
    _check_public_function(imported, first)
    assert history.rstrip().splitlines()[-1].startswith("Done in")
    assert demo_run.environment_restored  # fake credentials and the endpoint are gone again


def _check_history_and_metrics(history: str, metrics: MetricStore) -> None:
    """The demo ends with `remediator history`; its functions' metrics are what the dashboard draws."""
    assert "$ remediator history --since 1h" in history
    for delivery in ("Imported ", "Imported V2", "custom action"):
        assert delivery in history, delivery
    for control, change in (
        ("KMS.4", "KeyRotationEnabled: false → true"),
        ("EC2.13", "tcp 22 from 0.0.0.0/0"),
    ):
        assert control in history and change in history
    outcomes = {dict(p.dimensions)["Outcome"] for p in metrics.points if p.name == "Findings"}
    assert {"remediated", "waiting", "already-compliant"} <= outcomes
    assert {p.name for p in metrics.points if p.namespace == "AWS/Lambda"} == {"Duration", "Errors"}


def _check_ocsf_findings(first: str, second: list[str]) -> None:
    """AWS Security Hub's OCSF findings: resolved through BatchUpdateFindingsV2 (status Resolved).

    The hub's bucket is reported by both Security Hubs: the ASFF event fixes it, the OCSF one
    finds it fixed and resolves its own finding; the member's bucket is fixed from its OCSF event.
    """
    ocsf = [line for line in first.splitlines() if " S3.17 (OCSF) " in line]
    assert len(ocsf) == 2 and all(
        "Imported V2 event" in line and line.rstrip().endswith("Resolved") for line in ocsf
    )
    hub, member = ocsf
    assert hub.startswith("hub ") and "already-compliant" in hub and "changed by this engine" in hub
    assert (
        member.startswith("member ") and "remediated" in member and "SSEAlgorithm: AES256 → aws:kms" in member
    )
    assert sum(" S3.17 (OCSF) " in row and row.rstrip().endswith("Resolved") for row in second) == 2


def _check_public_function(imported: str, first: str) -> None:
    """Lambda.1 (workload-affecting): its event leaves the policy whole, the custom action removes `*` only."""
    waiting = imported.split(" Lambda.1 ", 1)[1]
    assert "public-invoke" in waiting.split(" to apply.", 1)[0], waiting
    assert "Policy of demo-thumbnailer after its automatic event: public-invoke, partner-invoke." in imported
    row = next(line for line in first.splitlines() if " Lambda.1 " in line)
    assert "remediated" in row and "public-invoke" in row and row.rstrip().endswith("RESOLVED"), row
    assert "partner-invoke" not in first.split("Policy of demo-thumbnailer", 1)[0]
    assert "Policy of demo-thumbnailer after the custom action: partner-invoke." in first


def test_demo_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "moto" in capsys.readouterr().out
