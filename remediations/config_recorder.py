"""Turn AWS Config recording on in the finding's account and Region (control Config.1).

Controls: Config.1 (CIS 1.2 2.5, CIS 1.4 3.5, CIS 3.0 3.3, CIS 5.0 3.3, PCI DSS 3.2.1
PCI.Config.1). Its check is Security Hub's own (no Config managed rule): the Region has a
recorder that is recording, records every resource type the enabled controls need, and, with the
control's parameter `includeConfigServiceLinkedRoleCheck` at its default `true`, uses the
service-linked role `AWSServiceRoleForConfig`.
Why: every Config-based control, and the history of who changed what, needs the recorder on.
What the fix makes true, extending what exists and never replacing it:
- recorder: none → `default`, recording all supported resource types with the service-linked
  role. An existing recorder keeps its name and recording mode; one recording some types only
  is widened to all supported types (its inclusion or exclusion list goes: the control needs
  every type), and its role becomes the service-linked role (rule parameter
  `service_linked_role`, default true as the control's; false keeps its role);
- global resource types (IAM users, roles, policies) are recorded in one Region only, so that
  each IAM change is recorded once: the rule's `global_resources_region`, default `us-east-1`.
  There they are turned on; elsewhere a recorder's setting is left as it is (never turned off);
- delivery channel: none → `default`, to the baseline's log bucket (destination `log-bucket`,
  `deploy/member-baseline.yaml`, whose policy lets Config write `AWSLogs/<account>/Config/`); an
  existing channel stays as it is, whatever bucket it names;
- recording started (StartConfigurationRecorder needs a delivery channel: hence the order).
The service-linked role is not created here: creating it needs `iam:CreateServiceLinkedRole`, a
role-creating grant this engine does not hold (AWS Config user guide, "Using service-linked roles
for AWS Config": the console creates it, the API caller must have created it). Where it does not
exist, PutConfigurationRecorder is expected to refuse (`InvalidRoleException`, documented for an
empty role ARN; for a role that does not exist unverified) and the finding is NOTIFIED with that
code: create it once (`aws iam create-service-linked-role --aws-service-name config.amazonaws.com`)
and run the fix again. Checking it first would take an IAM read (GetRole) through a second
client, which a remediation does not have. Service-linked recorders other services own
(PutServiceLinkedConfigurationRecorder, `servicePrincipal` set) are not this recorder and are
never touched.
Reads: DescribeConfigurationRecorders, DescribeConfigurationRecorderStatus (whether it records:
the recorder's own description does not say) and DescribeDeliveryChannels (Start fails without
one, and an existing one must be kept): three reads, because the state is three resources of
Config's. Writes: only those needed, in order PutConfigurationRecorder, PutDeliveryChannel,
StartConfigurationRecorder. The log bucket is read (GetParameters) only when a channel is made.
Guarantee: never a second recorder or channel, never a recorder narrowed, stopped or renamed.
Revert: stops and deletes only what the fix created, if unchanged since: the channel it made,
the recorder it made; a recorder it extended gets its former recording group and role back,
unless it was widened further since (kept); recording it started is stopped. Anything else
changed since is refused unless forced.
APIs: https://docs.aws.amazon.com/config/latest/APIReference/API_PutConfigurationRecorder.html
https://docs.aws.amazon.com/config/latest/APIReference/API_PutDeliveryChannel.html
https://docs.aws.amazon.com/config/latest/APIReference/API_StartConfigurationRecorder.html
https://docs.aws.amazon.com/config/latest/APIReference/API_DescribeConfigurationRecorderStatus.html
https://docs.aws.amazon.com/config/latest/developerguide/using-service-linked-roles.html
https://docs.aws.amazon.com/securityhub/latest/userguide/config-controls.html#config-1
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.finding import Resource
from model.outcome import ApiCall, Change, Plan
from remediations.base import Params, Permissions, Remediation, Risk
from remediations.destinations import Destination, needed
from remediations.identities import ACCOUNT
from remediations.revert import kept_note, refuse_unless_forced

if TYPE_CHECKING:
    from mypy_boto3_config import ConfigServiceClient

    from remediations.cases import Cases

DEFAULT_NAME = "default"
GLOBAL_REGION = "us-east-1"
SLR_PATH = "role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
LOG_BUCKET = Destination("log_bucket", "log-bucket", "the log bucket AWS Config delivers to")
#: The recorder fields a put carries over from the one that exists.
KEPT_FIELDS = ("name", "roleARN", "recordingGroup", "recordingMode")


def service_linked_role(partition: str, account: str) -> str:
    return f"arn:{partition}:iam::{account}:{SLR_PATH}"


def read(client: ConfigServiceClient, resource: Resource, params: Params) -> dict[str, Any]:
    """The Region's recorder, whether it records, and its delivery channel."""
    described = client.describe_configuration_recorders().get("ConfigurationRecorders", [])
    recorders = [r for r in described if not r.get("servicePrincipal")]  # another service's, not ours
    recorder = _recorder(recorders[0]) if recorders else None
    recording = False
    if recorder:
        statuses = client.describe_configuration_recorder_status(
            ConfigurationRecorderNames=[recorder["name"]]
        )
        recording = any(s.get("recording") for s in statuses.get("ConfigurationRecordersStatus", []))
    channels = client.describe_delivery_channels().get("DeliveryChannels", [])
    return {
        "Region": resource.region,
        "ServiceLinkedRole": service_linked_role(resource.partition, resource.account_id),
        "Recorder": recorder,
        "Recording": recording,
        "Channel": dict(channels[0]) if channels else None,
    }


def _recorder(described: Mapping[str, Any]) -> dict[str, Any]:
    """The recorder as a put would name it: empty lists, and the strategy all-supported implies, left out."""
    recorder = {k: v for k, v in described.items() if k in KEPT_FIELDS}
    group = {k: v for k, v in (recorder.get("recordingGroup") or {}).items() if v not in ([], {})}
    if (group.get("exclusionByResourceTypes") or {}).get("resourceTypes") in (None, []):
        group.pop("exclusionByResourceTypes", None)
    if group.get("allSupported") or group.get("recordingStrategy") == {
        "useOnly": "INCLUSION_BY_RESOURCE_TYPES"
    }:
        group.pop("recordingStrategy", None)
    recorder["recordingGroup"] = group
    return recorder


def wanted_recorder(state: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """The recorder the control needs, extended from the one that exists."""
    existing = state["Recorder"] or {"name": DEFAULT_NAME, "recordingGroup": {}}
    group = existing.get("recordingGroup") or {}
    here = state["Region"] == params.get("global_resources_region", GLOBAL_REGION)
    use_slr = params.get("service_linked_role", True) or not existing.get("roleARN")
    recorder = {
        **existing,
        "roleARN": state["ServiceLinkedRole"] if use_slr else existing["roleARN"],
        "recordingGroup": {
            "allSupported": True,
            "includeGlobalResourceTypes": bool(group.get("includeGlobalResourceTypes")) or here,
        },
    }
    if group.get("allSupported"):
        recorder["recordingGroup"] = {**group, **recorder["recordingGroup"]}
    return recorder


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    recorder = wanted_recorder(state, params)
    changes, calls = [], []
    if recorder != state["Recorder"]:
        changes.append(Change("configuration recorder", _describe(state["Recorder"]), _describe(recorder)))
        calls.append(ApiCall("put_configuration_recorder", {"ConfigurationRecorder": recorder}))
    channel = state["Channel"]
    if channel is None:
        channel = {"name": DEFAULT_NAME, "s3BucketName": needed(params, LOG_BUCKET)}
        changes.append(Change("delivery channel", None, f"s3://{channel['s3BucketName']}"))
        calls.append(ApiCall("put_delivery_channel", {"DeliveryChannel": channel}))
    if not state["Recording"]:
        changes.append(Change("recording", False, True))
        calls.append(ApiCall("start_configuration_recorder", {"ConfigurationRecorderName": recorder["name"]}))
    after = {**state, "Recorder": recorder, "Channel": channel, "Recording": True}
    return Plan(changes=tuple(changes), calls=tuple(calls), after=after)


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    changes, calls, notes = [], [], []
    recorder_changed = before["Recorder"] != after["Recorder"]
    if recorder_changed and current["Recorder"] != after["Recorder"]:
        if current["Recorder"] and before["Recorder"] and _covers(current["Recorder"], after["Recorder"]):
            notes.append(kept_note("configuration recorder", _describe(current["Recorder"])))
            recorder_changed = False
        else:
            refuse_unless_forced(force, "the configuration recorder", current["Recorder"], after["Recorder"])
            return Plan(after=dict(current))
    channel_created = before["Channel"] is None and current["Channel"] is not None
    if channel_created and current["Channel"] != after["Channel"]:
        refuse_unless_forced(force, "the delivery channel", current["Channel"], after["Channel"])
        return Plan(after=dict(current))
    deleting = recorder_changed and before["Recorder"] is None
    stop = current["Recording"] and not before["Recording"]
    name = (current["Recorder"] or {}).get("name", DEFAULT_NAME)
    if stop:
        changes.append(Change("recording", True, False))
        calls.append(ApiCall("stop_configuration_recorder", {"ConfigurationRecorderName": name}))
    if channel_created:
        changes.append(Change("delivery channel", f"s3://{current['Channel']['s3BucketName']}", None))
        calls.append(ApiCall("delete_delivery_channel", {"DeliveryChannelName": current["Channel"]["name"]}))
    if deleting:
        changes.append(Change("configuration recorder", _describe(current["Recorder"]), None))
        calls.append(ApiCall("delete_configuration_recorder", {"ConfigurationRecorderName": name}))
    elif recorder_changed:
        was = _describe(before["Recorder"])
        changes.append(Change("configuration recorder", _describe(current["Recorder"]), was))
        calls.append(ApiCall("put_configuration_recorder", {"ConfigurationRecorder": before["Recorder"]}))
    new = {
        **current,
        "Recorder": None if deleting else (before["Recorder"] if recorder_changed else current["Recorder"]),
        "Channel": None if channel_created else current["Channel"],
        "Recording": current["Recording"] and not stop,
    }
    return Plan(changes=tuple(changes), calls=tuple(calls), after=new, notes=tuple(notes))


def _covers(current: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Records at least what the fix set up, with the same role: widened since, not narrowed."""
    now, then = current.get("recordingGroup") or {}, after.get("recordingGroup") or {}
    return (
        current.get("roleARN") == after.get("roleARN")
        and bool(now.get("allSupported"))
        and bool(now.get("includeGlobalResourceTypes")) >= bool(then.get("includeGlobalResourceTypes"))
    )


def _describe(recorder: Mapping[str, Any] | None) -> str | None:
    if recorder is None:
        return None
    group = recorder.get("recordingGroup") or {}
    types = "all supported types" if group.get("allSupported") else "some types"
    glob = ", global types" if group.get("includeGlobalResourceTypes") else ""
    role = recorder.get("roleARN", "").rsplit("/", 1)[-1] or "no role"
    return f"{recorder['name']}: {types}{glob}, role {role}"


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Never stopped, its channel never replaced, the recorder never renamed nor narrowed."""
    old, new = before["Recorder"], after["Recorder"]
    narrowed = (
        old is not None
        and (old.get("recordingGroup") or {}).get("allSupported")
        and not (new is not None and _covers({**new, "roleARN": ""}, {**old, "roleARN": ""}))
    )
    return (
        (after["Recording"] or not before["Recording"])
        and (before["Channel"] is None or after["Channel"] == before["Channel"])
        and (old is None or (new is not None and new["name"] == old["name"]))
        and not narrowed
    )


def cases() -> Cases:
    from remediations.config_recorder_cases import cases as build

    return build()


REMEDIATION = Remediation(
    name="config.enable-recorder",
    summary="Record every supported resource type with AWS Config's service-linked role (global types in one Region), deliver to the baseline's log bucket, and start recording; an existing recorder is extended, an existing channel kept.",
    service="config",
    identity=ACCOUNT,
    permissions=Permissions(
        read=(
            "config:DescribeConfigurationRecorders",
            "config:DescribeConfigurationRecorderStatus",
            "config:DescribeDeliveryChannels",
        ),
        write=(
            "config:PutConfigurationRecorder",
            "config:PutDeliveryChannel",
            "config:StartConfigurationRecorder",
        ),
        revert=(
            "config:StopConfigurationRecorder",
            "config:DeleteDeliveryChannel",
            "config:DeleteConfigurationRecorder",
            "config:PutConfigurationRecorder",
        ),
    ),
    risk=Risk.CREATES_RESOURCES,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
    parameters={
        "log_bucket": {"type": "string", "pattern": "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"},
        "global_resources_region": {"type": "string", "pattern": "^[a-z]{2}(-[a-z]+)+-[0-9]$"},
        "service_linked_role": {"type": "boolean"},
    },
    destinations=(LOG_BUCKET,),
)
