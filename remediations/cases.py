"""The shape of a remediation's own test cases, which the meta-tests in `tests/` walk.

Each remediation module returns its `Cases` from a function (built only when a test asks, never
at cold start): the states it starts from and the plan expected, the exact AWS calls of a full
path with the refusals to try, revert cases ("stricter since", "changed by someone else since"),
a live case run against moto, and, for a resource some producer names by an id its API does not
take, the lookup of its name. Adding a remediation adds its cases here, in its own module, and no
line to a shared test table.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from model.finding import Resource, ResourceFormat

ACCOUNT = "123456789012"
REGION = "us-east-1"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def resource(type_: str, id_: str, format_: ResourceFormat = ResourceFormat.ASFF) -> Resource:
    """A resource as a finding in the cases' account and region names it."""
    return Resource(type=type_, id=id_, name=id_, account_id=ACCOUNT, region=REGION, format=format_)


def built_by(builder: str, type_: str, **arguments: Any) -> Callable[[Any], Resource]:
    """A live case's setup made by a builder of the local AWS package (`"module:function"`).

    For state no API call can make (moto cannot backdate an access key: the builder ages it in
    moto's backend). The builder is named, not imported, so the remediations' package (what the
    Lambda ships) never imports the local AWS package; a test resolves it when it runs the case.
    `builder(session, **arguments)` returns the ARN of what it made.
    """

    def setup(session: Any) -> Resource:
        module, _, name = builder.partition(":")
        make: Callable[..., str] = getattr(importlib.import_module(module), name)
        return resource(type_, make(session, **arguments))

    return setup


@dataclass(frozen=True)
class Exchange:
    """One AWS call as botocore's Stubber expects it, with AWS's answer (or its error code)."""

    method: str
    params: Mapping[str, Any] = field(default_factory=dict)
    response: Mapping[str, Any] = field(default_factory=dict)
    error: str = ""


@dataclass(frozen=True)
class StubbedCase:
    """A full path, every optional call taken: the reads, then the writes, exactly.

    `refusals` are (index of the call AWS refuses, error code): the remediation must fail with
    that code and make no call after it.
    """

    resource: Resource
    params: Mapping[str, Any]
    calls: tuple[Exchange, ...]
    refusals: tuple[tuple[int, str], ...]
    optional_actions: frozenset[str] = frozenset()  # declared actions only another path calls


@dataclass(frozen=True)
class PlanCase:
    """A state as `read` returns it → the changes planned (`Change.describe()`), none if compliant."""

    title: str
    state: Any
    params: Mapping[str, Any]
    changes: tuple[str, ...]


@dataclass(frozen=True)
class RevertCase:
    """before (read by the fix) → after (left by it) → current (read at undo) → the revert plan.

    `changes` is what the revert changes; `kept` a fragment of the note about a setting it keeps
    because it is stricter now; `conflict`: someone else changed the resource, so the revert
    refuses unless forced (and `forced` is what it changes then).
    """

    title: str
    before: Any
    after: Any
    current: Any
    changes: tuple[str, ...] = ()
    kept: str = ""
    conflict: bool = False
    forced: tuple[str, ...] = ()
    since: str = ""  # "stricter": made stricter since; "changed": changed by someone else since


@dataclass(frozen=True)
class LiveCase:
    """Against moto: `setup(session)` makes the non-compliant resource and returns it as named."""

    setup: Callable[[Any], Resource]
    params: Mapping[str, Any]
    #: compares states after a round trip: e.g. security-group rules get new ids when re-created
    normalize: Callable[[Any], Any] = lambda state: state
    #: id_in(session, made, format): the id a format with a lookup (`Identity.lookups`) names the
    #: made resource by (AWS Config: an RDS instance's `db-…` resource id), for the sample events
    id_in: Callable[[Any, Resource, ResourceFormat], str] | None = None


@dataclass(frozen=True)
class LookupCase:
    """A resource named by an id its API does not take → the one read call → the name found."""

    resource: Resource
    call: Exchange
    name: str


@dataclass(frozen=True)
class Cases:
    """Everything the meta-tests need to check one remediation."""

    plans: tuple[PlanCase, ...]
    stubbed: StubbedCase
    reverts: tuple[RevertCase, ...]
    live: LiveCase
    #: never weaken: is `after` at least as strict as `before` on everything `before` had?
    keeps: Callable[[Any, Any], bool]
    #: resources as each input format names them (ASFF and Config at least), all identifiable
    identities: tuple[tuple[Resource, str], ...] = ()  # (resource, expected name)
    #: why no revert case can start from a stricter state, when none can (say it, do not skip it)
    strictest: str = ""
    #: one per format the identity looks the name up in (`Identity.lookups`)
    lookups: tuple[LookupCase, ...] = ()
    #: what the baseline's SSM parameters hold here, by destination parameter (`Remediation.destinations`):
    #: the stubbed path reads them, the never-weaken check plans with them
    destinations: Mapping[str, str] = field(default_factory=dict)
