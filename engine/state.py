"""What the engine remembers between deliveries, in the stack's DynamoDB table.

EventBridge delivers at least once and Config and Security Hub may report the same problem
twice, so before changing a resource the engine claims it (a conditional write, so two
concurrent deliveries cannot both change it), records what it is about to do and the state
before (the write-ahead undo record, `model.undo`), and on release records the outcome and the
time (the flap breaker's history). One item per (account, region, rule, canonical resource id)
holds the claim, the history and the undo record, whatever produced the finding; a change costs
three writes to it (claim, intent, release), one more per call of a plan with several, and one
small pointer item per finding key (`remediator undo FINDING_ID` starts there).

The same table holds the blast-radius counters (`engine/blast_radius.py`, `limit#…` items) and
the exceptions people record (`engine/exceptions.py`, partition `exception`).

Table: partition key `pk` (S), sort key `sk` (S), TTL attribute `expires_at` (template.yaml).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from botocore.exceptions import ClientError

from engine.table import TableStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from model.undo import UndoRecord

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
UNDO_DAYS = 90  # the default of `Settings.record_days` (stack parameter RecordRetentionDays)
STATE_SK = "state"
UNDO_SK = "undo"
#: On a resource's state item: which change was reverted and when, `{changed_at, at}` (`mark_reverted`).
REVERTED = "reverted"


class Claim(NamedTuple):
    """A held claim on a resource, with the remediation times and the undo record so far."""

    key: str
    owner: str
    history: tuple[float, ...]
    record: UndoRecord | None = None


class StateStore(TableStore):
    """Claims, flap history and undo records in one DynamoDB table."""

    def __init__(
        self,
        client: Callable[[], DynamoDBClient],
        table: str,
        clock: Callable[[], float] = time.time,
        record_days: int = UNDO_DAYS,
    ) -> None:
        """`client` makes the DynamoDB client on first use: the process's first client costs ~100 ms.

        `record_days`: how long an undo record (and the history line it makes) outlives its change.
        """
        super().__init__(client, table)
        self._record_seconds = record_days * 86400
        self._clock = clock

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
        attributes = response.get("Attributes", {})
        changes = attributes.get("changes", {}).get("L", [])
        return Claim(
            key=key,
            owner=owner,
            history=tuple(float(item["N"]) for item in changes),
            record=_record_of(attributes),
        )

    def save_record(self, claim: Claim, record: UndoRecord, *, pointer: bool = False) -> None:
        """Write the undo record on the claimed item, only while `claim` still holds it.

        `pointer`: also index it by the finding's key (once, with the intent), so the record
        can be found by the id Security Hub or the logs show.
        """
        expires = {"N": str(int(record.changed_at + self._record_seconds))}
        if pointer:
            self._client.put_item(
                TableName=self._table,
                Item={
                    "pk": {"S": f"finding#{record.finding_id}"},
                    "sk": {"S": UNDO_SK},
                    "resource_key": {"S": claim.key},
                    "expires_at": expires,
                },
            )
        self._client.update_item(
            TableName=self._table,
            Key={"pk": {"S": claim.key}, "sk": {"S": STATE_SK}},
            UpdateExpression="SET #record = :record",
            ConditionExpression="claim_owner = :owner",
            ExpressionAttributeNames={"#record": "record"},
            ExpressionAttributeValues={":record": _record_value(record), ":owner": {"S": claim.owner}},
        )

    def release(
        self,
        claim: Claim,
        *,
        changed: bool,
        window_seconds: float,
        keep: int,
        record: UndoRecord | None = None,
    ) -> None:
        """Drop the claim; when the resource was changed, append now to its history.

        `record`: the undo record's final form (the outcome), written in the same request.
        """
        now = self._clock()
        recent = [t for t in claim.history if t > now - window_seconds]
        if changed:
            recent.append(now)
        recent = recent[-keep:]
        kept = record or claim.record
        expires = now + window_seconds + 86400
        if kept is not None:
            expires = max(expires, kept.changed_at + self._record_seconds)
        request: dict[str, Any] = {
            "TableName": self._table,
            "Key": {"pk": {"S": claim.key}, "sk": {"S": STATE_SK}},
            "UpdateExpression": "REMOVE claim_owner, claim_until SET changes = :changes, expires_at = :expires",
            "ExpressionAttributeValues": {
                ":changes": {"L": [{"N": f"{t:.3f}"} for t in recent]},
                ":expires": {"N": str(int(expires))},
            },
        }
        if record is not None:
            request["UpdateExpression"] += ", #record = :record"
            request["ExpressionAttributeValues"][":record"] = _record_value(record)
            request["ExpressionAttributeNames"] = {"#record": "record"}
        self._client.update_item(**request)

    def load_undo(self, finding_key: str) -> UndoRecord | None:
        """The undo record of the resource the engine changed for `finding_key` (a finding id,
        or the `config:…` key the logs show for a Config event)."""
        item = self._get(f"finding#{finding_key}", UNDO_SK)
        if not item:
            return None
        if "resource_key" not in item:  # a record written before records moved to the resource
            return _record_of(item)
        return _record_of(self._get(item["resource_key"]["S"], STATE_SK) or {})

    def mark_reverted(self, finding_key: str, changed_at: float) -> bool:
        """Note on the resource's item that its change made at `changed_at` was reverted, now.

        Kept beside the record, not in it, so the engine's writes never race with it; a later
        change has another `changed_at`, so the mark never applies to it. False when the record
        is gone or predates records on the resource.
        """
        pointer = self._get(f"finding#{finding_key}", UNDO_SK)
        if not pointer or "resource_key" not in pointer:
            return False
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"pk": pointer["resource_key"], "sk": {"S": STATE_SK}},
                UpdateExpression="SET #reverted = :reverted",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#reverted": REVERTED},
                ExpressionAttributeValues={
                    ":reverted": {
                        "M": {"changed_at": {"N": f"{changed_at:.3f}"}, "at": {"N": f"{self._clock():.3f}"}}
                    }
                },
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self._client.get_item(
            TableName=self._table, Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True
        ).get("Item")
        return item


def _record_value(record: UndoRecord) -> dict[str, str]:
    return {"S": json.dumps(record.as_dict(), default=str)}


def _record_of(item: Mapping[str, Any]) -> UndoRecord | None:
    stored = item.get("record", {}).get("S")
    if not stored:
        return None
    from model.undo import UndoRecord  # a cold start that claims nothing never imports it

    return UndoRecord.from_dict(json.loads(stored))


def recent_changes(claim: Claim, now: float, window_seconds: float) -> int:
    return sum(1 for t in claim.history if t > now - window_seconds)
