"""Send a CloudTrail trail's events to the baseline's CloudWatch Logs group (control CloudTrail.5).

Controls: CloudTrail.5; CIS 1.2 2.4, CIS 1.4 3.4, PCI.CloudTrail.4 (CIS 3.0 and 5.0 dropped it).
Why: a trail that also delivers to a log group can be searched within minutes and feeds the CIS
metric filters and alarms (CloudWatch.1 to 14); S3 delivery alone is only read after the fact.
Destinations: neither the log group nor the role CloudTrail assumes to write to it is made here.
They are the rule's `cloudtrail_log_group_arn` and `cloudtrail_logs_role_arn`, else the SSM
parameters `/sechub-remediator/baseline/cloudtrail-log-group-arn` and `…/cloudtrail-logs-role-arn`
that `deploy/member-baseline.yaml` publishes (remediations/destinations.py), read in the trail's
home Region (a trail can deliver only to a log group of its own Region). The role is handed to
CloudTrail, so the function may `iam:PassRole` exactly the baseline's role name, to CloudTrail
only (`CLOUDTRAIL_LOGS_ROLE`); a rule naming another role is refused by IAM (AccessDenied), and
a role or group CloudTrail cannot use is refused by UpdateTrail
(`InvalidCloudWatchLogsRoleArnException`, `InvalidCloudWatchLogsLogGroupArnException`): the
finding is NOTIFIED with that code, nothing changed.
Guarantee: a trail that already sends to a log group keeps it (and its role), whichever it is: it
is compliant. One read (GetTrail), one write (UpdateTrail with the two CloudWatch Logs fields
alone, so no other trail setting is sent); the destinations read only when there is something
to change. Home Region: as CloudTrail.4 (`region_in_arn`); another account's trail is refused.
Cost: CloudWatch Logs ingests and stores every event the trail records, which is why the class
is creates-resources (manual by default) although nothing is created here.
Revert: UpdateTrail with both fields empty stops the delivery (moto clears them; that AWS takes
empty strings to mean "none" is **unverified**), only when the trail still sends to the group
the fix set; a group changed or removed since is someone else's choice (refused unless forced).
Nothing is deleted: the log group and role belong to the baseline.
APIs: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrail.html
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateTrail.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Params, Permissions, Remediation, Risk
from remediations.destinations import CLOUDTRAIL_LOGS_ROLE, Destination, needed
from remediations.identities import CLOUDTRAIL_TRAIL
from remediations.revert import refuse_unless_forced

if TYPE_CHECKING:
    from mypy_boto3_cloudtrail import CloudTrailClient

    from remediations.cases import Cases

GROUP = "CloudWatchLogsLogGroupArn"
ROLE = "CloudWatchLogsRoleArn"
TRAIL_LOG_GROUP = Destination(
    "cloudtrail_log_group_arn", "cloudtrail-log-group-arn", "the CloudWatch Logs group for CloudTrail"
)
#: As CloudFormation's `Fn::GetAtt LogGroup.Arn` and the AWS examples give it: with `:*`.
LOG_GROUP_ARN_SCHEMA: Mapping[str, Any] = {
    "type": "string",
    "pattern": r"^arn:aws[a-z-]*:logs:[a-z0-9-]+:[0-9]{12}:log-group:[\.\-_/#A-Za-z0-9]+:\*$",
}
ROLE_ARN_SCHEMA: Mapping[str, Any] = {
    "type": "string",
    "pattern": r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+$",
}


def read(client: CloudTrailClient, resource: Resource, params: Params) -> dict[str, Any]:
    trail_arn = resource.arn or resource.id
    trail = client.get_trail(Name=trail_arn)["Trail"]
    return {"TrailARN": trail_arn, GROUP: trail.get(GROUP) or None, ROLE: trail.get(ROLE) or None}


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    if state[GROUP]:
        return Plan(after=dict(state))
    group = needed(params, TRAIL_LOG_GROUP)
    role = needed(params, CLOUDTRAIL_LOGS_ROLE)
    return Plan(
        changes=(Change(GROUP, None, group), Change(ROLE, state[ROLE], role)),
        calls=(_update(state["TrailARN"], group, role),),
        after={**state, GROUP: group, ROLE: role},
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    if current[GROUP] != after[GROUP]:
        refuse_unless_forced(
            force, f"the log group of trail {current['TrailARN']}", current[GROUP], after[GROUP]
        )
    if not current[GROUP]:
        return Plan(after=dict(current))
    return Plan(
        changes=(Change(GROUP, current[GROUP], None), Change(ROLE, current[ROLE], None)),
        calls=(_update(current["TrailARN"], "", ""),),
        after={**current, GROUP: None, ROLE: None},
    )


def _update(trail_arn: str, group: str, role: str) -> ApiCall:
    return ApiCall("update_trail", {"Name": trail_arn, GROUP: group, ROLE: role})


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    return not before[GROUP] or (after[GROUP], after[ROLE]) == (before[GROUP], before[ROLE])


def cases() -> Cases:
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

    arn = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/management-events"
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:sechub-baseline/cloudtrail:*"
    role = f"arn:aws:iam::{ACCOUNT}:role/sechub-baseline-cloudtrail-logs-{REGION}"
    other = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:team-trail:*"
    other_role = f"arn:aws:iam::{ACCOUNT}:role/team-trail-logs"
    off = {"TrailARN": arn, GROUP: None, ROLE: None}
    ours = {"TrailARN": arn, GROUP: group, ROLE: role}
    theirs = {"TrailARN": arn, GROUP: other, ROLE: other_role}
    baseline = {TRAIL_LOG_GROUP.parameter: group, CLOUDTRAIL_LOGS_ROLE.parameter: role}

    def setup(session: Any) -> Resource:
        """A trail without a log group; the baseline's group and role made and published."""
        bucket = "case-trail-without-log-group"
        session.client("s3").create_bucket(Bucket=bucket)
        logs = session.client("logs")
        logs.create_log_group(logGroupName="sechub-baseline/cloudtrail")
        made_group = logs.describe_log_groups(logGroupNamePrefix="sechub-baseline/cloudtrail")["logGroups"][0]
        made_role = session.client("iam").create_role(
            RoleName=f"sechub-baseline-cloudtrail-logs-{session.region_name}",
            AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
            '"Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
        )["Role"]["Arn"]
        ssm = session.client("ssm")
        for destination, value in ((TRAIL_LOG_GROUP, made_group["arn"]), (CLOUDTRAIL_LOGS_ROLE, made_role)):
            ssm.put_parameter(Name=destination.ssm_name, Value=value, Type="String", Overwrite=True)
        made = session.client("cloudtrail").create_trail(
            Name="case-trail-without-log-group", S3BucketName=bucket, IsMultiRegionTrail=True
        )
        return resource("AwsCloudTrailTrail", made["TrailARN"])

    return Cases(
        plans=(
            PlanCase(
                "no log group",
                off,
                baseline,
                (f"CloudWatchLogsLogGroupArn: none → {group}", f"CloudWatchLogsRoleArn: none → {role}"),
            ),
            PlanCase("its own log group already", theirs, baseline, ()),
            PlanCase("a log group, no destination needed", ours, {}, ()),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsCloudTrailTrail", arn),
            params={},
            calls=(
                Exchange(
                    "get_trail",
                    {"Name": arn},
                    {"Trail": {"Name": "management-events", "TrailARN": arn, "HomeRegion": REGION}},
                ),
                Exchange("update_trail", {"Name": arn, GROUP: group, ROLE: role}),
            ),
            refusals=(
                (0, "TrailNotFoundException"),
                (1, "InvalidCloudWatchLogsLogGroupArnException"),
                (1, "InvalidCloudWatchLogsRoleArnException"),
                (1, "InvalidHomeRegionException"),
                (1, "AccessDeniedException"),
            ),
        ),
        reverts=(
            RevertCase(
                "delivery to the group stopped",
                off,
                ours,
                ours,
                (f"CloudWatchLogsLogGroupArn: {group} → none", f"CloudWatchLogsRoleArn: {role} → none"),
            ),
            RevertCase(
                "another log group set by someone else since",
                off,
                ours,
                theirs,
                conflict=True,
                forced=(
                    f"CloudWatchLogsLogGroupArn: {other} → none",
                    f"CloudWatchLogsRoleArn: {other_role} → none",
                ),
                since="changed",
            ),
        ),
        live=LiveCase(setup, baseline),
        keeps=keeps,
        strictest="a trail sends to a log group or not: another group is not stricter, only someone else's choice (refused)",
        identities=(
            (resource("AwsCloudTrailTrail", arn), "management-events"),
            (
                resource("AWS::CloudTrail::Trail", "management-events", ResourceFormat.CONFIG),
                "management-events",
            ),
        ),
        destinations=baseline,
    )


REMEDIATION = Remediation(
    name="cloudtrail.send-to-cloudwatch-logs",
    summary="Send the trail's events to the baseline's CloudWatch Logs group with the baseline role; a trail with a log group keeps it.",
    service="cloudtrail",
    identity=CLOUDTRAIL_TRAIL,
    permissions=Permissions(
        read=("cloudtrail:GetTrail",),
        write=("cloudtrail:UpdateTrail",),
        revert=("cloudtrail:UpdateTrail",),
    ),
    risk=Risk.CREATES_RESOURCES,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
    parameters={
        TRAIL_LOG_GROUP.parameter: LOG_GROUP_ARN_SCHEMA,
        CLOUDTRAIL_LOGS_ROLE.parameter: ROLE_ARN_SCHEMA,
    },
    destinations=(TRAIL_LOG_GROUP, CLOUDTRAIL_LOGS_ROLE),
)
