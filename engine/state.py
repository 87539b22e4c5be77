"""What the engine remembers between deliveries, in the stack's DynamoDB table.

EventBridge delivers at least once and Config and Security Hub may report the same problem
twice, so before changing a resource the engine claims it (a conditional write, so two
concurrent deliveries cannot both change it), and after a change it records the time (the
flap breaker's history) and the before-state (what `undo` puts back). One item per
(account, region, rule, resource) holds the claim and the history, so a remediation costs
two writes; the undo record is one more item, keyed by finding.

Table: partition key `pk` (S), sort key `sk` (S), TTL attribute `expires_at` (template.yaml).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from model.undo import UndoRecord

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: The table's key schema and TTL attribute: the one definition template.yaml and tests build from.
PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE = "pk", "sk", "expires_at"
KEY_SCHEMA = (
    {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
    {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
)
ATTRIBUTE_DEFINITIONS = (
    {"AttributeName": PARTITION_KEY, "AttributeType": "S"},
    {"AttributeName": SORT_KEY, "AttributeType": "S"},
)
CLAIM_SECONDS = 150  # a crashed invocation's claim lapses: longer than the function's 120 s timeout
UNDO_DAYS = 90
STATE_SK = "state"
UNDO_SK = "undo"


@dataclass(frozen=True, slots=True)
class Claim:
    """A held claim on a resource, with the remediation times recorded so far."""

    key: str
    owner: str
    history: tuple[float, ...]


def resource_key(account_id: str, region: str, rule_id: str, resource_id: str) -> str:
    return f"resource#{account_id}#{region}#{rule_id}#{resource_id}"


class StateStore:
    """Claims, flap history and undo records in one DynamoDB table."""

    def __init__(
        self,
        client: Callable[[], DynamoDBClient],
        table: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`client` makes the DynamoDB client on first use: the process's first client costs ~100 ms."""
        self._make_client = client
        self._made: DynamoDBClient | None = None
        self._table = table
        self._clock = clock

    @property
    def _client(self) -> DynamoDBClient:
        if self._made is None:
            self._made = self._make_client()
        return self._made

    def claim(self, key: str, owner: str) -> Claim | None:
        """Claim `key` for `owner`; None when another live claim holds it."""
        now = self._clock()
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key={"pk": {"S": key}, "sk": {"S": STATE_SK}},
                UpdateExpression="SET claim_owner = :owner, claim_until = :until",
                ConditionExpression="attribute_not_exists(claim_owner) OR claim_until < :now OR claim_owner = :owner",
                ExpressionAttributeValues={
                    ":owner": {"S": owner},
                    ":until": {"N": str(int(now + CLAIM_SECONDS))},
                    ":now": {"N": str(int(now))},
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return None
            raise
        changes = response.get("Attributes", {}).get("changes", {}).get("L", [])
        return Claim(key=key, owner=owner, history=tuple(float(item["N"]) for item in changes))

    def release(self, claim: Claim, *, changed: bool, window_seconds: float, keep: int) -> None:
        """Drop the claim; when the resource was changed, append now to its history."""
        now = self._clock()
        recent = [t for t in claim.history if t > now - window_seconds]
        if changed:
            recent.append(now)
        recent = recent[-keep:]
        self._client.update_item(
            TableName=self._table,
            Key={"pk": {"S": claim.key}, "sk": {"S": STATE_SK}},
            UpdateExpression="REMOVE claim_owner, claim_until SET changes = :changes, expires_at = :expires",
            ExpressionAttributeValues={
                ":changes": {"L": [{"N": f"{t:.3f}"} for t in recent]},
                ":expires": {"N": str(int(now + window_seconds + 86400))},
            },
        )

    def save_undo(self, record: UndoRecord) -> None:
        self._client.put_item(
            TableName=self._table,
            Item={
                "pk": {"S": f"finding#{record.finding_id}"},
                "sk": {"S": UNDO_SK},
                "record": {"S": json.dumps(record.as_dict(), default=str)},
                "expires_at": {"N": str(int(record.changed_at + UNDO_DAYS * 86400))},
            },
        )

    def load_undo(self, finding_id: str) -> UndoRecord | None:
        item = self._client.get_item(
            TableName=self._table, Key={"pk": {"S": f"finding#{finding_id}"}, "sk": {"S": UNDO_SK}}
        ).get("Item")
        if not item:
            return None
        return UndoRecord(**json.loads(item["record"]["S"]))


def recent_changes(claim: Claim, now: float, window_seconds: float) -> int:
    return sum(1 for t in claim.history if t > now - window_seconds)
