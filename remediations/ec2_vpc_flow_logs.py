"""Log a VPC's rejected traffic to the baseline's CloudWatch Logs group (control EC2.6).

Controls: EC2.6; CIS 1.2 2.9, CIS 1.4 3.9, CIS 3.0 3.7, CIS 5.0 3.7, PCI.EC2.6 (Config rule
`vpc-flow-logs-enabled`, which Security Hub runs with `trafficType=REJECT`).
Why: flow logs record the traffic a VPC's security groups and network ACLs turn away, the first
trace of a scan or of a misconfigured peer; without them there is nothing to look back at.
Destinations: neither the log group nor the role the flow-logs service assumes is made here.
They are the rule's `flow_logs_log_group_arn` and `flow_logs_role_arn`, else the SSM parameters
`/sechub-remediator/baseline/flow-logs-log-group-arn` and `…/flow-logs-role-arn` that
`deploy/member-baseline.yaml` publishes in the VPC's account and Region (the baseline makes a
CloudWatch Logs group for flow logs, so that is where they go, not the log bucket). The role is
handed to the flow-logs service: the function may `iam:PassRole` exactly the baseline's role
name, to that service only (`FLOW_LOGS_ROLE`).
Guarantee: a VPC with an active flow log of traffic type REJECT or ALL is compliant and left
alone, whatever its destination; flow logs of ACCEPT traffic only, or to other destinations, are
kept as they are (a VPC may have several). Only the VPC the finding names gets a new flow log,
traffic type `traffic_type` (REJECT unless the rule says ALL). One read (DescribeFlowLogs
filtered on the VPC), one write (CreateFlowLogs). CreateFlowLogs answers a refusal for a
resource in its `Unsuccessful` list with HTTP 200, not as an error: `apply` turns the first one
into a `ClientError` with that code, so the finding is NOTIFIED with it and nothing else is
sent. `FlowLogAlreadyExists` (a flow log of the same settings made since the read) means done.
The log group's ARN is sent without the `:*` that CloudFormation's `Arn` attribute ends in, as
the API reference's example writes it.
Cost: CloudWatch Logs ingests and stores every record (vended logs pricing): creates-resources,
manual by default.
Revert: the flow log the fix created is deleted (DeleteFlowLogs) when the VPC still has it: a
flow log that was not there before the fix, with the traffic type and destination the fix set
(there can be only one such: AWS refuses a second of the same settings). Nothing else reads a
flow log (its records are in the baseline's log group, which stays with the role: both are the
baseline's), so nothing can have started using it. Gone since: someone else's change (refused
unless forced; forced, nothing to delete). Other flow logs, made before or since, are kept;
one made with the very same settings after ours was deleted cannot be told apart from ours by
DescribeFlowLogs and is deleted too (the baseline's group keeps its records).
APIs: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeFlowLogs.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateFlowLogs.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteFlowLogs.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Identity, Params, Permissions, Progress, Remediation, Risk
from remediations.destinations import FLOW_LOGS_ROLE, Destination, needed
from remediations.revert import refuse_unless_forced

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

    from remediations.cases import Cases

VPC = Identity(
    {ResourceFormat.ASFF: frozenset({"AwsEc2Vpc"}), ResourceFormat.CONFIG: frozenset({"AWS::EC2::VPC"})},
    arn="arn:{partition}:ec2:{region}:{account}:vpc/{name}",
)
FLOW_LOG_GROUP = Destination(
    "flow_logs_log_group_arn", "flow-logs-log-group-arn", "the CloudWatch Logs group for VPC flow logs"
)
LOG_GROUP_ARN_SCHEMA: Mapping[str, Any] = {
    "type": "string",
    "pattern": r"^arn:aws[a-z-]*:logs:[a-z0-9-]+:[0-9]{12}:log-group:[\.\-_/#A-Za-z0-9]+(:\*)?$",
}
ROLE_ARN_SCHEMA: Mapping[str, Any] = {
    "type": "string",
    "pattern": r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+$",
}
TRAFFIC_SCHEMA: Mapping[str, Any] = {"enum": ["REJECT", "ALL"], "default": "REJECT"}
#: Traffic types that log what the control asks for: rejected traffic (ALL includes it).
COVERS_REJECTED = frozenset({"REJECT", "ALL"})
CWL = "cloud-watch-logs"
ALREADY = "FlowLogAlreadyExists"


def read(client: EC2Client, resource: Resource, params: Params) -> dict[str, Any]:
    found = client.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [resource.name]}])
    flow_logs = [
        {
            "FlowLogId": flow_log.get("FlowLogId"),
            "TrafficType": flow_log.get("TrafficType"),
            "LogDestinationType": flow_log.get("LogDestinationType"),
            "LogDestination": _bare(flow_log.get("LogDestination") or flow_log.get("LogGroupName") or ""),
        }
        for flow_log in found.get("FlowLogs", [])
        if flow_log.get("FlowLogStatus") == "ACTIVE"
    ]
    return {"VpcId": resource.name, "FlowLogs": sorted(flow_logs, key=lambda f: str(f["FlowLogId"]))}


def _bare(log_group_arn: str) -> str:
    return log_group_arn.removesuffix(":*")


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    if any(flow_log["TrafficType"] in COVERS_REJECTED for flow_log in state["FlowLogs"]):
        return Plan(after=dict(state))
    group = _bare(needed(params, FLOW_LOG_GROUP))
    role = needed(params, FLOW_LOGS_ROLE)
    traffic = str(params.get("traffic_type", "REJECT"))
    made = {"FlowLogId": None, "TrafficType": traffic, "LogDestinationType": CWL, "LogDestination": group}
    call = ApiCall(
        "create_flow_logs",
        {
            "ResourceIds": [state["VpcId"]],
            "ResourceType": "VPC",
            "TrafficType": traffic,
            "LogDestinationType": CWL,
            "LogDestination": group,
            "DeliverLogsPermissionArn": role,
        },
        tolerate=(ALREADY,),
    )
    return Plan(
        changes=(Change(f"flow log of {traffic} traffic", None, group),),
        calls=(call,),
        after={**state, "FlowLogs": [*state["FlowLogs"], made]},
    )


def apply(client: Any, plan: Plan, done: Progress | None = None) -> None:
    """The plan's calls; a resource the call lists in `Unsuccessful` is a refusal with its code."""
    for count, call in enumerate(plan.calls, start=1):
        try:
            answer = getattr(client, call.method)(**call.params)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in call.tolerate:
                raise
        else:
            failed = [item.get("Error", {}) for item in answer.get("Unsuccessful", [])]
            refused = [error for error in failed if error.get("Code") not in call.tolerate]
            if refused:
                raise ClientError({"Error": refused[0]}, call.method)
        if done is not None:
            done(count)


def _made(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any] | None:
    kept = {flow_log["FlowLogId"] for flow_log in before["FlowLogs"]}
    return next((f for f in after["FlowLogs"] if f["FlowLogId"] not in kept), None)


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    made = _made(before, after)
    if made is None:  # the fix changed nothing
        return Plan(after=dict(current))
    ours = [
        flow_log
        for flow_log in current["FlowLogs"]
        if flow_log["FlowLogId"] not in {f["FlowLogId"] for f in before["FlowLogs"]}
        and all(flow_log[key] == made[key] for key in ("TrafficType", "LogDestinationType", "LogDestination"))
    ]
    if not ours:
        refuse_unless_forced(force, f"the flow log of VPC {current['VpcId']}", None, made["LogDestination"])
        return Plan(after=dict(current))
    ids = [flow_log["FlowLogId"] for flow_log in ours]
    return Plan(
        changes=(Change(f"flow log of {made['TrafficType']} traffic", made["LogDestination"], None),),
        calls=(ApiCall("delete_flow_logs", {"FlowLogIds": ids}),),
        after={**current, "FlowLogs": [f for f in current["FlowLogs"] if f["FlowLogId"] not in ids]},
    )


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Every flow log there before is still there, unchanged."""
    return all(flow_log in after["FlowLogs"] for flow_log in before["FlowLogs"])


def cases() -> Cases:
    from remediations.ec2_vpc_flow_logs_cases import cases as vpc_flow_logs_cases

    return vpc_flow_logs_cases()


REMEDIATION = Remediation(
    name="ec2.enable-vpc-flow-logs",
    summary="Log the VPC's rejected traffic to the baseline's flow-log group with the baseline role; a VPC that logs rejected traffic is left alone.",
    service="ec2",
    identity=VPC,
    permissions=Permissions(
        read=("ec2:DescribeFlowLogs",),
        write=("ec2:CreateFlowLogs",),
        revert=("ec2:DeleteFlowLogs",),
    ),
    risk=Risk.CREATES_RESOURCES,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
    apply=apply,
    parameters={
        FLOW_LOG_GROUP.parameter: LOG_GROUP_ARN_SCHEMA,
        FLOW_LOGS_ROLE.parameter: ROLE_ARN_SCHEMA,
        "traffic_type": TRAFFIC_SCHEMA,
    },
    destinations=(FLOW_LOG_GROUP, FLOW_LOGS_ROLE),
)
