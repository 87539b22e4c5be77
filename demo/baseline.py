"""The logging and detection baseline: a new member account with nobody watching, brought to a pass.

The account has no trail, no Config recorder, no CIS alarms, no flow logs and no GuardDuty
detector. First the baseline stack's destinations are created in it (`deploy/member-baseline.yaml`,
deployed resource by resource by `localaws.estate.baseline`): the remediations point at them and
never create them. Then Security Hub's checks are played in the order AWS raises them:

1. Its first check once the engine watches the account: CloudTrail.1, Config.1, EC2.6 on the
   default VPC, GuardDuty.1 and S3.9 on a bucket. S3.9 is safe and fixed from its Imported event
   (logging to the baseline's access log bucket); the others create billed resources and wait for
   a person with a note of what they would do, and a person's custom action 1 applies them.
2. Its next check finds the trail CloudTrail.1 created: CloudTrail.2 (no key: safe, encrypted with
   the baseline key from its Imported event) and CloudTrail.5 (no log group: waits; custom action 2).
3. The CIS alarm findings (CloudWatch.1, .4, .5) were raised before the engine watched the account
   (backlog: no Imported event until Security Hub checks again). They need a logging multi-Region
   trail that delivers to CloudWatch Logs, so the person sends them last, as custom action 3: a
   selection of their own, because EventBridge invokes the functions one event matches
   concurrently, and the alarms must not race the fix that gives the trail its log group.

The live state is then read back from the account's own APIs (trail, recorder, alarms, flow logs,
detector, bucket logging), and a second custom action over every baseline finding must find all
compliant and leave that state as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import boto3

from demo import asff, report
from demo.asff import Target
from demo.delivery import Echoes, chunks, deliver, get_finding, imported_event, read_back
from demo.estate import FindingSpec, Piece
from demo.local_aws import REGION
from demo.report import Row
from demo.stack import LocalStack
from localaws import estate
from localaws.estate.baseline import deploy_baseline
from localaws.recorder import CallRecorder
from remediations.destinations import BASELINE_TEMPLATE, PREFIX

ACCOUNT = "345678901234"
LABEL = "new member"
ALARMS = ("CloudWatch.1", "CloudWatch.4", "CloudWatch.5")  # root use, IAM policy and CloudTrail changes
FIRST, SECOND = "first", "second"
SELECTION_LIMIT = 20


@dataclass(frozen=True, slots=True)
class Hub:
    """What the step shares with the rest of the demo: the stack, the hub's Security Hub, the action."""

    stack: LocalStack
    securityhub: Any
    action_arn: str
    action_id: str
    hub_account: str
    echoes: Echoes
    calls: CallRecorder


def show(hub: Hub, member: boto3.Session) -> bool:
    """Run the baseline step in `member` (account ACCOUNT) and print it; True when it all passed."""
    accounts = {ACCOUNT: LABEL}
    print(
        f"\nBaseline: {LABEL} account {ACCOUNT} has no trail, no Config recorder, no CIS alarms, "
        "no flow logs, no GuardDuty detector."
    )
    published = deploy_baseline(member)
    print(f"Baseline stack's destinations in {ACCOUNT} ({BASELINE_TEMPLATE}, SSM parameters under {PREFIX}):")
    print("\n".join(f"  {name}: {value}" for name, value in published.items()))
    # AWS Config's service-linked role exists once someone has created it (Config.1 never does).
    member.client("iam").create_service_linked_role(AWSServiceName="config.amazonaws.com")

    account = Target("AwsAccount", f"AWS::::Account:{ACCOUNT}")
    vpc = _default_vpc(member)
    first_check = [
        _row("no trail", "account", account, "CloudTrail.1"),
        _row("no recorder", "account", account, "Config.1"),
        _row("no flow logs", vpc.id.rsplit("/", 1)[-1], vpc, "EC2.6"),
        _row("no detector", "account", account, "GuardDuty.1"),
        _row("no access logging", *_bucket(member), "S3.9"),
    ]
    backlog = [_row("no CIS alarms", "account", account, control) for control in ALARMS]
    _store(hub, backlog)
    via: dict[str, str] = {}
    waiting = first_waiting = _import(hub, first_check, via)
    print(
        f"Security Hub's first check after the engine watches the account: {len(first_check)} Imported "
        f"events, {len(first_check) - len(waiting)} fixed on their own (safe), {len(waiting)} wait for a "
        "person (creates-resources: manual). The notes they left:"
    )
    print(report.notes([(row, get_finding(hub.securityhub, row)) for row in waiting], accounts))
    _act(hub, waiting, via, "waited, then\ncustom action 1")
    trail = _trail(member)
    second_check = [
        _row("trail not encrypted", trail.id.rsplit("/", 1)[-1], trail, "CloudTrail.2"),
        _row("trail without log group", trail.id.rsplit("/", 1)[-1], trail, "CloudTrail.5"),
    ]
    waiting = _import(hub, second_check, via)
    _act(hub, waiting, via, "waited, then\ncustom action 2")
    _act(hub, backlog, via, "backlog,\ncustom action 3")
    print(
        f"A person runs custom action 1 over those {len(first_waiting)}: CloudTrail.1 creates a trail to the "
        "baseline's log bucket. Security Hub's next check finds that trail: CloudTrail.2 (no key) is safe and "
        "fixed from its Imported event, CloudTrail.5 (no log group) waits; custom action 2 sends it.\n"
        f"The CIS alarm findings ({', '.join(ALARMS)}) were raised before the engine watched the account "
        "(backlog: no Imported event until Security Hub re-checks). They need a logging multi-Region trail "
        "that delivers to CloudWatch Logs, so the person sends them last, as custom action 3: a selection "
        "of their own, since EventBridge runs the functions one event matches concurrently."
    )
    rows = first_check + second_check + backlog
    read_back(hub.securityhub, rows, FIRST)
    print(f"\nBaseline, first pass ({LABEL} account {ACCOUNT}):")
    print(report.before_after(rows, FIRST, via, accounts))
    state = live_state(member)
    print("Read back from the account:\n" + "\n".join(f"  {line}" for line in state))

    for chunk in chunks(rows, SELECTION_LIMIT):
        _deliver(hub, _custom_action(hub, chunk), rows, SECOND)
    read_back(hub.securityhub, rows, SECOND)
    unchanged = live_state(member) == state
    print(
        f"\nBaseline, second pass: the custom action over all {len(rows)} baseline findings again; "
        f"the account reads {'as it did' if unchanged else 'DIFFERENTLY'} after it:"
    )
    print(report.compact(rows, SECOND, accounts))
    return (
        unchanged
        and all(row.status(FIRST) == "remediated" and row.workflow[FIRST] == "RESOLVED" for row in rows)
        and all(row.status(SECOND) == "already-compliant" for row in rows)
    )


def live_state(session: boto3.Session) -> list[str]:
    """What each baseline control checks, as the account's own APIs answer now."""
    cloudtrail, config = session.client("cloudtrail"), session.client("config")
    lines = []
    for trail in cloudtrail.describe_trails(includeShadowTrails=False)["trailList"]:
        logging = cloudtrail.get_trail_status(Name=trail["TrailARN"])["IsLogging"]
        lines.append(
            f"trail {trail['Name']}: multi-Region {_yes(trail.get('IsMultiRegionTrail'))}, "
            f"logging {_yes(logging)}, to {trail['S3BucketName']}, "
            f"key {_last(trail.get('KmsKeyId'))}, log group {_last(trail.get('CloudWatchLogsLogGroupArn'), ':log-group:')}"
        )
    statuses = {
        s["name"]: s for s in config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
    }
    for recorder in config.describe_configuration_recorders()["ConfigurationRecorders"]:
        group = recorder.get("recordingGroup", {})
        lines.append(
            f"recorder {recorder['name']}: recording {_yes(statuses.get(recorder['name'], {}).get('recording'))}, "
            f"all supported types {_yes(group.get('allSupported'))}, global types {_yes(group.get('includeGlobalResourceTypes'))}, "
            f"role {_last(recorder.get('roleARN'))}"
        )
    for channel in config.describe_delivery_channels()["DeliveryChannels"]:
        lines.append(f"delivery channel {channel['name']}: to {channel['s3BucketName']}")
    for alarm in session.client("cloudwatch").describe_alarms(AlarmNamePrefix="sechub-cis-")["MetricAlarms"]:
        lines.append(
            f"alarm {alarm['AlarmName']}: on {alarm['MetricName']}, notifies {_last(alarm['AlarmActions'][0])}"
        )
    for flow_log in session.client("ec2").describe_flow_logs()["FlowLogs"]:
        lines.append(
            f"flow log of {flow_log['ResourceId']}: {flow_log['TrafficType']} traffic to "
            f"{flow_log.get('LogGroupName') or _last(flow_log.get('LogDestination'), ':log-group:')}"
        )
    guardduty = session.client("guardduty")
    for detector in guardduty.list_detectors()["DetectorIds"]:
        lines.append(
            f"GuardDuty detector {detector}: {guardduty.get_detector(DetectorId=detector)['Status']}"
        )
    s3 = session.client("s3")
    for bucket in s3.list_buckets()["Buckets"]:
        target = s3.get_bucket_logging(Bucket=bucket["Name"]).get("LoggingEnabled", {}).get("TargetBucket")
        if target and not bucket["Name"].startswith("sechub-baseline-"):
            lines.append(f"bucket {bucket['Name']}: access logs to {target}")
    return lines


def _row(description: str, resource: str, target: Target, control: str) -> Row:
    piece = Piece("member", description, lambda *_: target, (FindingSpec(control),))
    finding = asff.finding(control, target, ACCOUNT, REGION)
    return Row(piece, piece.findings[0], ACCOUNT, resource, finding)


def _store(hub: Hub, rows: Sequence[Row]) -> None:
    """The findings as Security Hub raised them (BatchImportFindings: moto sends no event)."""
    imported = hub.securityhub.batch_import_findings(Findings=[row.finding for row in rows])
    assert imported["FailedCount"] == 0, imported["FailedFindings"]


def _import(hub: Hub, rows: Sequence[Row], via: dict[str, str]) -> list[Row]:
    """Raise the findings and deliver each one's Imported event; returns those left waiting."""
    _store(hub, rows)
    for row in rows:
        via[row.id] = "Imported event"
        _deliver(hub, imported_event(row, row.finding), rows, FIRST)
    return [row for row in rows if row.status(FIRST) == "waiting"]


def _act(hub: Hub, rows: Sequence[Row], via: dict[str, str], how: str) -> None:
    """A person selects `rows` in the console and picks the custom action."""
    for row in rows:
        row.outcomes.pop(FIRST, None)
        via[row.id] = how
    for chunk in chunks(rows, SELECTION_LIMIT):
        _deliver(hub, _custom_action(hub, chunk), rows, FIRST)


def _custom_action(hub: Hub, rows: Iterable[Row]) -> dict[str, Any]:
    findings = [row.finding for row in rows]
    return asff.custom_action_event(findings, hub.action_arn, hub.action_id, hub.hub_account, REGION)


def _deliver(hub: Hub, event: Mapping[str, Any], rows: Sequence[Row], run: str) -> None:
    deliver(hub.stack, event, rows, run, hub.echoes, hub.calls)


def _default_vpc(session: boto3.Session) -> Target:
    (vpc,) = session.client("ec2").describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    return Target("AwsEc2Vpc", f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{vpc['VpcId']}")


def _bucket(session: boto3.Session) -> tuple[str, Target]:
    name = f"demo-invoices-{ACCOUNT}"
    estate.create_bucket(name, REGION, session=session)
    return name, Target("AwsS3Bucket", f"arn:aws:s3:::{name}", {"AwsS3Bucket": {"Name": name}})


def _trail(session: boto3.Session) -> Target:
    (trail,) = session.client("cloudtrail").describe_trails(includeShadowTrails=False)["trailList"]
    return Target("AwsCloudTrailTrail", trail["TrailARN"])


def _yes(value: object) -> str:
    return "yes" if value else "no"


def _last(value: str | None, separator: str = "/") -> str:
    return value.rsplit(separator, 1)[-1].removesuffix(":*") if value else "none"
