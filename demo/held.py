"""The demo's blast-radius step: one finding held by the limit, then applied by a person.

The demo's estate changes a few resources per control, far below the stack's default limit
(ControlChangesPerHour 50), so this step deploys the same stack with the limit lowered to one
more than S3.17 has already used in this hour's window (the same state table, so the window
already counts the demo's earlier S3.17 changes). Two more buckets with only SSE-S3 then arrive
as Imported events: the first is fixed, the second is held, NOTIFIED, with a note naming the
limit, the window and when it reopens, and one notification goes out for the window. Then a
person sends the held finding through the custom action, which is counted but never held.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3

from demo import asff
from demo.local_aws import HUB_ACCOUNT, MEMBER_ACCOUNT, REGION
from demo.stack import LocalStack, Routes
from engine.blast_radius import BlastRadius
from engine.settings import ENV_CONTROL_CHANGES_PER_HOUR, Settings
from localaws import estate
from localaws.recorder import CallRecorder

CONTROL = "S3.17"
ACTION_ID = "Remediate"


@dataclass(frozen=True, slots=True)
class LoweredLimit:
    """The template's routes, each function's environment with ControlChangesPerHour lowered."""

    routes: Routes
    limit: int

    def functions_for(self, event: Mapping[str, Any]) -> list[str]:
        return self.routes.functions_for(event)

    def function_environment(self, logical_id: str) -> dict[str, str]:
        return {**self.routes.function_environment(logical_id), ENV_CONTROL_CHANGES_PER_HOUR: str(self.limit)}


def show_held_finding(stack: LocalStack, member: boto3.Session, action_arn: str) -> bool:
    """Print the step; True when one finding was fixed, one held (notified once), then applied by a person."""
    function = stack.routes.functions_for(asff.imported_event(_finding("demo-probe"), HUB_ACCOUNT, REGION))[0]
    settings = Settings.from_env(stack.routes.function_environment(function))
    hub_dynamodb = stack.session.client("dynamodb")
    radius = BlastRadius(lambda: hub_dynamodb, settings.state_table, 1, 1)
    used = radius.count(radius.windows(CONTROL, MEMBER_ACCOUNT)[0])
    lowered = LocalStack(
        LoweredLimit(stack.routes, used + 1), stack.session, stack.provision, metrics=stack.metrics
    )
    findings = []
    for name in ("demo-held-first", "demo-held-second"):
        estate.create_bucket(name, REGION, session=member, sse_algorithm="AES256")
        findings.append(_finding(name))
    securityhub: Any = stack.session.client("securityhub")
    assert securityhub.batch_import_findings(Findings=findings)["FailedCount"] == 0
    calls = CallRecorder()
    stack.session.events.register("before-call.*.*", calls)
    try:
        statuses = [_status(lowered, asff.imported_event(f, HUB_ACCOUNT, REGION)) for f in findings]
        notified = calls.count("sns.Publish")
        held = findings[1]
        note = securityhub.get_findings(Filters={"Id": [{"Value": held["Id"], "Comparison": "EQUALS"}]})
        found = note["Findings"][0]
        person = _status(
            lowered, asff.custom_action_event([held], action_arn, ACTION_ID, HUB_ACCOUNT, REGION)
        )
    finally:
        stack.session.events.unregister("before-call.*.*", calls)
    print(
        f"\nBlast radius: the stack again with ControlChangesPerHour = {used + 1} ({CONTROL} has made "
        f"{used} changes in this hour's window); two more buckets with SSE-S3 only arrive:"
    )
    print(f"  demo-held-first   {statuses[0]}")
    print(
        f"  demo-held-second  {statuses[1]}, workflow {found['Workflow']['Status']}: {found['Note']['Text']}"
    )
    print(f"  notifications for the window: {notified}")
    print(f"  a person's custom action on demo-held-second: {person} (counted, never held)")
    return statuses == ["remediated", "held"] and notified == 1 and person == "remediated"


def _finding(bucket: str) -> dict[str, Any]:
    target = asff.Target("AwsS3Bucket", f"arn:aws:s3:::{bucket}", {"AwsS3Bucket": {"Name": bucket}})
    return asff.finding(CONTROL, target, MEMBER_ACCOUNT, REGION)


def _status(stack: LocalStack, event: Mapping[str, Any]) -> str:
    lines = [line for handled in stack.deliver(event) for line in handled.report.get("findings", [])]
    return str(lines[0]["status"]) if lines else "no function matched"
