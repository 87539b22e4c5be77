"""The blast-radius limit: at most N changes per control and M per account in each clock hour.

A buggy rule, a flood of findings or a forgery campaign must not change the whole organisation
in one burst. Every function of the stack counts in the one state table, so the limit holds
across families and concurrent deliveries: each window is one item (`limit#control#EC2.13#
2026-12-03T11`, sort key `count`) whose counter is raised by a conditional write (`ADD n :1` only
while `n < :limit`), which DynamoDB applies atomically per item, however deliveries interleave.

A slot is taken just before the first write of a change, once the plan shows one is due: a dry
run, an already-compliant resource or a fix waiting for a person takes none. The control's
window is taken first, then the account's; when the account's is full the control's slot is
given back. A fix that then fails before any call succeeded gives its slots back too (one more
write each); a failed give-back leaves the window counting one change too many, never too few,
and the note says so. Beyond a limit the finding is HELD (workflow NOTIFIED, still actionable:
the next import after the window reopens fixes it), and one notification per window goes out:
the first hold puts a `notified` marker on the window's item with a conditional write.

A person's explicit act (the custom action, `remediator sweep`, `remediator invoke --approve`)
is counted but never held: the counter is raised without the condition, so automatic changes in
the same window are held sooner.

Cost: a change takes two conditional writes (control, account); a hold one or two, plus one
conditional put for the marker. Items expire (TTL) a day after their window closes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NamedTuple

from botocore.exceptions import BotoCoreError, ClientError

from engine.table import TableStore
from model.errors import StateStoreError
from model.outcome import Outcome, Status

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: The error code of a finding held by the limit (the note, the report and the metric name it).
LIMIT_CODE = "BlastRadiusLimit"
WINDOW_SECONDS = 3600
COUNT_SK = "count"
NOTIFIED_SK = "notified"
KEEP_SECONDS = 86400  # after the window closes: long enough to read back what happened
CONTROL, ACCOUNT = "control", "account"


class Window(NamedTuple):
    """One clock hour's counter for one control or one account."""

    scope: str  # CONTROL or ACCOUNT
    name: str  # the control id (EC2.13) or the account id
    start: int  # epoch seconds, on the hour
    limit: int

    @property
    def key(self) -> str:
        return f"limit#{self.scope}#{self.name}#{_hour(self.start)}"

    @property
    def reopens(self) -> int:
        return self.start + WINDOW_SECONDS

    def described(self) -> str:
        return f"{self.limit} changes per hour for {self.scope} {self.name}"


class Held(NamedTuple):
    """A change the limit did not let through; `quiet`: an earlier hold already notified this window."""

    window: Window
    quiet: bool = False
    note: str = ""  # a slot that could not be given back on the way

    @property
    def reason(self) -> str:
        opened = datetime.fromtimestamp(self.window.start, UTC).strftime("%Y-%m-%d %H:%M")
        reopens = datetime.fromtimestamp(self.window.reopens, UTC).strftime("%H:%M")
        text = (
            f"blast-radius limit: {self.window.described()} reached in the window from {opened} UTC; "
            f"it reopens at {reopens} UTC, when the next import of this finding is fixed "
            "(or run the custom action now)"
        )
        return f"{text}; {self.note}" if self.note else text


class Slot(NamedTuple):
    """The windows one change is counted in."""

    windows: tuple[Window, ...]


class BlastRadius(TableStore):
    """The two hourly counters a change must pass, in the stack's state table."""

    def __init__(
        self,
        client: Callable[[], DynamoDBClient],
        table: str,
        per_control: int,
        per_account: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(client, table)
        self.per_control = per_control
        self.per_account = per_account
        self._clock = clock

    def windows(self, control: str, account: str) -> tuple[Window, Window]:
        start = int(self._clock()) // WINDOW_SECONDS * WINDOW_SECONDS
        return (
            Window(CONTROL, control, start, self.per_control),
            Window(ACCOUNT, account, start, self.per_account),
        )

    def gate(self, control: str, account: str, *, person: bool) -> Gate:
        return Gate(self, control, account, person)

    def take(self, control: str, account: str, *, person: bool = False) -> Slot | Held:
        """A slot in both windows, or the first full one (the slots taken before it are given back).

        Raises `StateStoreError` when the table cannot be written: then nothing is changed.
        """
        taken: list[Window] = []
        for window in self.windows(control, account):
            try:
                counted = self._add(window, 1, conditional=not person)
            except (ClientError, BotoCoreError) as error:
                note = self.give_back(Slot(tuple(taken)))
                raise StateStoreError(
                    f"blast-radius counter not written, nothing is changed: {error}. {note}"
                ) from error
            if not counted:
                return Held(window, note=self.give_back(Slot(tuple(taken))))
            taken.append(window)
        return Slot(tuple(taken))

    def give_back(self, slot: Slot) -> str:
        """Uncount `slot`; '' when done, else why the window keeps counting it."""
        for window in slot.windows:
            try:
                self._add(window, -1, conditional=False)
            except (ClientError, BotoCoreError) as error:
                reopens = datetime.fromtimestamp(window.reopens, UTC).strftime("%H:%M")
                return f"its slot in the {window.scope} window was not given back ({error}): counted until {reopens} UTC"
        return ""

    def first_hold(self, held: Held) -> bool:
        """Whether this is the window's first hold (so it notifies): a conditional put of a marker.

        A marker that cannot be written notifies anyway: better twice than never.
        """
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    "pk": {"S": held.window.key},
                    "sk": {"S": NOTIFIED_SK},
                    "expires_at": {"N": str(held.window.reopens + KEEP_SECONDS)},
                },
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            return _code(error) != "ConditionalCheckFailedException"
        except BotoCoreError:
            return True
        return True

    def count(self, window: Window) -> int:
        """The changes counted in `window` so far (tests, the demo)."""
        item = self._client.get_item(
            TableName=self._table,
            Key={"pk": {"S": window.key}, "sk": {"S": COUNT_SK}},
            ConsistentRead=True,
        ).get("Item", {})
        return int(item.get("n", {}).get("N", "0"))

    def _add(self, window: Window, delta: int, *, conditional: bool) -> bool:
        """Add `delta` to the window's counter; False when the condition (room left) failed."""
        values = {
            ":delta": {"N": str(delta)},
            ":expires": {"N": str(window.reopens + KEEP_SECONDS)},
        }
        condition = {}
        if conditional:
            values[":limit"] = {"N": str(window.limit)}
            condition = {"ConditionExpression": "attribute_not_exists(n) OR n < :limit"}
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"pk": {"S": window.key}, "sk": {"S": COUNT_SK}},
                UpdateExpression="ADD n :delta SET expires_at = :expires",
                ExpressionAttributeValues=values,
                **condition,  # type: ignore[arg-type]
            )
        except ClientError as error:
            if _code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True


class Gate:
    """One finding's pass through the limit: called just before its first write, settled after."""

    def __init__(self, limits: BlastRadius, control: str, account: str, person: bool) -> None:
        self.limits, self.control, self.account, self.person = limits, control, account, person
        self.slot: Slot | None = None

    def __call__(self) -> Held | None:
        """None when a slot is taken (the change may go ahead), else why the finding is held."""
        taken = self.limits.take(self.control, self.account, person=self.person)
        if isinstance(taken, Held):
            return taken._replace(quiet=not self.limits.first_hold(taken))
        self.slot = taken
        return None

    def settle(self, outcome: Outcome, applied: int) -> Outcome:
        """Give the slot back when nothing was changed after all (the fix failed before its first call)."""
        if self.slot is None or outcome.status is Status.REMEDIATED or applied:
            return outcome
        note, self.slot = self.limits.give_back(self.slot), None
        return outcome._replace(reason=f"{outcome.reason}; {note}") if note else outcome


def _hour(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H")


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
