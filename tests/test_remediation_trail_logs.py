"""CloudTrail.5 (trail → log group): properties over every state.

Never weaken, never replace: a trail that sends to a log group keeps the group and its role,
whatever they are; otherwise one request names exactly the trail read and the two destinations
given, no other trail setting. A revert undoes only what reads as the fix left it.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from model.errors import RevertConflictError
from remediations import catalog

TRAIL_LOGS = catalog()["cloudtrail.send-to-cloudwatch-logs"]
TRAIL = "arn:aws:cloudtrail:us-east-1:123456789012:trail/t"
groups = st.from_regex(r"arn:aws:logs:us-east-1:[0-9]{12}:log-group:[a-z/_-]{1,20}:\*", fullmatch=True)
roles = st.from_regex(r"arn:aws:iam::[0-9]{12}:role/[a-z-]{1,20}", fullmatch=True)


@given(
    group=st.one_of(st.none(), groups), role=st.one_of(st.none(), roles), given_group=groups, given_role=roles
)
def test_a_trail_keeps_its_log_group_and_otherwise_gets_only_the_destinations(
    group: str | None, role: str | None, given_group: str, given_role: str
) -> None:
    state = {"TrailARN": TRAIL, "CloudWatchLogsLogGroupArn": group, "CloudWatchLogsRoleArn": role}
    params = {"cloudtrail_log_group_arn": given_group, "cloudtrail_logs_role_arn": given_role}
    plan = TRAIL_LOGS.plan(state, params)
    if group:
        assert plan.compliant and plan.after == state
        return
    (call,) = plan.calls
    assert call.method == "update_trail"
    assert dict(call.params) == {
        "Name": TRAIL,
        "CloudWatchLogsLogGroupArn": given_group,
        "CloudWatchLogsRoleArn": given_role,
    }


@given(
    current=st.sampled_from(["ours", "theirs", None]),
    force=st.booleans(),
)
def test_a_revert_undoes_only_the_group_the_fix_set(current: str | None, force: bool) -> None:
    values: dict[Any, tuple[str | None, str | None]] = {
        None: (None, None),
        "ours": ("arn:aws:logs:us-east-1:123456789012:log-group:a:*", "arn:aws:iam::123456789012:role/a"),
        "theirs": ("arn:aws:logs:us-east-1:123456789012:log-group:b:*", "arn:aws:iam::123456789012:role/b"),
    }

    def state(which: str | None) -> dict[str, Any]:
        group, role = values[which]
        return {"TrailARN": TRAIL, "CloudWatchLogsLogGroupArn": group, "CloudWatchLogsRoleArn": role}

    try:
        plan = TRAIL_LOGS.undo(state(current), state(None), state("ours"), force=force)
    except RevertConflictError:
        assert current == "theirs" and not force
        return
    assert plan.after["CloudWatchLogsLogGroupArn"] is None
    assert len(plan.calls) == (0 if current is None else 1)
