"""EC2.6 (VPC flow logs): properties over every state, and the refusals CreateFlowLogs answers with 200.

Never weaken, never replace: a VPC that logs rejected traffic (REJECT or ALL, any destination) is
left alone; otherwise one request adds a flow log for exactly the VPC read, to the destinations
given, and every flow log already there stays. A revert deletes only the flow log the fix made.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from hypothesis import given
from hypothesis import strategies as st

from model.errors import RevertConflictError
from remediations import catalog

FLOW_LOGS = catalog()["ec2.enable-vpc-flow-logs"]
GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:flow"
ROLE = "arn:aws:iam::123456789012:role/sechub-baseline-flow-logs-us-east-1"
PARAMS = {"flow_logs_log_group_arn": f"{GROUP}:*", "flow_logs_role_arn": ROLE}
flow_logs = st.lists(
    st.fixed_dictionaries(
        {
            "FlowLogId": st.from_regex(r"fl-[0-9a-f]{4}", fullmatch=True),
            "TrafficType": st.sampled_from(["ACCEPT", "REJECT", "ALL"]),
            "LogDestinationType": st.sampled_from(["cloud-watch-logs", "s3", "kinesis-data-firehose"]),
            "LogDestination": st.sampled_from(
                [GROUP, "arn:aws:s3:::team-logs", "arn:aws:logs:us-east-1:1:x"]
            ),
        }
    ),
    max_size=4,
    unique_by=lambda f: f["FlowLogId"],
)


@given(existing=flow_logs, traffic=st.sampled_from(["REJECT", "ALL"]))
def test_a_vpc_that_logs_rejected_traffic_is_left_alone_otherwise_one_flow_log_is_added(
    existing: list[dict[str, Any]], traffic: str
) -> None:
    state = {"VpcId": "vpc-1", "FlowLogs": existing}
    plan = FLOW_LOGS.plan(state, {**PARAMS, "traffic_type": traffic})
    if any(f["TrafficType"] in ("REJECT", "ALL") for f in existing):
        assert plan.compliant and plan.after == state
        return
    (call,) = plan.calls
    assert call.method == "create_flow_logs"
    assert dict(call.params) == {
        "ResourceIds": ["vpc-1"],
        "ResourceType": "VPC",
        "TrafficType": traffic,
        "LogDestinationType": "cloud-watch-logs",
        "LogDestination": GROUP,
        "DeliverLogsPermissionArn": ROLE,
    }
    assert all(f in plan.after["FlowLogs"] for f in existing)


@given(existing=flow_logs, since=flow_logs, ours_there=st.booleans(), force=st.booleans())
def test_a_revert_deletes_only_the_flow_log_the_fix_made(
    existing: list[dict[str, Any]], since: list[dict[str, Any]], ours_there: bool, force: bool
) -> None:
    existing = [{**f, "TrafficType": "ACCEPT"} for f in existing]  # non-compliant before the fix
    before = {"VpcId": "vpc-1", "FlowLogs": existing}
    plan = FLOW_LOGS.plan(before, PARAMS)
    after = plan.after
    known = {f["FlowLogId"] for f in existing}
    added = [f for f in since if f["FlowLogId"] not in known and f["FlowLogId"] != "fl-ours"]
    ours = {**after["FlowLogs"][-1], "FlowLogId": "fl-ours"}
    current = {"VpcId": "vpc-1", "FlowLogs": [*existing, *([ours] if ours_there else []), *added]}
    twins = [f for f in added if {**f, "FlowLogId": None} == {**ours, "FlowLogId": None}]
    try:
        undo = FLOW_LOGS.undo(current, before, after, force=force)
    except RevertConflictError:
        assert not ours_there and not twins and not force
        return
    deleted = [i for call in undo.calls for i in call.params["FlowLogIds"]]
    assert set(deleted) <= {"fl-ours", *(f["FlowLogId"] for f in twins)}
    assert all(f["FlowLogId"] not in deleted for f in existing)


def _client() -> Any:
    return boto3.client("ec2", region_name="us-east-1")


@pytest.mark.parametrize("code", ["InvalidParameter", "AccessDenied"])
def test_a_refusal_create_flow_logs_answers_with_200_fails_with_its_code(code: str) -> None:
    plan = FLOW_LOGS.plan({"VpcId": "vpc-1", "FlowLogs": []}, PARAMS)
    client = _client()
    with Stubber(client) as stub:
        answer = {
            "FlowLogIds": [],
            "Unsuccessful": [{"ResourceId": "vpc-1", "Error": {"Code": code, "Message": "no"}}],
        }
        stub.add_response("create_flow_logs", answer, dict(plan.calls[0].params))
        with pytest.raises(ClientError) as raised:
            FLOW_LOGS.apply(client, plan)
        stub.assert_no_pending_responses()
    assert raised.value.response["Error"]["Code"] == code


def test_a_flow_log_made_since_with_the_same_settings_means_done() -> None:
    plan = FLOW_LOGS.plan({"VpcId": "vpc-1", "FlowLogs": []}, PARAMS)
    client = _client()
    done: list[int] = []
    with Stubber(client) as stub:
        stub.add_client_error(
            "create_flow_logs", "FlowLogAlreadyExists", expected_params=dict(plan.calls[0].params)
        )
        FLOW_LOGS.apply(client, plan, done.append)
    assert done == [1]
