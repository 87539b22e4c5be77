"""Turn on all four S3 Block Public Access flags on one bucket (controls S3.8, S3.2, S3.3).

Controls: S3.8 (CIS 1.4 2.1.5 / finding ControlId 2.1.5.2, CIS 3.0 2.1.4 / 2.1.4.2,
CIS 5.0 2.1.4); S3.2 (PCI.S3.2) and S3.3 (PCI.S3.1), which AWS's own remediation also
fixes with bucket-level BPA: with `IgnorePublicAcls` and `RestrictPublicBuckets` on,
public ACL grants and public policies stop taking effect, whatever they say.
Risk: a bucket meant to be public (a static website) stops being reachable, so this is
`workload-affecting`: it waits for a person unless a rule makes it automatic.
Guarantee: flags are merged with the bucket's configuration, only ever switched on.
APIs: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetPublicAccessBlock.html
https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.finding import Resource, ResourceFormat
from model.outcome import Plan
from remediations.base import Params, Permissions, Remediation, Risk
from remediations.identities import S3_BUCKET, bucket_of
from remediations.public_access_block import FLAGS, keeps, plan_all_flags_on, read_flags, revert_flags

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from remediations.cases import Cases


def read(client: S3Client, resource: Resource, params: Params) -> dict[str, Any]:
    flags = read_flags(lambda: client.get_public_access_block(**bucket_of(resource)))
    return {**bucket_of(resource), **flags}


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    return plan_all_flags_on(state)


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    return revert_flags(current, before, force)


def cases() -> Cases:
    from remediations.cases import (
        ACCOUNT,
        Cases,
        Exchange,
        LiveCase,
        PlanCase,
        RevertCase,
        StubbedCase,
        resource,
    )

    def state(*on: str) -> dict[str, Any]:
        return {"Bucket": "b", "ExpectedBucketOwner": ACCOUNT, **{flag: flag in on for flag in FLAGS}}

    def setup(session: Any) -> Resource:
        session.client("s3").create_bucket(Bucket="case-bpa-bucket")
        return resource("AwsS3Bucket", "arn:aws:s3:::case-bpa-bucket")

    all_on = dict.fromkeys(FLAGS, True)
    return Cases(
        plans=(
            PlanCase(
                "one flag on already",
                state("BlockPublicAcls"),
                {},
                (
                    "IgnorePublicAcls: false → true",
                    "BlockPublicPolicy: false → true",
                    "RestrictPublicBuckets: false → true",
                ),
            ),
            PlanCase("all on", state(*FLAGS), {}, ()),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsS3Bucket", "arn:aws:s3:::b"),
            params={},
            calls=(
                Exchange(
                    "get_public_access_block",
                    {"Bucket": "b", "ExpectedBucketOwner": ACCOUNT},
                    {
                        "PublicAccessBlockConfiguration": {
                            **dict.fromkeys(FLAGS, False),
                            "BlockPublicAcls": True,
                        }
                    },
                ),
                Exchange(
                    "put_public_access_block",
                    {"Bucket": "b", "ExpectedBucketOwner": ACCOUNT, "PublicAccessBlockConfiguration": all_on},
                ),
            ),
            refusals=((0, "NoSuchBucket"), (1, "AccessDenied")),
        ),
        reverts=(
            RevertCase(
                "back to the one flag it had",
                state("BlockPublicAcls"),
                state(*FLAGS),
                state(*FLAGS),
                (
                    "IgnorePublicAcls: true → false",
                    "BlockPublicPolicy: true → false",
                    "RestrictPublicBuckets: true → false",
                ),
            ),
            RevertCase(
                "changed by someone else since",
                state(),
                state(*FLAGS),
                state("BlockPublicAcls"),
                conflict=True,
                forced=("BlockPublicAcls: true → false",),
                since="changed",
            ),
        ),
        live=LiveCase(setup, {}),
        keeps=keeps,
        strictest="all four flags on is the strictest configuration: nothing can be stricter since",
        identities=(
            (resource("AwsS3Bucket", "arn:aws:s3:::b"), "b"),
            (resource("AWS::S3::Bucket", "b", ResourceFormat.CONFIG), "b"),
        ),
    )


REMEDIATION = Remediation(
    name="s3.block-bucket-public-access",
    summary="Turn on all four S3 Block Public Access flags on the bucket; flags already on stay on.",
    service="s3",
    identity=S3_BUCKET,
    permissions=Permissions(
        read=("s3:GetBucketPublicAccessBlock",),
        write=("s3:PutBucketPublicAccessBlock",),
        revert=("s3:PutBucketPublicAccessBlock",),
    ),
    risk=Risk.WORKLOAD_AFFECTING,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
)
