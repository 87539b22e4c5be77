"""The demo's approval step (demo/approval.py) on its own: plan, note, store, approve, change."""

from __future__ import annotations

import boto3
import pytest

from demo import approval
from demo.local_aws import Provisioner
from localaws import sam_routes


def test_one_approval_from_plan_to_change(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    hub = boto3.Session(region_name="us-east-1")
    hub.client("securityhub").enable_security_hub()
    assert approval.show(sam_routes, hub, Provisioner(hub, []))
    out = capsys.readouterr().out
    assert "1. Imported event → waiting; workflow NOTIFIED" in out
    assert "Approve with the custom action" in out and "'Approve remediation' by " in out
    assert "Stored in the state table: digest " in out
    assert "2. A person chooses 'Approve remediation' on it → remediated; workflow RESOLVED" in out
    assert "revoked; plans waiting: 0." in out
