"""Encrypt a CloudTrail trail's log files with a KMS key (SSE-KMS) (control CloudTrail.2).

Controls: CloudTrail.2; CIS 1.2 2.7, CIS 1.4 3.7, CIS 3.0 3.5, CIS 5.0 3.5, PCI.CloudTrail.1.
Why: with SSE-KMS, reading the logs takes both S3 access and kms:Decrypt on the key, and every
use of the key is itself logged, so a copy of the bucket's objects alone reveals nothing.
Destination: the key is never made here. It is the rule's `kms_key_id` (a key ARN), else the
SSM parameter `/sechub-remediator/baseline/cloudtrail-key-arn` that `deploy/member-baseline.yaml`
publishes with a key whose policy lets CloudTrail encrypt for the account's trails
(remediations/destinations.py); it is read in the trail's home Region. The stack's
`RemediationKmsKeyId` is not used: a key made for EBS or SQS does not let CloudTrail encrypt.
Without either, the trail is left alone and the finding NOTIFIED, naming the parameter and the
template. The key must be in the Region of the trail's bucket and its policy must allow
CloudTrail (CloudTrail user guide, "Configure AWS KMS key policies for CloudTrail"); otherwise
UpdateTrail is refused (`InsufficientEncryptionPolicyException`, `KmsKeyNotFoundException`) and
the finding is NOTIFIED with that code, nothing changed.
Guarantee: a trail that has a key keeps it, whichever it is: it is compliant. One read
(GetTrail), one write (UpdateTrail with `KmsKeyId` alone, so no other trail setting is sent);
the destination read only when there is something to change. Home Region: as CloudTrail.4
(`region_in_arn`): the trail is read and updated in the Region its ARN names; another account's
trail is refused.
Who reads the log files (a SIEM, Athena, an auditor) then needs kms:Decrypt on the key: the
baseline key allows the account's principals that IAM allows.
Revert: UpdateTrail with an empty `KmsKeyId` returns the trail to SSE-S3 (what an empty value
does is **unverified** against AWS; moto clears the key), unless the trail now has another key
(someone else's change: refused unless forced).
APIs: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrail.html
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateTrail.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import KMS_KEY_PARAMETER, Params, Permissions, Remediation, Risk
from remediations.destinations import Destination, needed
from remediations.identities import CLOUDTRAIL_TRAIL
from remediations.revert import refuse_unless_forced

if TYPE_CHECKING:
    from mypy_boto3_cloudtrail import CloudTrailClient

    from remediations.cases import Cases

FIELD = "KmsKeyId"
TRAIL_KEY = Destination(KMS_KEY_PARAMETER, "cloudtrail-key-arn", "the KMS key for CloudTrail logs")
#: A key by ARN, as GetTrail answers it, so an undo can tell the key it set from another.
KEY_ARN_SCHEMA: Mapping[str, Any] = {
    "type": "string",
    "pattern": "^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$",
}


def read(client: CloudTrailClient, resource: Resource, params: Params) -> dict[str, Any]:
    trail_arn = resource.arn or resource.id
    trail = client.get_trail(Name=trail_arn)["Trail"]
    return {"TrailARN": trail_arn, FIELD: trail.get(FIELD) or None}


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    if state[FIELD]:
        return Plan(after=dict(state))
    key = needed(params, TRAIL_KEY)
    return Plan(
        changes=(Change(FIELD, None, key),),
        calls=(_update(state["TrailARN"], key),),
        after={**state, FIELD: key},
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    if current[FIELD] != after[FIELD]:
        refuse_unless_forced(force, f"the key of trail {current['TrailARN']}", current[FIELD], after[FIELD])
    if not current[FIELD]:
        return Plan(after=dict(current))
    return Plan(
        changes=(Change(FIELD, current[FIELD], None),),
        calls=(_update(current["TrailARN"], ""),),
        after={**current, FIELD: None},
    )


def _update(trail_arn: str, key: str) -> ApiCall:
    return ApiCall("update_trail", {"Name": trail_arn, FIELD: key})


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    return not before[FIELD] or after[FIELD] == before[FIELD]


def cases() -> Cases:
    from remediations.cases import (
        ACCOUNT,
        KEY_ARN,
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
    other = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0000ffff-12ab-34cd-56ef-1234567890ab"
    plain, ours, theirs = ({"TrailARN": arn, FIELD: key} for key in (None, KEY_ARN, other))

    def setup(session: Any) -> Resource:
        """A trail without a key, and the baseline's key published (the sample events use it)."""
        bucket = "case-unencrypted-trail-logs"
        session.client("s3").create_bucket(Bucket=bucket)
        key = session.client("kms").create_key(Description="baseline: CloudTrail logs")["KeyMetadata"]["Arn"]
        session.client("ssm").put_parameter(Name=TRAIL_KEY.ssm_name, Value=key, Type="String", Overwrite=True)
        made = session.client("cloudtrail").create_trail(
            Name="case-unencrypted-trail", S3BucketName=bucket, IsMultiRegionTrail=True
        )
        return resource("AwsCloudTrailTrail", made["TrailARN"])

    return Cases(
        plans=(
            PlanCase("not encrypted", plain, {KMS_KEY_PARAMETER: KEY_ARN}, (f"KmsKeyId: none → {KEY_ARN}",)),
            PlanCase("its own key already", theirs, {KMS_KEY_PARAMETER: KEY_ARN}, ()),
            PlanCase("a key, no destination needed", ours, {}, ()),
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
                Exchange("update_trail", {"Name": arn, FIELD: KEY_ARN}),
            ),
            refusals=(
                (0, "TrailNotFoundException"),
                (1, "InsufficientEncryptionPolicyException"),
                (1, "KmsKeyNotFoundException"),
                (1, "InvalidHomeRegionException"),
            ),
        ),
        reverts=(
            RevertCase("back to SSE-S3", plain, ours, ours, (f"KmsKeyId: {KEY_ARN} → none",)),
            RevertCase(
                "another key set by someone else since",
                plain,
                ours,
                theirs,
                conflict=True,
                forced=(f"KmsKeyId: {other} → none",),
                since="changed",
            ),
        ),
        # moto takes any key ARN in UpdateTrail: the round trip uses the cases' ARN, the sample
        # events the key the setup publishes.
        live=LiveCase(setup, {KMS_KEY_PARAMETER: KEY_ARN}),
        keeps=keeps,
        strictest="a trail has a key or not: another key is not stricter, only someone else's choice (refused)",
        identities=(
            (resource("AwsCloudTrailTrail", arn), "management-events"),
            (
                resource("AWS::CloudTrail::Trail", "management-events", ResourceFormat.CONFIG),
                "management-events",
            ),
        ),
        destinations={KMS_KEY_PARAMETER: KEY_ARN},
    )


REMEDIATION = Remediation(
    name="cloudtrail.encrypt-trail-logs",
    summary="Encrypt the trail's log files with the baseline's CloudTrail key (or the rule's); a trail with a key keeps it.",
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
    parameters={KMS_KEY_PARAMETER: KEY_ARN_SCHEMA},
    destinations=(TRAIL_KEY,),
)
