"""Custom-action events as Security Hub sends them, for either of the stack's two actions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cli.sweep import batch_event
from engine.approvals import APPROVE_ACTION_NAME
from engine.settings import Settings


def approval_event(
    findings: Sequence[Mapping[str, Any]],
    hub_account: str,
    region: str,
    action_id: str = Settings().approve_action_id,
) -> dict[str, Any]:
    """The event a person sends by choosing "Approve remediation" on `findings` in the console."""
    event = batch_event(findings, hub_account, region)
    arn = event["resources"][0].rsplit("/", 1)[0]
    event["resources"] = [f"{arn}/{action_id}"]
    event["detail"]["actionName"] = APPROVE_ACTION_NAME
    event["detail"]["actionDescription"] = "Apply the plan stored for the selected findings"
    return event
