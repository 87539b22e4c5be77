"""The invocation's time budget: no AWS call may start that could outlive the function.

botocore alone may spend 6 attempts (1 + 5 retries) of 5 s connect + 10 s read on one hung
call, longer than the function's timeout; Lambda then kills the invocation and every note of the
event, and the claims it held, are lost until they lapse. So each invocation sets a `Deadline` from
`context.get_remaining_time_in_millis()`, and every client the engine makes checks it before
each attempt (botocore's `before-send` event, which retries pass through too):

- work (reads and writes in the resource's account) stops `WORK_RESERVE_SECONDS` before the
  end, which leaves room for one attempt already in flight plus the flush;
- the flush (state table, `BatchUpdateFindings`, notifications, in the stack's own account)
  may run until `FLUSH_RESERVE_SECONDS` before the end.

A call refused by the deadline fails with `DeadlineExceededError`, a botocore error like any
other, so the finding ends FAILED and retryable and the event is delivered again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, NamedTuple

from botocore.exceptions import BotoCoreError

from model.errors import RemediationError

#: One attempt may take connect + read timeout (engine.clients.RETRY_CONFIG: 5 s + 10 s).
ATTEMPT_SECONDS = 15.0
WORK_RESERVE_SECONDS = 2 * ATTEMPT_SECONDS + 5.0
FLUSH_RESERVE_SECONDS = ATTEMPT_SECONDS + 2.0


class DeadlineExceededError(RemediationError, BotoCoreError):
    """A call was not started because the invocation's time budget for it had run out."""

    fmt = "not started: {phase} time budget of this invocation is spent ({left:.1f} s left)"


class Deadline(NamedTuple):
    """Seconds left are read from a monotonic clock against the end Lambda announced."""

    end: float  # monotonic time at which Lambda stops the function
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def from_remaining_ms(cls, remaining_ms: int, clock: Callable[[], float] = time.monotonic) -> Deadline:
        return cls(end=clock() + remaining_ms / 1000, clock=clock)

    def left(self) -> float:
        return self.end - self.clock()

    def may_work(self) -> bool:
        """Is there time to start (or go on with) a finding and still flush its note?"""
        return self.left() > WORK_RESERVE_SECONDS

    def check(self, *, home: bool) -> None:
        """Raise when no call of this kind may start now; `home`: the stack's own flush calls."""
        reserve = FLUSH_RESERVE_SECONDS if home else WORK_RESERVE_SECONDS
        left = self.left()
        if left <= reserve:
            raise DeadlineExceededError(phase="flush" if home else "work", left=left)


class DeadlineHolder:
    """The deadline of the invocation running now; clients outlive invocations, so they hold this."""

    def __init__(self) -> None:
        self.current: Deadline | None = None

    def hook(self, *, home: bool) -> Callable[..., None]:
        """A `before-send` handler that enforces the current deadline, if any, on one client."""

        def before_send(**_: Any) -> None:
            if self.current is not None:
                self.current.check(home=home)

        return before_send
