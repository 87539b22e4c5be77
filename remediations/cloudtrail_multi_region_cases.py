"""The cases of `cloudtrail.enable-multi-region-trail` (remediations/cloudtrail_multi_region.py), tests only."""

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
from remediations.cloudtrail_multi_region import DEFAULT_NAME, MANAGEMENT, TRAIL_BUCKET, keeps

BUCKET = "sechub-baseline-logs-123456789012-us-east-1"
ARN = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/audit"
DATA = {
    "ReadWriteType": "WriteOnly",
    "IncludeManagementEvents": False,
    "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::payroll/"]}],
}
READS_ONLY = {"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True, "DataResources": []}


def trail(arn: str = ARN, **settings: Any) -> dict[str, Any]:
    return {
        "TrailARN": arn,
        "HomeRegion": arn.split(":")[3],
        "IsMultiRegionTrail": True,
        "IncludeGlobalServiceEvents": True,
        "IsOrganizationTrail": False,
        "S3BucketName": "audit-logs",
        "KmsKeyId": None,
        "CloudWatchLogsLogGroupArn": None,
        "IsLogging": True,
        "EventSelectors": [],
        "AdvancedEventSelectors": [],
        **settings,
    }


def state(*trails: dict[str, Any]) -> dict[str, Any]:
    return {"Account": ACCOUNT, "Region": REGION, "Partition": "aws", "Trails": list(trails)}


def setup(session: Any) -> Resource:
    """A single-Region trail, not logging, recording management reads only, and S3 data events."""
    cloudtrail = session.client("cloudtrail")
    for existing in cloudtrail.describe_trails(includeShadowTrails=False)["trailList"]:
        cloudtrail.delete_trail(Name=existing["TrailARN"])
    session.client("s3").create_bucket(Bucket="case-audit-trail-logs")
    made = cloudtrail.create_trail(
        Name="case-audit-trail",
        S3BucketName="case-audit-trail-logs",
        IsMultiRegionTrail=False,
        IncludeGlobalServiceEvents=False,
    )
    cloudtrail.put_event_selectors(TrailName=made["TrailARN"], EventSelectors=[READS_ONLY, DATA])
    return resource("AwsAccount", f"AWS::::Account:{ACCOUNT}")


def cases() -> Cases:
    single = trail(IsMultiRegionTrail=False, IncludeGlobalServiceEvents=False, IsLogging=False)
    widened = [{**READS_ONLY, "ReadWriteType": "All", "ExcludeManagementEventSources": []}, DATA]
    fixed = trail(EventSelectors=widened)
    before = {**single, "EventSelectors": [READS_ONLY, DATA]}
    after = {**fixed}
    created = trail(f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{DEFAULT_NAME}", S3BucketName=BUCKET)
    bucket = {TRAIL_BUCKET.parameter: BUCKET}
    return Cases(
        plans=(
            PlanCase(
                "single-Region, not logging, management reads only, data events kept",
                state(before),
                bucket,
                (
                    "trail audit IsMultiRegionTrail: false → true",
                    "trail audit IncludeGlobalServiceEvents: false → true",
                    "trail audit management events: not all, reads and writes → all, reads and writes",
                    "trail audit IsLogging: false → true",
                ),
            ),
            PlanCase(
                "only logging off",
                state(trail(IsLogging=False)),
                {},
                ("trail audit IsLogging: false → true",),
            ),
            PlanCase(
                "data events only: a management selector appended",
                state(trail(EventSelectors=[DATA])),
                {},
                ("trail audit management events: not all, reads and writes → all, reads and writes",),
            ),
            PlanCase("a trail passes", state(single, trail()), bucket, ()),
            PlanCase(
                "no trail at all: one made to the baseline bucket",
                state(),
                bucket,
                (f"multi-Region trail: none → {DEFAULT_NAME} → s3://{BUCKET}",),
            ),
        ),
        # The path that takes every call it can: no trail, so the destination is read and one made.
        # The path that widens an existing trail is stubbed in tests/test_remediation_multi_region_trail.py.
        stubbed=StubbedCase(
            resource=resource("AwsAccount", f"AWS::::Account:{ACCOUNT}"),
            params={},
            calls=(
                Exchange("describe_trails", {"includeShadowTrails": True}, {"trailList": []}),
                Exchange(
                    "create_trail",
                    {
                        "Name": DEFAULT_NAME,
                        "S3BucketName": BUCKET,
                        "IsMultiRegionTrail": True,
                        "IncludeGlobalServiceEvents": True,
                        "EnableLogFileValidation": True,
                    },
                    {"Name": DEFAULT_NAME, "TrailARN": created["TrailARN"]},
                ),
                Exchange("start_logging", {"Name": DEFAULT_NAME}),
            ),
            refusals=(
                (0, "AccessDeniedException"),
                (1, "InsufficientS3BucketPolicyException"),
                (1, "MaximumNumberOfTrailsExceededException"),
                (1, "TrailAlreadyExistsException"),
                (2, "AccessDeniedException"),
            ),
            optional_actions=frozenset(
                {
                    "cloudtrail:GetTrailStatus",
                    "cloudtrail:GetEventSelectors",
                    "cloudtrail:UpdateTrail",
                    "cloudtrail:PutEventSelectors",
                }
            ),
        ),
        reverts=(
            RevertCase(
                "the trail's settings back",
                state(before),
                state(after),
                state(after),
                (
                    "trail audit IsMultiRegionTrail: true → false",
                    "trail audit event selectors: as the fix left them → as they were",
                    "trail audit IsLogging: true → false",
                ),
            ),
            RevertCase(
                "selectors changed by someone else since",
                state(before),
                state(after),
                state({**after, "EventSelectors": [MANAGEMENT]}),
                conflict=True,
                forced=(
                    "trail audit IsMultiRegionTrail: true → false",
                    "trail audit IsLogging: true → false",
                ),
                since="changed",
            ),
            RevertCase(
                "the created trail deleted",
                state(),
                state(created),
                state(created),
                (f"multi-Region trail: {created['TrailARN']} → none",),
            ),
            RevertCase(
                "the created trail kept: a log group added since",
                state(),
                state(created),
                state(
                    {
                        **created,
                        "CloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:g:*",
                    }
                ),
                kept="a CloudWatch Logs group",
            ),
        ),
        live=LiveCase(setup, bucket),
        keeps=keeps,
        strictest=(
            "the fix turns on what the control asks (multi-Region, logging, all management events); stricter "
            "since is more data events, which change the selectors: someone else's change, refused"
        ),
        identities=(
            (resource("AwsAccount", f"AWS::::Account:{ACCOUNT}"), ACCOUNT),
            (resource("AWS::::Account", ACCOUNT, ResourceFormat.CONFIG), ACCOUNT),
        ),
        destinations=bucket,
    )
