"""Turn on all four S3 Block Public Access flags on one bucket (controls S3.8, S3.2, S3.3).

Controls: S3.8 (CIS 1.4 2.1.5 / finding ControlId 2.1.5.2, CIS 3.0 2.1.4 / 2.1.4.2,
CIS 5.0 2.1.4); S3.2 (PCI.S3.2) and S3.3 (PCI.S3.1), which AWS's own remediation also
fixes with bucket-level BPA: with `IgnorePublicAcls` and `RestrictPublicBuckets` on,
public ACL grants and public policies stop taking effect, whatever they say.
Caution: a bucket meant to be public (a static website) stops being reachable; exclude it
by tag, or make these rules manual.
Guarantee: flags are merged with the bucket's configuration, only ever switched on.
APIs: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetPublicAccessBlock.html
https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.finding import Resource
from model.outcome import Plan
from remediations.base import Params, Remediation, object_schema
from remediations.public_access_block import plan_all_flags_on, read_flags

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def read(client: S3Client, resource: Resource, params: Params) -> dict[str, Any]:
    flags = read_flags(lambda: client.get_public_access_block(Bucket=resource.name))
    return {"Bucket": resource.name, **flags}


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    return plan_all_flags_on(state, {"Bucket": state["Bucket"]})


def apply(client: S3Client, resource: Resource, plan: Plan) -> None:
    client.put_public_access_block(
        Bucket=plan.request["Bucket"],
        PublicAccessBlockConfiguration=plan.request["PublicAccessBlockConfiguration"],
    )


REMEDIATION = Remediation(
    name="s3.block-bucket-public-access",
    summary="Turn on all four S3 Block Public Access flags on the bucket; flags already on stay on.",
    service="s3",
    resource_types=frozenset({"AwsS3Bucket"}),
    permissions=("s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"),
    parameters_schema=object_schema({}),
    read=read,
    plan=plan,
    apply=apply,
)
