"""The live tag check: a resource carrying the exclusion tag is never changed.

Tags in a finding are a snapshot from whenever the producer last looked: a tag added since is
not in it. So a resource is excluded when either the finding or its live tags carry the tag
(`engine/decide.py` checks the finding's); the live tags come from the resource's own service
where it returns them (`engine/tag_readers.py`), else from the Resource Groups Tagging API, one
call for every taggable type, by the resource's canonical ARN (its remediation's `Identity`),
and a resource whose live tags cannot be read is not changed. Account- and
region-level settings have no ARN and no tags: exclude those accounts with the deny list.
"""

from __future__ import annotations

from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError

from model.errors import RemediationError
from model.finding import Resource

#: tags(resource) -> the resource's tags, or None when they cannot be read
TagReader = Callable[[Resource], dict[str, str] | None]


def live_tag_exclusion(resource: Resource, tag: str, read_tags: TagReader) -> str:
    """Why the live tags exclude `resource` ('' when they do not); unreadable tags exclude it too."""
    if not tag or not resource.arn:
        return ""
    tags = read_tags(resource)
    if tags is None:
        return f"could not read the tags of {resource.arn} to check the exclusion tag {tag!r}"
    if tag in tags:
        return f"resource carries the exclusion tag {tag!r}"
    return ""


def tagging_api_reader(client_for: Callable[[str, str], object]) -> TagReader:
    """A TagReader over `tag:GetResources`; client_for(account, region) returns the client."""

    def read(resource: Resource) -> dict[str, str] | None:
        try:
            client = client_for(resource.account_id, resource.region)
            mappings = client.get_resources(ResourceARNList=[resource.arn])["ResourceTagMappingList"]  # type: ignore[attr-defined]
        except (ClientError, BotoCoreError, RemediationError):  # unreadable: the caller says so
            return None
        return {tag["Key"]: tag["Value"] for mapping in mappings for tag in mapping.get("Tags", [])}

    return read
