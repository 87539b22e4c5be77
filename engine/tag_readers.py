"""Which reader gives the exclusion check a resource's live tags: its own service, where it can.

Where the remediation's service returns the resource's tags (`Identity.tags`: S3
`GetBucketTagging`, EC2 `DescribeSecurityGroups`, SQS `ListQueueTags`, SNS
`ListTagsForResource`), they are read with the client the fix uses anyway; the Resource Groups
Tagging API (`engine.exclusions.tagging_api_reader`) only for the others. One call either way,
but no second client: creating the tagging client cost 35 ms of a first invocation, more than
the call. Tags that cannot be read make the same `None` as the Tagging API's, so the check
(`engine.exclusions.live_tag_exclusion`) excludes the resource alike.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from engine.exclusions import TagReader
from model.errors import RemediationError
from model.finding import Resource

if TYPE_CHECKING:
    from engine.clients import ClientFactory
    from remediations.base import Remediation


def tag_reader_for(remediation: Remediation, clients: ClientFactory, fallback: TagReader) -> TagReader:
    """The remediation's own service's tag read if its identity has one, else `fallback`."""
    source = remediation.identity.tags
    if source is None:
        return fallback

    def read(resource: Resource) -> dict[str, str] | None:
        try:
            client = remediation.client_from(
                partial(clients.client, account_id=resource.account_id, region=resource.region)
            )
            return dict(source.read(client, resource))
        except ClientError as error:
            if gone(error.response.get("Error", {}).get("Code", "")):
                return {}  # as the Tagging API answers for it: the fix's own read then says it is gone
            return None  # unreadable: the caller says so
        except (BotoCoreError, RemediationError):
            return None

    return read


def gone(code: str) -> bool:
    """A resource that no longer exists has no tags to exclude it by (S3 `NoSuchBucket`, EC2
    `InvalidGroup.NotFound`, SQS `AWS.SimpleQueueService.NonExistentQueue`, SNS `NotFound`)."""
    return code.startswith("NoSuch") or code.endswith("NotFound") or "NonExistent" in code
