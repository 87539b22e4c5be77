"""The cases of `ec2.enable-vpc-flow-logs` (remediations/ec2_vpc_flow_logs.py), built by the tests only."""

from __future__ import annotations

from typing import Any

from model.finding import Resource, ResourceFormat
from remediations.cases import (
    ACCOUNT,
    REGION,
    Cases,
    Exchange,
    LiveCase,
    PlanCase,
    RevertCase,
    StubbedCase,
    resource,
)
from remediations.destinations import FLOW_LOGS_ROLE
from remediations.ec2_vpc_flow_logs import CWL, FLOW_LOG_GROUP, keeps

VPC_ID = "vpc-0a1b2c3d4e5f60718"
GROUP_NAME = "sechub-baseline/vpc-flow-logs"
GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{GROUP_NAME}"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sechub-baseline-flow-logs-{REGION}"
TRUST = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
    '"Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
)


def _flow_log(flow_log_id: str | None, traffic: str, destination: str = GROUP) -> dict[str, Any]:
    return {
        "FlowLogId": flow_log_id,
        "TrafficType": traffic,
        "LogDestinationType": CWL,
        "LogDestination": destination,
    }


def _state(*flow_logs: dict[str, Any]) -> dict[str, Any]:
    return {"VpcId": VPC_ID, "FlowLogs": list(flow_logs)}


def without_ids(state: dict[str, Any]) -> dict[str, Any]:
    """A flow log's id is AWS's to choose: the plan cannot know it, the read can."""
    return {**state, "FlowLogs": [{**f, "FlowLogId": None} for f in state["FlowLogs"]]}


def setup(session: Any) -> Resource:
    """A VPC without flow logs; the baseline's flow-log group and role made and published."""
    logs = session.client("logs")
    logs.create_log_group(logGroupName=GROUP_NAME)
    group = logs.describe_log_groups(logGroupNamePrefix=GROUP_NAME)["logGroups"][0]["arn"]
    role = session.client("iam").create_role(
        RoleName=f"sechub-baseline-flow-logs-{session.region_name}", AssumeRolePolicyDocument=TRUST
    )["Role"]["Arn"]
    ssm = session.client("ssm")
    for destination, value in ((FLOW_LOG_GROUP, group), (FLOW_LOGS_ROLE, role)):
        ssm.put_parameter(Name=destination.ssm_name, Value=value, Type="String", Overwrite=True)
    vpc = session.client("ec2").create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    return resource("AwsEc2Vpc", f"arn:aws:ec2:{session.region_name}:{ACCOUNT}:vpc/{vpc}")


def cases() -> Cases:
    baseline = {FLOW_LOG_GROUP.parameter: f"{GROUP}:*", FLOW_LOGS_ROLE.parameter: ROLE}
    accept_only = _flow_log("fl-0accept", "ACCEPT", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:team")
    ours_planned = _flow_log(None, "REJECT")
    ours = _flow_log("fl-0ours", "REJECT")
    theirs_all = _flow_log("fl-0theirs", "ALL", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:team")
    arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{VPC_ID}"
    create = {
        "ResourceIds": [VPC_ID],
        "ResourceType": "VPC",
        "TrafficType": "REJECT",
        "LogDestinationType": CWL,
        "LogDestination": GROUP,
        "DeliverLogsPermissionArn": ROLE,
    }
    return Cases(
        plans=(
            PlanCase("no flow log", _state(), baseline, (f"flow log of REJECT traffic: none → {GROUP}",)),
            PlanCase(
                "accepted traffic only: kept, one for rejected added",
                _state(accept_only),
                baseline,
                (f"flow log of REJECT traffic: none → {GROUP}",),
            ),
            PlanCase(
                "all traffic asked for",
                _state(),
                {**baseline, "traffic_type": "ALL"},
                (f"flow log of ALL traffic: none → {GROUP}",),
            ),
            PlanCase("all traffic logged elsewhere already", _state(theirs_all), baseline, ()),
            PlanCase("rejected traffic logged, no destination needed", _state(ours), {}, ()),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsEc2Vpc", arn),
            params={},
            calls=(
                Exchange(
                    "describe_flow_logs",
                    {"Filters": [{"Name": "resource-id", "Values": [VPC_ID]}]},
                    {"FlowLogs": []},
                ),
                Exchange("create_flow_logs", create, {"FlowLogIds": ["fl-0ours"], "Unsuccessful": []}),
            ),
            refusals=(
                (0, "UnauthorizedOperation"),
                (1, "InvalidVpcID.NotFound"),
                (1, "FlowLogsLimitExceeded"),
                (1, "UnauthorizedOperation"),
            ),
        ),
        reverts=(
            RevertCase(
                "the flow log the fix made deleted",
                _state(),
                _state(ours_planned),
                _state(ours),
                (f"flow log of REJECT traffic: {GROUP} → none",),
            ),
            RevertCase(
                "one added since by someone else is kept, ours deleted",
                _state(accept_only),
                _state(accept_only, ours_planned),
                _state(accept_only, ours, theirs_all),
                (f"flow log of REJECT traffic: {GROUP} → none",),
            ),
            RevertCase(
                "deleted by someone else since",
                _state(),
                _state(ours_planned),
                _state(theirs_all),
                conflict=True,
                since="changed",
            ),
        ),
        live=LiveCase(setup, baseline, normalize=without_ids),
        keeps=keeps,
        strictest=(
            "a flow log is there or not: the fix only adds one, so a stricter state since is another "
            "flow log, which the revert keeps (case 'one added since by someone else is kept')"
        ),
        identities=(
            (resource("AwsEc2Vpc", arn), VPC_ID),
            (resource("AWS::EC2::VPC", VPC_ID, ResourceFormat.CONFIG), VPC_ID),
        ),
        destinations=baseline,
    )
