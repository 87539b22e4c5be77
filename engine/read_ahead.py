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
finding reads it alone. With a state table the read may come before the finding's claim, so
a resource whose claim shows a change by this engine since shortly before the read (another
delivery's), or an unfinished one, is read again after the claim: a second delivery still
reads as compliant. A plan only ever removes what it read (a rule revoked by its id), so a
change made between the read and the write is never undone: a rule someone revoked meanwhile
fails the call, one someone added is left for the next evaluation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from engine.decide import Decision, decide
from engine.settings import Settings
from model.finding import Finding, Resource
from remediations.base import Remediation, State
from rules.registry import Registry, Rule

if TYPE_CHECKING:  # the journal is imported where a claim is made (engine/process.py)
    from engine.journal import Journal

#: A state read ahead older than this is not used: the finding reads its resource again.
MAX_AGE_SECONDS = 30.0
#: Clocks of two Lambda environments may differ: a change this close before a read counts as after it.
CLOCK_SKEW_SECONDS = 60.0
#: Resources one `read_many` call is given at most (a batch holds at most 100 findings).
GROUP_SIZE = 100
Group = tuple[str, str, str]  # remediation name, account, Region


class ReadAhead:
    """The resources a batch's findings will read, grouped per remediation, account and Region."""

    def __init__(
        self,
        wanted: Mapping[Group, Sequence[str]],
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._unread = {
            group: list(dict.fromkeys(names)) for group, names in wanted.items() if len(names) > 1
        }
        self._states: dict[tuple[Group, str], tuple[float, float, State]] = {}
        self._clock = clock
        self._wall = wall
        self._lock = threading.Lock()

    def take(
        self, remediation: Remediation, resource: Resource, client: Any, journal: Journal | None = None
    ) -> State | None:
        """The resource's state, read with its group on first use; None: read it alone."""
        if not self._unread and not self._states:  # nothing was or will be read ahead (most batches)
            return None
        group = (remediation.name, resource.account_id, resource.region)
        with self._lock:
            names = self._unread.pop(group, None)
            if names and remediation.read_many:
                for start in range(0, len(names), GROUP_SIZE):
                    read_at = self._wall()
                    states = remediation.read_many(client, names[start : start + GROUP_SIZE])
                    now = self._clock()
                    self._states.update(
                        {(group, name): (now, read_at, state) for name, state in states.items()}
                    )
            found = self._states.pop((group, resource.name), None)
        if found is None or self._clock() - found[0] > MAX_AGE_SECONDS or _changed_since(journal, found[1]):
            return None
        return found[2]


def _changed_since(journal: Journal | None, read_at: float) -> bool:
    """Has another delivery changed the resource, or left a change unfinished, since about `read_at`?"""
    if journal is None:
        return False
    record = journal.claim.record
    if record is not None and not record.finished:
        return True
    return any(when >= read_at - CLOCK_SKEW_SECONDS for when in journal.claim.history)


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
    return ReadAhead(wanted) if wanted else _NOTHING


#: The read-ahead of a batch that reads nothing ahead (most): empty for good, so one serves all.
_NOTHING = ReadAhead({})
_CURRENT: ContextVar[ReadAhead | None] = ContextVar("read_ahead", default=None)


def reading_ahead(plan: ReadAhead) -> ReadingAhead:
    """Make `plan` the current invocation's read-ahead (per thread: a sweep runs batches side by side)."""
    return ReadingAhead(plan)


class ReadingAhead:
    """`reading_ahead` as a class: every event enters one, and a `@contextmanager` generator costs
    three times as much to enter and leave."""

    __slots__ = ("_plan", "_token")

    def __init__(self, plan: ReadAhead) -> None:
        self._plan = plan

    def __enter__(self) -> None:
        self._token = _CURRENT.set(self._plan)

    def __exit__(self, *_: object) -> None:
        _CURRENT.reset(self._token)


def read_state(
    remediation: Remediation, resource: Resource, client: Any, params: Any, journal: Journal | None = None
) -> State:
    """The resource's live state: from the current read-ahead where it holds it, else `read`."""
    plan = _CURRENT.get()
    state = plan.take(remediation, resource, client, journal) if plan else None
    return remediation.read(client, resource, params) if state is None else state
