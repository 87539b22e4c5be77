"""What the engine changed, read from the state table for `remediator history`.

Each resource the engine changed has one state item (`engine.state`) holding the undo record
of its latest change: when, where, the rule and how the finding arrived, what moved before →
after, and how the change ended; `remediator undo` marks it reverted beside it. Records the
table's TTL has expired (`RecordRetentionDays`) are left out even before DynamoDB deletes them.
A resource changed again replaces its record: the history holds the change `undo` would revert.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from engine.state import REVERTED, SORT_KEY, STATE_SK, TTL_ATTRIBUTE
from model.undo import FAILED, UndoRecord

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


#: The fields of a history line, in the order every format shows them.
COLUMNS = (
    "when",
    "account",
    "region",
    "resource",
    "control",
    "rule",
    "remediation",
    "delivery",
    "changes",
    "status",
    "reverted",
    "finding",
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One change the engine made, and whether someone reverted it since."""

    record: UndoRecord
    reverted_at: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """The line as `COLUMNS` name it: times in UTC, each of `changes` as `field: before → after`."""
        record = self.record
        return {
            "when": _iso(record.changed_at),
            "account": record.account_id,
            "region": record.region,
            "resource": record.resource_arn or record.resource_name,
            "control": record.control_id,
            "rule": record.rule_id,
            "remediation": record.remediation,
            "delivery": record.delivery,
            "changes": list(record.changes),
            "status": record.status,
            "reverted": _iso(self.reverted_at) if self.reverted_at is not None else "",
            "finding": record.finding_id,
        }


def read_history(client: DynamoDBClient, table: str, *, since: float, now: float) -> Iterator[Entry]:
    """Every change made at or after `since` whose record has not expired by `now`, oldest first.

    One Scan of the table (the records carry no index by time): a command a person runs now and
    then, not the engine's path. A record whose change failed before any call went out is no
    change, and is left out.
    """
    entries = []
    pages = client.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression="#sk = :state AND attribute_exists(#record) AND #expires > :now",
        ExpressionAttributeNames={"#sk": SORT_KEY, "#record": "record", "#expires": TTL_ATTRIBUTE},
        ExpressionAttributeValues={":state": {"S": STATE_SK}, ":now": {"N": str(int(now))}},
    )
    for page in pages:
        for item in page.get("Items", []):
            record = UndoRecord.from_dict(json.loads(item["record"]["S"]))
            if record.changed_at < since or record.status == FAILED:
                continue
            entries.append(Entry(record, _reverted_at(item, record)))
    yield from sorted(entries, key=lambda entry: entry.record.changed_at)


def _reverted_at(item: dict[str, Any], record: UndoRecord) -> float | None:
    """When this change was reverted; a mark left by a revert of an earlier change does not count."""
    mark = item.get(REVERTED, {}).get("M")
    if not mark or abs(float(mark["changed_at"]["N"]) - record.changed_at) > 0.001:
        return None
    return float(mark["at"]["N"])


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
