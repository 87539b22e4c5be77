"""Block public access on a CloudTrail trail's log bucket (control CloudTrail.6).

Controls: CloudTrail.6 (CIS 1.2 2.3, CIS 1.4 3.3). Its finding names the bucket the trail
delivers to (Security Hub resolves the trail to its bucket; ASR parses an S3 bucket ARN or name
from it), so this is the S3.8 fix, `s3.block-bucket-public-access`, aimed at that bucket: the
same read, merge and revert (remediations/s3_bucket_public_access.py, public_access_block.py),
called from here and declared again only for its risk class.
Why a different class: S3.8 is `workload-affecting` because a bucket may be public on purpose (a
website). A trail's log bucket never is: nothing but CloudTrail writes to it and nobody outside
the account should read it, so all four flags on breaks nothing and this runs `safe`. CloudTrail
delivers through its bucket policy's service principal, which Block Public Access does not count
as public.
Guarantee: as S3.8: flags already on stay on; one read, one write; the bucket must be the
finding account's (`ExpectedBucketOwner`); a central log bucket in another account is refused by
S3 and fixed where it lives. Revert switches off only the flags the fix switched on.
APIs: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetPublicAccessBlock.html
https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from model.finding import Resource
from model.outcome import Plan
from remediations import s3_bucket_public_access as bucket_bpa
from remediations.base import Params, Risk
from remediations.public_access_block import plan_all_flags_on, revert_flags

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from remediations.cases import Cases


def read(client: S3Client, resource: Resource, params: Params) -> dict[str, Any]:
    return bucket_bpa.read(client, resource, params)


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    return plan_all_flags_on(state)


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    return revert_flags(current, before, force)


def cases() -> Cases:
    """S3.8's cases, with a live bucket that a trail delivers to."""
    from remediations.cases import LiveCase, resource

    def setup(session: Any) -> Resource:
        session.client("s3").create_bucket(Bucket="case-trail-log-bucket")
        session.client("cloudtrail").create_trail(
            Name="case-public-bucket-trail", S3BucketName="case-trail-log-bucket"
        )
        return resource("AwsS3Bucket", "arn:aws:s3:::case-trail-log-bucket")

    shared = bucket_bpa.cases()
    return replace(shared, live=LiveCase(setup, {}))


REMEDIATION = bucket_bpa.REMEDIATION._replace(
    name="s3.block-trail-bucket-public-access",
    summary="Turn on all four S3 Block Public Access flags on a CloudTrail trail's log bucket; flags already on stay on.",
    risk=Risk.SAFE,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
)
