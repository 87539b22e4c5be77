"""Keep the engine away from what must not be touched: tagged resources and listed accounts.

The tag is read from the finding when Security Hub reported it (`Resources[].Tags`), and
otherwise from the Resource Groups Tagging API, which answers for every taggable type with
one call. Account-level resources (the password policy, account Block Public Access, EBS
default encryption) have no tags: exclude those accounts with the deny list instead.
"""

from __future__ import annotations

from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError

from engine.settings import Settings
from model.errors import RemediationError
from model.finding import Finding, Resource

#: tags(resource) -> the resource's tags, or None when they cannot be read
TagReader = Callable[[Resource], dict[str, str] | None]


def account_exclusion(finding: Finding, settings: Settings) -> str:
    account = finding.account_id
    if account in settings.denied_accounts:
        return f"account {account} is on the deny list"
    if settings.allowed_accounts and account not in settings.allowed_accounts:
        return f"account {account} is not on the allow list"
    return ""


def tag_exclusion(resource: Resource, settings: Settings, read_tags: TagReader) -> str:
    tag = settings.exclusion_tag
    if not tag or resource.type == "AwsAccount":
        return ""
    tags = dict(resource.tags) if resource.tags else read_tags(resource)
    if tags is None:
        return f"could not read the tags of {resource.id} to check the exclusion tag {tag!r}"
    if tag in tags:
        return f"resource carries the exclusion tag {tag!r}"
    return ""


def resource_arn(resource: Resource) -> str | None:
    """The resource's ARN, built from its id when a Config event gave only a name."""
    if resource.arn:
        return resource.arn
    builders = {
        "AwsS3Bucket": "arn:{p}:s3:::{n}",
        "AwsEc2SecurityGroup": "arn:{p}:ec2:{r}:{a}:security-group/{n}",
        "AwsSqsQueue": "arn:{p}:sqs:{r}:{a}:{n}",
    }
    template = builders.get(resource.type)
    if template is None:
        return None
    name = resource.name.rstrip("/").rpartition("/")[2]  # a Config SQS event names the queue by URL
    return template.format(p=resource.partition, r=resource.region, a=resource.account_id, n=name)


def tagging_api_reader(client_for: Callable[[str, str], object]) -> TagReader:
    """A TagReader over `tag:GetResources`; client_for(account, region) returns the client."""

    def read(resource: Resource) -> dict[str, str] | None:
        arn = resource_arn(resource)
        if arn is None:
            return None
        try:
            client = client_for(resource.account_id, resource.region)
            mappings = client.get_resources(ResourceARNList=[arn])["ResourceTagMappingList"]  # type: ignore[attr-defined]
        except (ClientError, BotoCoreError, RemediationError):  # unreadable: the caller says so
            return None
        return {tag["Key"]: tag["Value"] for mapping in mappings for tag in mapping.get("Tags", [])}

    return read
