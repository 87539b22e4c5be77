"""Resource identities several remediations share: one definition each, not one per module.

An `Identity` says which resource types a remediation acts on in each input format, the ARN
form its exclusion check and claim key use, and the short name its API takes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from model.finding import Resource, ResourceFormat
from remediations.base import Identity, TagSource, account_of


def key_values(tags: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """`[{"Key": k, "Value": v}, …]`, as most APIs return tags, as a dict."""
    return {tag["Key"]: tag["Value"] for tag in tags}


def bucket_tags(client: Any, resource: Resource) -> dict[str, str]:
    """GetBucketTagging: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketTagging.html

    A bucket without tags answers `NoSuchTagSet`: no tags, not an unreadable bucket.
    """
    try:
        answer = client.get_bucket_tagging(**bucket_of(resource))
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NoSuchTagSet":
            return {}
        raise
    return key_values(answer.get("TagSet", []))


def security_group_tags(client: Any, resource: Resource) -> dict[str, str]:
    """DescribeSecurityGroups returns the group's tags with it:
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroups.html"""
    groups = client.describe_security_groups(GroupIds=[resource.name])["SecurityGroups"]
    return key_values(groups[0].get("Tags", []) if groups else [])


#: A general purpose bucket: by ARN in Security Hub, by name in AWS Config.
S3_BUCKET = Identity(
    {ResourceFormat.ASFF: frozenset({"AwsS3Bucket"}), ResourceFormat.CONFIG: frozenset({"AWS::S3::Bucket"})},
    arn="arn:{partition}:s3:::{name}",
    tags=TagSource("s3:GetBucketTagging", bucket_tags),
)
#: An account- and region-level setting: `AWS::::Account:<id>` in Security Hub, the id in Config.
ACCOUNT = Identity(
    {ResourceFormat.ASFF: frozenset({"AwsAccount"}), ResourceFormat.CONFIG: frozenset({"AWS::::Account"})},
    name=account_of,
)
#: A security group: by ARN in Security Hub, by `sg-…` id in AWS Config.
SECURITY_GROUP = Identity(
    {
        ResourceFormat.ASFF: frozenset({"AwsEc2SecurityGroup"}),
        ResourceFormat.CONFIG: frozenset({"AWS::EC2::SecurityGroup"}),
    },
    arn="arn:{partition}:ec2:{region}:{account}:security-group/{name}",
    tags=TagSource("ec2:DescribeSecurityGroups", security_group_tags),
)

#: A CloudTrail trail: by ARN in Security Hub, by name in AWS Config. It lives in its home Region,
#: which its ARN names (a multi-Region trail is reported from every Region it logs).
CLOUDTRAIL_TRAIL = Identity(
    {
        ResourceFormat.ASFF: frozenset({"AwsCloudTrailTrail"}),
        ResourceFormat.CONFIG: frozenset({"AWS::CloudTrail::Trail"}),
    },
    arn="arn:{partition}:cloudtrail:{region}:{account}:trail/{name}",
    region_in_arn=True,
)


def bucket_of(resource: Resource) -> dict[str, str]:
    """A bucket as every S3 call names it: with `ExpectedBucketOwner`, the finding's account.

    S3 then refuses the call (403) when the bucket name belongs to another account: a finding
    never makes the engine touch someone else's bucket of the same name.
    """
    return {"Bucket": resource.name, "ExpectedBucketOwner": resource.account_id}


def bucket_in(state: Mapping[str, Any]) -> dict[str, str]:
    """The bucket and its expected owner, as the state read carries them."""
    return {key: state[key] for key in ("Bucket", "ExpectedBucketOwner") if key in state}
