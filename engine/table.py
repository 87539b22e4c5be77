"""What every store over the stack's DynamoDB table shares: the client, made at its first call.

The state (claims, undo records), approvals, exceptions and the blast-radius counters all live in
the one table; a function that never reaches any of them never pays for a DynamoDB client (the
process's first client costs ~100 ms), and each store is handed the same factory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from remediations.base import canonical_id

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from engine.clients import ClientFactory
    from model.finding import Resource


def resource_key(account_id: str, region: str, rule_id: str, resource_id: str) -> str:
    return f"resource#{account_id}#{region}#{rule_id}#{resource_id}"


def item_key(resource: Resource, rule_id: str) -> str:
    """The item of a resource under a rule, whatever produced the finding: its claim, flap history
    and undo record (`engine.state`) and its stored approval (`engine.approvals`) are keyed so."""
    return resource_key(resource.account_id, resource.region, rule_id, canonical_id(resource))


def table_client(clients: ClientFactory) -> Callable[[], DynamoDBClient]:
    """The factory every store is given: the client in the stack's own Region, which (with the
    boto3 session it needs) waits for the first call."""
    return lambda: clients.home_client("dynamodb", clients.home_region)


class TableStore:
    """A store over `table`; `client` makes the DynamoDB client on first use."""

    def __init__(self, client: Callable[[], DynamoDBClient], table: str) -> None:
        self._make_client = client
        self._made: DynamoDBClient | None = None
        self._table = table

    @property
    def _client(self) -> DynamoDBClient:
        if self._made is None:
            self._made = self._make_client()
        return self._made
