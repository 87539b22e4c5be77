"""Lambda's asynchronous invocation, as documented: the event queue, concurrency, scaling, retries.

EventBridge hands each event to Lambda's asynchronous queue (accepted whatever the function's
concurrency, so the rule's own retry policy is not exercised by a burst). From the queue, Lambda
runs the function when concurrency allows: a function with reserved concurrency up to that
number, others from the account's unreserved pool; a new execution environment also needs the
function's scaling rate (1,000 per 10 s, refilled continuously). An event that finds no
concurrency is throttled and tried again after 1 s, doubling up to 5 min (the jitter is an
assumption), until it is older than the maximum event age. A function error is retried after
1 min, then 2 min, up to the retry attempts. An event that expires or runs out of retries goes to
the on-failure destination: the dead-letter queue. Figures: bench/burst/quotas.py `LAMBDA`.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from bench.burst.calls import Aws, Environment, Finding, Outcome, invocation
from bench.burst.des import Simulation, TokenBucket
from bench.burst.quotas import LAMBDA, LambdaFigures


@dataclass
class Event:
    finding: Finding
    retries: int = 0  # function errors retried so far
    throttles: int = 0  # throttles since the last run, for the backoff
    first_run: float | None = None


@dataclass
class Function:
    name: str
    reserved: int | None
    scaling: TokenBucket
    busy: int = 0
    peak: int = 0
    environments: int = 0
    idle: list[Environment] = field(default_factory=list)


@dataclass
class Tally:
    outcomes: Counter[str] = field(default_factory=Counter)
    dead_letters: Counter[str] = field(default_factory=Counter)
    throttles: int = 0  # runs refused for want of concurrency (the event went back to the queue)
    errors: int = 0  # invocations that failed (timed out or raised)
    peak: int = 0  # concurrent executions of the stack's functions
    longest_wait: float = 0.0  # from arrival to the first run
    last_done: float = 0.0


class LambdaService:
    """The stack's functions in one account and Region."""

    def __init__(
        self,
        sim: Simulation,
        rng: random.Random,
        aws: Aws,
        reserved: Mapping[str, int | None],
        *,
        max_event_age: float,
        retry_attempts: int,
        timeout: float,
        figures: LambdaFigures = LAMBDA,
    ) -> None:
        self.sim, self.rng, self.aws, self.figures = sim, rng, aws, figures
        self.max_event_age, self.retry_attempts, self.timeout = max_event_age, retry_attempts, timeout
        self.functions = {
            name: Function(name, limit, TokenBucket(figures.scaling_per_second, figures.scaling_burst))
            for name, limit in reserved.items()
        }
        self.unreserved = figures.account_concurrency - sum(limit or 0 for limit in reserved.values())
        self.unreserved_busy = 0
        self.busy = 0
        self.tally = Tally()

    def invoke_async(self, finding: Finding) -> None:
        event = Event(finding)
        self.sim.at(finding.arrival, lambda: self._dispatch(event))

    def _dispatch(self, event: Event) -> None:
        now = self.sim.now
        if now - event.finding.arrival > self.max_event_age:
            self._end(event, "dead-letter: expired")
            return
        function = self.functions[event.finding.function]
        free = (
            function.busy < function.reserved
            if function.reserved is not None
            else self.unreserved_busy < self.unreserved
        )
        environment = function.idle.pop() if free and function.idle else None
        if free and environment is None and function.scaling.take(now):
            environment = Environment(function.name)
            function.environments += 1
        if environment is None:
            self._throttle(event)
            return
        self._occupy(function, +1)
        if event.first_run is None:
            event.first_run = now
            self.tally.longest_wait = max(self.tally.longest_wait, now - event.finding.arrival)
        started = now
        self.sim.start(
            invocation(self.aws, environment, event.finding),
            lambda outcome: self._finished(event, function, environment, started, outcome),
        )

    def _throttle(self, event: Event) -> None:
        self.tally.throttles += 1
        figures = self.figures
        delay = min(figures.throttle_first_delay * 2**event.throttles, figures.throttle_max_delay)
        event.throttles += 1
        self.sim.after(delay * self.rng.uniform(0.5, 1.0), lambda: self._dispatch(event))

    def _finished(
        self, event: Event, function: Function, environment: Environment, started: float, outcome: Outcome
    ) -> None:
        self._occupy(function, -1)
        function.idle.append(environment)
        if self.sim.now - started > self.timeout:
            outcome = Outcome.ERROR  # Lambda stops a run at the function's timeout
        if outcome is not Outcome.ERROR:
            self._end(event, outcome.value)
            return
        self.tally.errors += 1
        if event.retries >= self.retry_attempts:
            self._end(event, "dead-letter: retries exhausted")
            return
        delays = self.figures.error_retry_delays
        delay = delays[min(event.retries, len(delays) - 1)]
        event.retries += 1
        event.throttles = 0
        self.sim.after(delay, lambda: self._dispatch(event))

    def _occupy(self, function: Function, change: int) -> None:
        function.busy += change
        function.peak = max(function.peak, function.busy)
        if function.reserved is None:
            self.unreserved_busy += change
        self.busy += change
        self.tally.peak = max(self.tally.peak, self.busy)

    def _end(self, event: Event, how: str) -> None:
        if how.startswith("dead-letter: "):
            self.tally.dead_letters[how.removeprefix("dead-letter: ")] += 1
        else:
            self.tally.outcomes[how] += 1
        self.tally.last_done = max(self.tally.last_done, self.sim.now)
