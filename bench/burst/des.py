"""A small discrete-event simulator: a clock, a heap of timed actions, generator processes, token buckets.

Pure Python and deterministic: actions due at the same time run in the order they were
scheduled, and every random draw comes from the one `random.Random` the caller seeds, so a seed
gives the same run on every machine. A process is a generator that yields how long to wait and
returns its result; `yield from` composes them (an invocation yields from each API call it makes).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")
#: a process: yields seconds to wait, returns its result
Process = Generator[float, None, T]


class Simulation:
    """The clock and the agenda; `run` pops actions in time order until none is left."""

    def __init__(self) -> None:
        self.now = 0.0
        self._agenda: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()

    def at(self, time: float, action: Callable[[], None]) -> None:
        heapq.heappush(self._agenda, (max(time, self.now), next(self._order), action))

    def after(self, delay: float, action: Callable[[], None]) -> None:
        self.at(self.now + delay, action)

    def start(self, process: Process[T], done: Callable[[T], None]) -> None:
        """Run `process` from now on; `done` receives what it returns."""
        self._step(process, done)

    def _step(self, process: Process[T], done: Callable[[T], None]) -> None:
        try:
            delay = next(process)
        except StopIteration as finished:
            done(finished.value)
            return
        self.after(delay, lambda: self._step(process, done))

    def run(self) -> float:
        """Process every action; returns the time of the last one."""
        while self._agenda:
            self.now, _, action = heapq.heappop(self._agenda)
            action()
        return self.now


@dataclass(slots=True)
class TokenBucket:
    """A bucket of `capacity` tokens refilled at `rate` a second, full at time 0.

    Guarantee (tests/test_burst.py): over any interval of length t it admits at most
    `capacity + rate * t` requests, however they arrive.
    """

    rate: float
    capacity: float
    tokens: float = field(default=-1.0)
    updated: float = 0.0

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.capacity

    def take(self, now: float) -> bool:
        """Take one token at `now` (never earlier than the last call); False: throttled."""
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
