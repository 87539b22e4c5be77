"""The demo's approval step: one finding from its plan to the change, with ApprovalMode on.

The stack is the demo's own, with the `ApprovalMode` parameter set to `true` (each function's
APPROVAL_MODE): `sg-public-ssh`, workload-affecting, is then in approve mode. A group with SSH
open to the internet gets an EC2.13 finding; its Imported event plans, stores the plan and notes
how to approve (workflow NOTIFIED, one notification); a person chooses "Approve remediation" on
the finding, and the engine applies the plan, since the group still reads as planned.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import boto3

from demo import asff
from demo.local_aws import HUB_ACCOUNT, REGION
from demo.stack import LocalStack, Routes
from engine.approvals import APPROVAL_SK, APPROVE_ACTION_NAME
from engine.settings import ENV_APPROVAL_MODE, Settings
from localaws.custom_actions import approval_event
from localaws.estate.builders import Ingress, create_security_group

WIDTH = 100


@dataclass
class ApprovalModeOn:
    """The template's routes, each function's environment as the stack sets it with ApprovalMode=true."""

    routes: Routes

    def functions_for(self, event: Mapping[str, Any]) -> list[str]:
        return self.routes.functions_for(event)

    def function_environment(self, logical_id: str) -> dict[str, str]:
        return {**self.routes.function_environment(logical_id), ENV_APPROVAL_MODE: "true"}


def show(routes: Routes, hub: boto3.Session, provision: Callable[[Settings], None]) -> bool:
    """Print the approval from plan to change; True when it went as the engine promises."""
    securityhub: Any = hub.client("securityhub")
    action_id = Settings().approve_action_id
    securityhub.create_action_target(
        Name=APPROVE_ACTION_NAME, Description="Apply the stored plan", Id=action_id
    )
    group = create_security_group([Ingress(22, ("0.0.0.0/0",))], REGION, session=hub, name="bastion")
    details = {"GroupName": group.name, "GroupId": group.id, "OwnerId": HUB_ACCOUNT, "VpcId": group.vpc_id}
    target = asff.Target(
        "AwsEc2SecurityGroup",
        f"arn:aws:ec2:{REGION}:{HUB_ACCOUNT}:security-group/{group.id}",
        {"AwsEc2SecurityGroup": details},
    )
    finding = asff.finding("EC2.13", target, HUB_ACCOUNT, REGION)
    securityhub.batch_import_findings(Findings=[finding])
    stack = LocalStack(ApprovalModeOn(routes), hub, provision)

    print(
        f"\nApproval (stack parameter ApprovalMode=true): EC2.13 on {group.id} ({group.name}), SSH open to 0.0.0.0/0."
    )
    asked = _statuses(stack.deliver(asff.imported_event(finding, HUB_ACCOUNT, REGION)))
    stored = _finding(securityhub, finding["Id"])
    plans = _approvals(hub, stack)
    print(f"1. Imported event → {', '.join(asked)}; workflow {stored['Workflow']['Status']}; note:")
    print(textwrap.indent(textwrap.fill(stored["Note"]["Text"], WIDTH), "   "))
    for plan in plans:
        print(
            f"   Stored in the state table: digest {plan['digest']['S'][:12]}…, {'; '.join(json.loads(plan['changes']['S']))}"
        )
    applied = _statuses(stack.deliver(approval_event([stored], HUB_ACCOUNT, REGION, action_id)))
    after = _finding(securityhub, finding["Id"])
    still_open = _ssh_open(hub, group.id)
    print(
        f"2. A person chooses '{APPROVE_ACTION_NAME}' on it → {', '.join(applied)}; workflow {after['Workflow']['Status']}:"
    )
    print(textwrap.indent(textwrap.fill(after["Note"]["Text"], WIDTH), "   "))
    print(
        f"   SSH from 0.0.0.0/0 on {group.id}: {'still open' if still_open else 'revoked'}; plans waiting: {len(_approvals(hub, stack))}."
    )
    return asked == ["waiting"] and len(plans) == 1 and applied == ["remediated"] and not still_open


def _statuses(handled: Any) -> list[str]:
    return [line["status"] for h in handled for line in h.report.get("findings", [])]


def _finding(securityhub: Any, finding_id: str) -> dict[str, Any]:
    found: dict[str, Any] = securityhub.get_findings(
        Filters={"Id": [{"Value": finding_id, "Comparison": "EQUALS"}]}
    )["Findings"][0]
    return found


def _approvals(hub: boto3.Session, stack: LocalStack) -> list[dict[str, Any]]:
    tables = {engine.settings.state_table for engine in stack.engines.values()}
    dynamodb: Any = hub.client("dynamodb")
    return [
        item
        for table in sorted(tables)
        for item in dynamodb.scan(TableName=table)["Items"]
        if item["sk"]["S"] == APPROVAL_SK
    ]


def _ssh_open(hub: boto3.Session, group_id: str) -> bool:
    ec2: Any = hub.client("ec2")
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])[
        "SecurityGroupRules"
    ]
    return any(
        not rule["IsEgress"] and rule.get("FromPort") == 22 and rule.get("CidrIpv4") == "0.0.0.0/0"
        for rule in rules
    )
