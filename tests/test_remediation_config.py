"""Config.1 beyond the meta-tests: an existing recorder is extended, never replaced; an existing
channel is kept; the undo gives an extended recorder its group and role back; and the moto
behaviours the plan's order and the undo's order rely on.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st

from remediations.cases import REGION
from remediations.config_recorder import REMEDIATION, keeps
from remediations.config_recorder_cases import CUSTOM_ROLE, LOGS, SLR, setup, state

GROUPS = st.one_of(
    st.builds(
        lambda types, glob: {
            "allSupported": False,
            "includeGlobalResourceTypes": glob,
            "resourceTypes": types,
        },
        st.lists(
            st.sampled_from(["AWS::S3::Bucket", "AWS::EC2::Instance", "AWS::IAM::Role"]),
            min_size=1,
            unique=True,
        ),
        st.booleans(),
    ),
    st.builds(lambda glob: {"allSupported": True, "includeGlobalResourceTypes": glob}, st.booleans()),
)
RECORDERS = st.one_of(
    st.none(),
    st.builds(
        lambda name, role, group: {"name": name, "roleARN": role, "recordingGroup": group},
        st.sampled_from(["default", "their-recorder"]),
        st.sampled_from([SLR, CUSTOM_ROLE]),
        GROUPS,
    ),
)
CHANNELS = st.sampled_from([None, {"name": "central", "s3BucketName": "org-config-bucket"}])


@given(
    recorder=RECORDERS,
    recording=st.booleans(),
    channel=CHANNELS,
    region=st.sampled_from([REGION, "eu-west-1"]),
    use_slr=st.booleans(),
)
def test_the_fix_extends_never_weakens_and_leaves_nothing_to_do(
    recorder: Any, recording: bool, channel: Any, region: str, use_slr: bool
) -> None:
    before = state(
        recorder,
        recording=recording and recorder is not None and channel is not None,
        channel=channel,
        region=region,
    )
    params = {"log_bucket": LOGS, "service_linked_role": use_slr}
    plan = REMEDIATION.plan(before, params)
    after = plan.after
    assert keeps(before, after)
    assert after["Recording"] and after["Recorder"]["recordingGroup"]["allSupported"]
    assert after["Recorder"]["recordingGroup"]["includeGlobalResourceTypes"] or region != REGION
    if recorder is not None:
        assert after["Recorder"]["name"] == recorder["name"]
        assert after["Recorder"]["roleARN"] == (SLR if use_slr else recorder["roleARN"])
    if channel is not None:
        assert after["Channel"] == channel
    assert REMEDIATION.plan(after, params).compliant


@pytest.mark.usefixtures("aws")
def test_an_existing_recorder_is_extended_its_channel_kept_and_the_undo_puts_it_back() -> None:
    session = boto3.Session(region_name=REGION)
    config = session.client("config")
    account = setup(session)
    session.client("s3").create_bucket(Bucket="org-config-bucket")
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "their-recorder",
            "roleARN": CUSTOM_ROLE,
            "recordingGroup": {
                "allSupported": False,
                "includeGlobalResourceTypes": False,
                "resourceTypes": ["AWS::S3::Bucket"],
            },
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "central", "s3BucketName": "org-config-bucket"})
    before = REMEDIATION.read(config, account, {})

    plan = REMEDIATION.plan(before, {})
    assert [call.method for call in plan.calls] == [
        "put_configuration_recorder",
        "start_configuration_recorder",
    ]
    REMEDIATION.apply(config, plan)

    fixed = REMEDIATION.read(config, account, {})
    assert fixed["Recorder"] == {
        "name": "their-recorder",
        "roleARN": SLR,
        "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
    }
    assert fixed["Channel"] == before["Channel"] and fixed["Recording"]
    assert len(config.describe_configuration_recorders()["ConfigurationRecorders"]) == 1

    REMEDIATION.apply(config, REMEDIATION.undo(fixed, before, plan.after))
    assert REMEDIATION.read(config, account, {}) == before


@pytest.mark.usefixtures("aws")
def test_moto_refuses_what_aws_refuses_where_the_order_of_calls_matters() -> None:
    """Start needs a channel (so the plan puts the channel first); a running recorder's last
    channel cannot be deleted (so the undo stops recording first)."""
    config = boto3.client("config", region_name=REGION)
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": SLR, "recordingGroup": {"allSupported": True}}
    )
    with pytest.raises(ClientError) as refused:
        config.start_configuration_recorder(ConfigurationRecorderName="default")
    assert refused.value.response["Error"]["Code"] == "NoAvailableDeliveryChannelException"
    boto3.client("s3", region_name=REGION).create_bucket(Bucket=LOGS)
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": LOGS})
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    with pytest.raises(ClientError) as refused:
        config.delete_delivery_channel(DeliveryChannelName="default")
    assert refused.value.response["Error"]["Code"] == "LastDeliveryChannelDeleteFailedException"
