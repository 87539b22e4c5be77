"""Read a batch's resources in one call where the remediation can, instead of one call each.

A batch of findings (a sweep's, a custom action's) often names many resources of one kind in
one account and Region: 100 security groups cost 100 DescribeSecurityGroupRules calls read one
by one, and one call read together (`Remediation.read_many`). Before the findings run, the
engine notes which resources such remediations will read (`plan_read_ahead`: the same pure
`decide` the findings then go through); the first finding that reads one of them reads the
whole group, and the others take their state from it.

What stays guaranteed: each fix still reads the live state before it writes, in the same
invocation. A state read ahead serves one finding only (a second finding for the same
resource, one per standard, reads again after the first one's write), and only within
`MAX_AGE_SECONDS` of its read; past that, or when the group's read left the resource out, the
finding reads it alone. A plan only ever removes what it read (a rule revoked by its id), so a
change made between the read and the write is never undone: a rule someone revoked meanwhile
fails the call, one someone added is left for the next evaluation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from engine.decide import Decision, decide
from engine.settings import Settings
from model.finding import Finding, Resource
from remediations.base import Remediation, State
from rules.registry import Registry, Rule

#: A state read ahead older than this is not used: the finding reads its resource again.
MAX_AGE_SECONDS = 30.0
#: Resources one `read_many` call is given at most (a batch holds at most 100 findings).
GROUP_SIZE = 100
Group = tuple[str, str, str]  # remediation name, account, Region


class ReadAhead:
    """The resources a batch's findings will read, grouped per remediation, account and Region."""

    def __init__(self, wanted: Mapping[Group, Sequence[str]], clock: Callable[[], float] = time.monotonic):
        self._unread = {
            group: list(dict.fromkeys(names)) for group, names in wanted.items() if len(names) > 1
        }
        self._states: dict[tuple[Group, str], tuple[float, State]] = {}
        self._clock = clock
        self._lock = threading.Lock()

    def take(self, remediation: Remediation, resource: Resource, client: Any) -> State | None:
        """The resource's state, read with its group on first use; None: read it alone."""
        group = (remediation.name, resource.account_id, resource.region)
        with self._lock:
            names = self._unread.pop(group, None)
            if names and remediation.read_many:
                for start in range(0, len(names), GROUP_SIZE):
                    states = remediation.read_many(client, names[start : start + GROUP_SIZE])
                    now = self._clock()
                    self._states.update({(group, name): (now, state) for name, state in states.items()})
            found = self._states.pop((group, resource.name), None)
        if found is None or self._clock() - found[0] > MAX_AGE_SECONDS:
            return None
        return found[1]


def plan_read_ahead(findings: Iterable[Finding], registry: Registry, settings: Settings) -> ReadAhead:
    """Which resources the findings' remediations will read, where a remediation reads many at once."""
    wanted: dict[Group, list[str]] = {}
    for finding in findings:
        rule = registry.match(finding.lookup_keys)
        if not isinstance(rule, Rule) or rule.remediation.read_many is None:
            continue
        decision = decide(finding, rule, settings)
        if not isinstance(decision, Decision) or rule.remediation.identity.needs_lookup(decision.resource):
            continue
        resource = decision.resource
        wanted.setdefault((rule.remediation.name, resource.account_id, resource.region), []).append(
            resource.name
        )
    return ReadAhead(wanted)


_CURRENT: ContextVar[ReadAhead | None] = ContextVar("read_ahead", default=None)


@contextmanager
def reading_ahead(plan: ReadAhead) -> Iterator[None]:
    """Make `plan` the current invocation's read-ahead (per thread: a sweep runs batches side by side)."""
    token = _CURRENT.set(plan)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def read_state(remediation: Remediation, resource: Resource, client: Any, params: Any) -> State:
    """The resource's live state: from the current read-ahead where it holds it, else `read`."""
    plan = _CURRENT.get()
    state = plan.take(remediation, resource, client) if plan else None
    return remediation.read(client, resource, params) if state is None else state
