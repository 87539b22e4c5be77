"""The undo record: what the engine changed, written by the engine before it changes a resource.

The record is written ahead (`status` "intent", with the calls about to be made), updated after
each call of a plan with several (`applied`), and closed with the outcome ("done", "partial"
when a call failed after others succeeded, "failed" when none did). A later delivery that finds
an unfinished record keeps its `before`: the state before this engine's first change is never
replaced by a half-changed one. It keeps the state read before the change and the state the change left, not a request to
replay: `remediator undo` reads the resource again and plans the way back from these two
(the remediation's `revert`), so a setting someone made stricter since is kept and a resource
someone else changed since is not overwritten blindly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from model.finding import Resource, ResourceFormat

INTENT, DONE, PARTIAL, FAILED = "intent", "done", "partial", "failed"


@dataclass(frozen=True)
class UndoRecord:
    finding_id: str
    remediation: str
    rule_id: str
    account_id: str
    region: str
    resource_type: str
    resource_id: str
    resource_name: str
    resource_arn: str | None
    resource_format: str
    partition: str
    parameters: dict[str, Any]  # the rule's, as the fix used them: `read` may depend on them
    before: Any
    after: Any
    changed_at: float
    status: str = DONE  # records written before write-ahead existed were only ever written when done
    applied: int = 0  # calls of `calls` known to have succeeded
    calls: list[dict[str, Any]] = field(default_factory=list)  # the plan's calls, as reported
    changes: list[str] = field(default_factory=list)  # the plan's changes, described
    #: How the finding reached the engine (`engine.journal.delivery_of`) and its control id, for
    #: `remediator history`; "" in records written before they were kept.
    delivery: str = ""
    control_id: str = ""

    @property
    def finished(self) -> bool:
        """Was the change seen through? An unfinished record's `before` outlives later attempts."""
        return self.status == DONE

    @property
    def changed_anything(self) -> bool:
        return self.status == DONE or self.applied > 0

    @classmethod
    def of(
        cls,
        *,
        finding_id: str,
        remediation: str,
        rule_id: str,
        resource: Resource,
        parameters: Mapping[str, Any],
        before: Any,
        after: Any,
        changed_at: float,
        calls: list[dict[str, Any]] | None = None,
        changes: list[str] | None = None,
        delivery: str = "",
        control_id: str = "",
    ) -> UndoRecord:
        return cls(
            finding_id=finding_id,
            remediation=remediation,
            rule_id=rule_id,
            account_id=resource.account_id,
            region=resource.region,
            resource_type=resource.type,
            resource_id=resource.id,
            resource_name=resource.name,
            resource_arn=resource.arn,
            resource_format=resource.format.value,
            partition=resource.partition,
            parameters=dict(parameters),
            before=before,
            after=after,
            changed_at=changed_at,
            status=INTENT,
            calls=list(calls or []),
            changes=list(changes or []),
            delivery=delivery,
            control_id=control_id,
        )

    @property
    def resource(self) -> Resource:
        """The resource as the engine identified it when it made the change."""
        return Resource(
            type=self.resource_type,
            id=self.resource_id,
            name=self.resource_name,
            account_id=self.account_id,
            region=self.region,
            partition=self.partition,
            arn=self.resource_arn,
            format=ResourceFormat(self.resource_format),
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> UndoRecord:
        """Read a stored record; fields a newer version added and this one lacks are left out."""
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})
