"""Properties of the one-setting EC2 fixes (EC2.8, EC2.15, EC2.23), over every state they can read.

Each sends at most one request naming one setting, never weakens what it reads, leaves a state
that plans nothing more, and its revert puts back exactly the value it read unless someone has
changed that value since (then it refuses unless forced).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.errors import RevertConflictError
from remediations import ec2_instance_imdsv2, ec2_subnet_public_ip, ec2_transit_gateway_auto_accept

IMDS = ec2_instance_imdsv2
metadata_states = st.fixed_dictionaries(
    {
        "InstanceId": st.just("i-0a1b2c3d4e5f60718"),
        "HttpTokens": st.sampled_from(["optional", "required", None]),
        "HttpEndpoint": st.sampled_from(["enabled", "disabled"]),
        "HttpPutResponseHopLimit": st.integers(min_value=1, max_value=64),
        "HttpProtocolIpv6": st.sampled_from(["enabled", "disabled"]),
        "InstanceMetadataTags": st.sampled_from(["enabled", "disabled"]),
    }
)
subnet_states = st.fixed_dictionaries(
    {"SubnetId": st.just("subnet-0a1b2c3d4e5f60718"), "MapPublicIpOnLaunch": st.booleans()}
)
gateway_states = st.fixed_dictionaries(
    {
        "TransitGatewayId": st.just("tgw-0a1b2c3d4e5f60718"),
        "AutoAcceptSharedAttachments": st.sampled_from(["enable", "disable"]),
    }
)
#: (module, the setting it changes, the states it can read)
FIXES = [
    pytest.param(IMDS, "HttpTokens", metadata_states, id="EC2.8"),
    pytest.param(ec2_subnet_public_ip, "MapPublicIpOnLaunch", subnet_states, id="EC2.15"),
    pytest.param(ec2_transit_gateway_auto_accept, "AutoAcceptSharedAttachments", gateway_states, id="EC2.23"),
]


@pytest.mark.parametrize(("module", "setting", "states"), FIXES)
def test_one_request_one_setting_never_weaker(module: Any, setting: str, states: Any) -> None:
    @given(states)
    def check(state: dict[str, Any]) -> None:
        plan = module.plan(state, {})
        assert module.keeps(state, plan.after)
        assert len(plan.calls) <= 1 and [c.field for c in plan.changes] == [setting] * len(plan.calls)
        assert {k for k, v in plan.after.items() if v != state[k]} <= {setting}
        for call in plan.calls:
            sent = {k for k in call.params if not k.endswith("Id")}
            assert sent == {setting} or call.params.get("Options", {}).keys() == {setting}
        assert module.plan(plan.after, {}).compliant

    check()


@pytest.mark.parametrize(("module", "setting", "states"), FIXES)
def test_revert_puts_back_what_was_read_unless_changed_since(module: Any, setting: str, states: Any) -> None:
    @given(states)
    def check(before: dict[str, Any]) -> None:
        fix = module.plan(before, {})
        if fix.compliant:
            return
        back = module.revert(fix.after, before, fix.after, False)
        assert back.after[setting] == before[setting] and len(back.calls) == 1
        assert module.plan(back.after, {}).calls == fix.calls, "the fix would make the same request again"
        with pytest.raises(RevertConflictError):
            module.revert(before, before, fix.after, False)  # someone undid the fix since
        assert module.revert(before, before, fix.after, True).calls == ()

    check()


@given(metadata_states)
def test_imdsv2_request_names_the_tokens_alone(state: dict[str, Any]) -> None:
    """AWS keeps what a request leaves out: a disabled endpoint is never switched back on."""
    for call in IMDS.plan(state, {}).calls:
        assert call.params == {"InstanceId": state["InstanceId"], "HttpTokens": "required"}


@given(metadata_states)
def test_imdsv2_revert_keeps_required_where_the_endpoint_was_disabled_since(state: dict[str, Any]) -> None:
    before = {**state, "HttpTokens": "optional", "HttpEndpoint": "enabled"}
    after = IMDS.plan(before, {}).after
    back = IMDS.revert({**after, "HttpEndpoint": "disabled"}, before, after, False)
    assert back.calls == () and any("disabled since" in note for note in back.notes)
