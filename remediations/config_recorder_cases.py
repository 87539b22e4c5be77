"""The cases of `config.enable-recorder` (remediations/config_recorder.py), for the meta-tests."""

from __future__ import annotations

import json
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
from remediations.config_recorder import LOG_BUCKET, keeps, service_linked_role

SLR = service_linked_role("aws", ACCOUNT)
LOGS = f"sechub-baseline-logs-{ACCOUNT}-{REGION}"
CUSTOM_ROLE = f"arn:aws:iam::{ACCOUNT}:role/my-config-role"
SOME = {"allSupported": False, "includeGlobalResourceTypes": False, "resourceTypes": ["AWS::S3::Bucket"]}
ALL_GLOBAL = {"allSupported": True, "includeGlobalResourceTypes": True}
ALL_HERE = {"allSupported": True, "includeGlobalResourceTypes": False}
OURS = {"name": "default", "roleARN": SLR, "recordingGroup": ALL_GLOBAL}
CHANNEL = {"name": "default", "s3BucketName": LOGS}
THEIR_CHANNEL = {"name": "central", "s3BucketName": "org-config-bucket"}


def state(
    recorder: Any = None, *, recording: bool = False, channel: Any = None, region: str = REGION
) -> dict[str, Any]:
    return {
        "Region": region,
        "ServiceLinkedRole": SLR,
        "Recorder": recorder,
        "Recording": recording,
        "Channel": channel,
    }


def setup(session: Any) -> Resource:
    """No recorder, the baseline's log bucket published as the template does."""
    config = session.client("config")
    for recorder in config.describe_configuration_recorders().get("ConfigurationRecorders", []):
        config.stop_configuration_recorder(ConfigurationRecorderName=recorder["name"])
    for channel in config.describe_delivery_channels().get("DeliveryChannels", []):
        config.delete_delivery_channel(DeliveryChannelName=channel["name"])
    for recorder in config.describe_configuration_recorders().get("ConfigurationRecorders", []):
        config.delete_configuration_recorder(ConfigurationRecorderName=recorder["name"])
    s3 = session.client("s3")
    s3.create_bucket(Bucket=LOGS)
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "config.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{LOGS}/AWSLogs/{ACCOUNT}/Config/*",
    }
    s3.put_bucket_policy(Bucket=LOGS, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    session.client("ssm").put_parameter(Name=LOG_BUCKET.ssm_name, Value=LOGS, Type="String", Overwrite=True)
    return resource("AwsAccount", f"AWS::::Account:{ACCOUNT}")


def cases() -> Cases:
    theirs = {"name": "their-recorder", "roleARN": CUSTOM_ROLE, "recordingGroup": SOME}
    theirs_extended = {"name": "their-recorder", "roleARN": SLR, "recordingGroup": ALL_GLOBAL}
    account = resource("AwsAccount", f"AWS::::Account:{ACCOUNT}")
    fresh = state(OURS, recording=True, channel=CHANNEL)
    return Cases(
        plans=(
            PlanCase(
                "nothing set up",
                state(),
                {"log_bucket": LOGS},
                (
                    "configuration recorder: none → default: all supported types, global types, "
                    "role AWSServiceRoleForConfig",
                    f"delivery channel: none → s3://{LOGS}",
                    "recording: false → true",
                ),
            ),
            PlanCase(
                "a recorder of some types with its own role and channel, stopped: extended, started",
                state(theirs, channel=THEIR_CHANNEL),
                {},
                (
                    "configuration recorder: their-recorder: some types, role my-config-role → "
                    "their-recorder: all supported types, global types, role AWSServiceRoleForConfig",
                    "recording: false → true",
                ),
            ),
            PlanCase(
                "outside the global Region: global types left off",
                state(channel=THEIR_CHANNEL, region="eu-west-1"),
                {},
                (
                    "configuration recorder: none → default: all supported types, role AWSServiceRoleForConfig",
                    "recording: false → true",
                ),
            ),
            PlanCase(
                "global types recorded in another Region: kept on here",
                state(
                    {**OURS, "recordingGroup": ALL_GLOBAL},
                    recording=True,
                    channel=CHANNEL,
                    region="eu-west-1",
                ),
                {},
                (),
            ),
            PlanCase(
                "its own role kept when the rule says so",
                state({**OURS, "roleARN": CUSTOM_ROLE}, recording=True, channel=CHANNEL),
                {"service_linked_role": False},
                (),
            ),
            PlanCase(
                "global types in the rule's Region only",
                state({**OURS, "recordingGroup": ALL_HERE}, recording=True, channel=CHANNEL),
                {"global_resources_region": "eu-west-1"},
                (),
            ),
            PlanCase("compliant", fresh, {}, ()),
        ),
        stubbed=StubbedCase(
            resource=account,
            params={},
            calls=(
                Exchange("describe_configuration_recorders", {}, {"ConfigurationRecorders": []}),
                Exchange("describe_delivery_channels", {}, {"DeliveryChannels": []}),
                Exchange("put_configuration_recorder", {"ConfigurationRecorder": OURS}, {}),
                Exchange("put_delivery_channel", {"DeliveryChannel": CHANNEL}, {}),
                Exchange("start_configuration_recorder", {"ConfigurationRecorderName": "default"}, {}),
            ),
            refusals=(
                (0, "AccessDeniedException"),
                (2, "InvalidRoleException"),
                (3, "InsufficientDeliveryPolicyException"),
                (4, "NoAvailableDeliveryChannelException"),
            ),
            optional_actions=frozenset({"config:DescribeConfigurationRecorderStatus"}),
        ),
        reverts=(
            RevertCase(
                "all made by the fix, unchanged: stopped and deleted",
                state(),
                fresh,
                fresh,
                (
                    "recording: true → false",
                    f"delivery channel: s3://{LOGS} → none",
                    "configuration recorder: default: all supported types, global types, role "
                    "AWSServiceRoleForConfig → none",
                ),
            ),
            RevertCase(
                "an extended recorder: its group and role back, stopped again, their channel kept",
                state(theirs, channel=THEIR_CHANNEL),
                state(theirs_extended, recording=True, channel=THEIR_CHANNEL),
                state(theirs_extended, recording=True, channel=THEIR_CHANNEL),
                (
                    "recording: true → false",
                    "configuration recorder: their-recorder: all supported types, global types, role "
                    "AWSServiceRoleForConfig → their-recorder: some types, role my-config-role",
                ),
            ),
            RevertCase(
                "an extended recorder widened further since: kept",
                state(
                    {**theirs, "recordingGroup": SOME},
                    recording=True,
                    channel=THEIR_CHANNEL,
                    region="eu-west-1",
                ),
                state(
                    {**theirs_extended, "recordingGroup": ALL_HERE},
                    recording=True,
                    channel=THEIR_CHANNEL,
                    region="eu-west-1",
                ),
                state(theirs_extended, recording=True, channel=THEIR_CHANNEL, region="eu-west-1"),
                (),
                kept="configuration recorder",
                since="stricter",
            ),
            RevertCase(
                "the channel pointed elsewhere since",
                state(),
                fresh,
                state(OURS, recording=True, channel={**CHANNEL, "s3BucketName": "other"}),
                conflict=True,
                forced=(),
                since="changed",
            ),
            RevertCase(
                "the recorder narrowed since",
                state(),
                fresh,
                state({**OURS, "recordingGroup": SOME}, recording=True, channel=CHANNEL),
                conflict=True,
                forced=(),
                since="changed",
            ),
        ),
        live=LiveCase(setup, {"log_bucket": LOGS}),
        keeps=keeps,
        identities=(
            (account, ACCOUNT),
            (resource("AWS::::Account", ACCOUNT, ResourceFormat.CONFIG), ACCOUNT),
        ),
        destinations={"log_bucket": LOGS},
    )
