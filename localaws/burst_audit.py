"""What a reliability burst holds, and its audit: where every finding ended, what was written.

The audit reads the end state in Security Hub (workflow status and note of every finding) and
the write calls botocore's hooks saw on the engine's session (`localaws.reliability`), never
the engine's own report: a forged, excluded or foreign finding counts as acted on as soon as
one write call names its resource, whatever AWS answered.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import boto3

from localaws import estate


class Kind(StrEnum):
    """What a finding of the burst is, and so where it must end."""

    ORDINARY = "ordinary"  # resolved, or notified with the AWS error of a fault
    FORGED = "forged"  # left alone, with a note
    STALE_TAGS = "stale-tags"  # left alone, with a note
    FOREIGN = "foreign"  # notified: nothing was changed


#: Where each kind may end (a dead-lettered event is kept for a person, whatever it held).
ENDINGS = {
    Kind.ORDINARY: {"resolved", "notified", "dead-letter"},
    Kind.FORGED: {"left-alone", "dead-letter"},
    Kind.STALE_TAGS: {"left-alone", "dead-letter"},
    Kind.FOREIGN: {"notified", "dead-letter"},
}
#: What the note on each kind of finding the engine must leave alone says.
NOTES = {
    Kind.FORGED: "not a Security Hub control finding",
    Kind.STALE_TAGS: "exclusion tag",
    Kind.FOREIGN: "nothing was changed",
}


@dataclass
class Burst:
    events: list[dict[str, Any]] = field(default_factory=list)
    resource_of: dict[str, str] = field(default_factory=dict)  # finding id -> bucket / group id
    kind_of: dict[str, Kind] = field(default_factory=dict)  # finding id -> its kind
    denied: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    dead_letters: list[dict[str, Any]] = field(default_factory=list)
    #: write calls naming each resource, whatever botocore retried or AWS answered
    writes: Counter[str] = field(default_factory=Counter)
    #: per resource, the invocations whose writes to it AWS accepted (one fix may take several calls)
    changes: defaultdict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    #: the audit's: each finding lost or ended where its kind must not
    problems: list[str] = field(default_factory=list)
    deliveries: int = 0
    duplicates: int = 0
    invocations: int = 0
    throttled_attempts: int = 0


def audit(burst: Burst) -> dict[str, int]:
    """Where every finding ended (`resolved`, `notified`, `left-alone`, `dead-letter`, `lost`) and
    what was written; `burst.problems` names each finding lost or ended where its kind must not."""
    dead = {event["detail"]["findings"][0]["Id"] for event in burst.dead_letters}
    securityhub = boto3.client("securityhub", region_name=estate.REGION)
    stored = {}
    for page in securityhub.get_paginator("get_findings").paginate():
        stored.update({finding["Id"]: finding for finding in page["Findings"]})
    counts: Counter[str] = Counter()
    for finding_id, resource in burst.resource_of.items():
        kind, workflow = burst.kind_of[finding_id], stored[finding_id]["Workflow"]["Status"]
        note = stored[finding_id].get("Note", {}).get("Text", "")
        ended = _ending(workflow, note, finding_id in dead)
        counts[ended] += 1
        if ended not in ENDINGS[kind] or not _note_explains(kind, ended, note, resource, burst):
            burst.problems.append(f"{kind} finding {finding_id}: {ended}, {workflow} with note {note!r}")
    kinds = Counter(burst.kind_of.values())
    acted_on = Counter(
        kind for finding_id, kind in burst.kind_of.items() if burst.writes[burst.resource_of[finding_id]]
    )
    counts.update(
        changed=sum(1 for by in burst.changes.values() if by),
        changed_twice=sum(1 for by in burst.changes.values() if len(by) > 1),
        forged_acted_on=acted_on[Kind.FORGED],
        excluded_changed=acted_on[Kind.STALE_TAGS],
        foreign_acted_on=acted_on[Kind.FOREIGN],
        deliveries=burst.deliveries,
        duplicates=burst.duplicates,
        invocations=burst.invocations,
        throttled_attempts=burst.throttled_attempts,
        denied=len(burst.denied),
        deleted=len(burst.deleted),
        forged=kinds[Kind.FORGED],
        stale_tags=kinds[Kind.STALE_TAGS],
        foreign=kinds[Kind.FOREIGN],
    )
    return dict(counts)


def _ending(workflow: str, note: str, dead_lettered: bool) -> str:
    if workflow == "RESOLVED":
        return "resolved"
    if workflow == "NOTIFIED" and note:
        return "notified"
    if workflow == "NEW" and note:
        return "left-alone"
    return "dead-letter" if dead_lettered else "lost"


def _note_explains(kind: Kind, ended: str, note: str, resource: str, burst: Burst) -> bool:
    if ended not in ("notified", "left-alone"):
        return True
    if kind is not Kind.ORDINARY:
        return NOTES[kind] in note
    expected = "AccessDenied" if resource in burst.denied else "NoSuch" if resource in burst.deleted else "?"
    return expected in note or "NotFound" in note
