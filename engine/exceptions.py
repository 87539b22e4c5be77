"""Exceptions that expire and say who and why: a control left alone on a resource or an account.

An exception is recorded by a person (`remediator except add --control EC2.13 --resource ARN
--until 2027-03-01 --reason … --owner …`) in the stack's state table, one item each under the
partition `exception`, sort key `<control>#resource#<arn>` or `<control>#account#<id>`. It
applies until its `until` (a date means 00:00 UTC that day), then stops applying; the item is
kept `EXPIRED_NOTE_DAYS` more (TTL), so the notes of findings in that time say it expired, who
had asked for it, why and when.

Cost per finding: one BatchGetItem of the (at most) two keys that can name it, eventually
consistent: 1 read capacity unit (0.5 each), whatever the number of exceptions recorded.
Every skip names the exception, its owner and its expiry.

The class is named `Exemption`: `Exception` is Python's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from engine.table import TableStore
from model.errors import RemediationError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PARTITION = "exception"
RESOURCE, ACCOUNT = "resource", "account"
EXPIRED_NOTE_DAYS = 30


class ExemptionDateError(RemediationError):
    """An exception's `until` is not a date (YYYY-MM-DD) or an ISO time with its zone."""

    code = "InvalidExceptionDate"


class Exemption(NamedTuple):
    control: str  # the security control id (EC2.13), or the rule id of a rule without one
    scope: str  # RESOURCE or ACCOUNT
    target: str  # the resource's ARN, or the account id
    until: datetime  # UTC; the exception applies before this instant
    reason: str
    owner: str
    created_at: float = 0.0

    @property
    def sort_key(self) -> str:
        return sort_key(self.control, self.scope, self.target)

    def expired(self, now: float) -> bool:
        return self.until.timestamp() <= now

    def described(self) -> str:
        return (
            f"exception for {self.control} on {self.scope} {self.target} "
            f"(owner {self.owner}, until {until_text(self.until)}, reason: {self.reason})"
        )

    def item(self) -> dict[str, Any]:
        keep = self.until + timedelta(days=EXPIRED_NOTE_DAYS)
        return {
            "pk": {"S": PARTITION},
            "sk": {"S": self.sort_key},
            "control": {"S": self.control},
            "scope": {"S": self.scope},
            "target": {"S": self.target},
            "until": {"S": self.until.isoformat()},
            "reason": {"S": self.reason},
            "owner": {"S": self.owner},
            "created_at": {"N": f"{self.created_at:.0f}"},
            "expires_at": {"N": str(int(keep.timestamp()))},
        }

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Exemption:
        return cls(
            control=item["control"]["S"],
            scope=item["scope"]["S"],
            target=item["target"]["S"],
            until=datetime.fromisoformat(item["until"]["S"]),
            reason=item.get("reason", {}).get("S", ""),
            owner=item.get("owner", {}).get("S", ""),
            created_at=float(item.get("created_at", {}).get("N", "0")),
        )


def sort_key(control: str, scope: str, target: str) -> str:
    return f"{control}#{scope}#{target}"


def parse_until(text: str) -> datetime:
    """`2027-03-01` (00:00 UTC that day) or an ISO time with its zone (`2027-03-01T12:00+00:00`)."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ExemptionDateError(f"{text!r} is not a date (YYYY-MM-DD) or an ISO time") from None
    if value.tzinfo is None:
        if len(text.strip()) > 10:
            raise ExemptionDateError(f"{text!r} has no time zone: add Z or +00:00")
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def until_text(until: datetime) -> str:
    if until.hour == until.minute == until.second == 0:
        return until.strftime("%Y-%m-%d")
    return until.strftime("%Y-%m-%d %H:%M UTC")


class Verdict(NamedTuple):
    """What the exceptions naming one finding say: skip it (`skip`), and what to remark on its note."""

    skip: str = ""
    remark: str = ""


def verdict(exemptions: Iterable[Exemption], now: float) -> Verdict:
    """A live exception skips the finding (the resource's before the account's); expired ones are remarked."""
    ordered = sorted(exemptions, key=lambda e: e.scope != RESOURCE)
    live = [e for e in ordered if not e.expired(now)]
    expired = [e for e in ordered if e.expired(now)]
    remark = " ".join(f"The {e.described()} expired on {until_text(e.until)}." for e in expired)
    if live:
        return Verdict(skip=f"excepted by the {live[0].described()}", remark=remark)
    return Verdict(remark=remark)


class ExemptionStore(TableStore):
    """Exceptions in the stack's state table: one read per finding, a Query to list them."""

    def __init__(
        self, client: Callable[[], DynamoDBClient], table: str, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(client, table)
        self.clock = clock

    def naming(self, control: str, account: str, resource_arn: str) -> list[Exemption]:
        """The exceptions for `control` on this resource or its account (one BatchGetItem)."""
        keys = [sort_key(control, ACCOUNT, account)]
        if resource_arn:
            keys.append(sort_key(control, RESOURCE, resource_arn))
        request: dict[str, Any] = {
            self._table: {"Keys": [{"pk": {"S": PARTITION}, "sk": {"S": key}} for key in keys]}
        }
        items: list[dict[str, Any]] = []
        for _ in range(3):  # unprocessed keys (throttling) are asked for again, twice at most
            response = self._client.batch_get_item(RequestItems=request)
            items += response.get("Responses", {}).get(self._table, [])
            request = dict(response.get("UnprocessedKeys") or {})
            if not request:
                return [Exemption.from_item(item) for item in items]
        raise ExemptionReadError(f"the state table did not return the exceptions for {control} in {account}")

    def add(self, exemption: Exemption) -> Exemption | None:
        """Record `exemption`; returns the one it replaces (same control and target), if any."""
        old = self._client.put_item(TableName=self._table, Item=exemption.item(), ReturnValues="ALL_OLD")
        return Exemption.from_item(old["Attributes"]) if old.get("Attributes") else None

    def remove(self, control: str, scope: str, target: str) -> Exemption | None:
        """Delete an exception; returns it, or None when there was none."""
        old = self._client.delete_item(
            TableName=self._table,
            Key={"pk": {"S": PARTITION}, "sk": {"S": sort_key(control, scope, target)}},
            ReturnValues="ALL_OLD",
        )
        return Exemption.from_item(old["Attributes"]) if old.get("Attributes") else None

    def list(self, control: str | None = None) -> Iterator[Exemption]:
        """Every exception (or those of `control`), expired ones too until their item expires."""
        condition = "pk = :pk" + (" AND begins_with(sk, :control)" if control else "")
        values = {":pk": {"S": PARTITION}, **({":control": {"S": f"{control}#"}} if control else {})}
        for page in self._client.get_paginator("query").paginate(
            TableName=self._table, KeyConditionExpression=condition, ExpressionAttributeValues=values
        ):
            for item in page.get("Items", []):
                yield Exemption.from_item(item)


class ExemptionReadError(RemediationError):
    """The exceptions that may name a finding could not be read: the finding is not changed."""

    code = "ExceptionsUnreadable"
