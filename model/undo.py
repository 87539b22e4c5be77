"""The undo record: what the engine changed, written by the engine when it changes a resource.

It keeps the state read before the change and the state the change left, not a request to
replay: `remediator undo` reads the resource again and plans the way back from these two
(the remediation's `revert`), so a setting someone made stricter since is kept and a resource
someone else changed since is not overwritten blindly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from model.finding import Resource, ResourceFormat


@dataclass(frozen=True, slots=True)
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
