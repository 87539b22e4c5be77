"""Turn on log file integrity validation for a CloudTrail trail (control CloudTrail.4).

Controls: CloudTrail.4; CIS 1.2 2.2, CIS 1.4 3.2, CIS 3.0 3.2, CIS 5.0 3.2, PCI.CloudTrail.3.
Why: with validation on, CloudTrail delivers a signed digest file every hour, so anyone can
prove later that a log file was not changed or deleted after delivery (`aws cloudtrail
validate-logs`). Logging itself is untouched; the digest files cost a little S3 storage.
Guarantee: a trail that already validates is compliant and left alone; one read (GetTrail),
one write (UpdateTrail with `EnableLogFileValidation` alone, so no other trail setting is sent).
Home Region: a trail can be read and updated only in its home Region, and a multi-Region trail
is reported by every Region it logs, so the finding's Region is often not the trail's. The
trail's ARN names its home Region, so this remediation declares `region_in_arn`: the engine
makes its calls there, and accepts a finding from another Region of the same account naming
it; a trail of another account (an organization trail seen from a member) is still refused
(`engine.decide.foreign_resource`), and can only be changed in the account that owns it.
The trail is named by that ARN (home Region, the finding's account, its name) in both calls.
Revert switches validation off again, unless it is off already (someone else's change: refused
unless forced).
APIs: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrail.html
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateTrail.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Params, Permissions, Remediation, Risk
from remediations.identities import CLOUDTRAIL_TRAIL
from remediations.revert import refuse_unless_forced

if TYPE_CHECKING:
    from mypy_boto3_cloudtrail import CloudTrailClient

    from remediations.cases import Cases

FIELD = "LogFileValidationEnabled"


def read(client: CloudTrailClient, resource: Resource, params: Params) -> dict[str, Any]:
    trail_arn = resource.arn or resource.id
    trail = client.get_trail(Name=trail_arn)["Trail"]
    return {"TrailARN": trail_arn, FIELD: bool(trail.get(FIELD))}


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    if state[FIELD]:
        return Plan(after=dict(state))
    return Plan(
        changes=(Change(FIELD, False, True),),
        calls=(_update(state["TrailARN"], enabled=True),),
        after={**state, FIELD: True},
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    if not current[FIELD]:
        refuse_unless_forced(force, f"log file validation of trail {current['TrailARN']}", "off", "on")
        return Plan(after=dict(current))
    return Plan(
        changes=(Change(FIELD, True, False),),
        calls=(_update(current["TrailARN"], enabled=False),),
        after={**current, FIELD: False},
    )


def _update(trail_arn: str, *, enabled: bool) -> ApiCall:
    return ApiCall("update_trail", {"Name": trail_arn, "EnableLogFileValidation": enabled})


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    return bool(after[FIELD]) or not before[FIELD]


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
    off, on = {"TrailARN": arn, FIELD: False}, {"TrailARN": arn, FIELD: True}

    def setup(session: Any) -> Resource:
        bucket = "case-trail-logs"
        session.client("s3").create_bucket(Bucket=bucket)
        made = session.client("cloudtrail").create_trail(
            Name="case-trail", S3BucketName=bucket, IsMultiRegionTrail=True, EnableLogFileValidation=False
        )
        return resource("AwsCloudTrailTrail", made["TrailARN"])

    return Cases(
        plans=(
            PlanCase("not validated", off, {}, ("LogFileValidationEnabled: false → true",)),
            PlanCase("validated already", on, {}, ()),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsCloudTrailTrail", arn),
            params={},
            calls=(
                Exchange(
                    "get_trail",
                    {"Name": arn},
                    {
                        "Trail": {
                            "Name": "management-events",
                            "TrailARN": arn,
                            "HomeRegion": REGION,
                            FIELD: False,
                        }
                    },
                ),
                Exchange("update_trail", {"Name": arn, "EnableLogFileValidation": True}),
            ),
            refusals=(
                (0, "TrailNotFoundException"),
                (0, "AccessDeniedException"),
                (1, "InvalidHomeRegionException"),
                (1, "NotOrganizationMasterAccountException"),
                (1, "ThrottlingException"),
            ),
        ),
        reverts=(
            RevertCase("validation off again", off, on, on, ("LogFileValidationEnabled: true → false",)),
            RevertCase("switched off by someone else since", off, on, off, conflict=True, since="changed"),
        ),
        live=LiveCase(setup, {}),
        keeps=keeps,
        identities=(
            (resource("AwsCloudTrailTrail", arn), "management-events"),
            (
                resource("AWS::CloudTrail::Trail", "management-events", ResourceFormat.CONFIG),
                "management-events",
            ),
        ),
        strictest="log file validation is one flag: nothing is stricter than on, which the fix sets",
    )


REMEDIATION = Remediation(
    name="cloudtrail.enable-log-file-validation",
    summary="Turn on log file integrity validation for a CloudTrail trail, in the trail's home Region.",
    service="cloudtrail",
    identity=CLOUDTRAIL_TRAIL,
    permissions=Permissions(
        read=("cloudtrail:GetTrail",),
        write=("cloudtrail:UpdateTrail",),
        revert=("cloudtrail:UpdateTrail",),
    ),
    risk=Risk.SAFE,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
)
