"""How a remediation declares itself: read → plan → apply, with its schema and permissions.

Keeping the three steps apart is what makes dry-run, idempotency and undo generic: the
engine reads, asks for a plan (a pure function of the state and the parameters), and only
calls `apply` when the plan has changes and writing is allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from model.errors import RegistryError
from model.finding import Resource
from model.outcome import Plan

Params = Mapping[str, Any]
#: read(client, resource, params) -> state. The client is a boto3 client for `service`.
Reader = Callable[[Any, Resource, Params], Any]
#: plan(state, params) -> Plan. Pure: no AWS calls, so dry-run reports exactly what apply does.
Planner = Callable[[Any, Params], Plan]
#: apply(client, resource, plan) -> None.
Applier = Callable[[Any, Resource, Plan], None]


@dataclass(frozen=True, slots=True)
class Remediation:
    """A remediation as the registry knows it."""

    name: str
    service: str  # boto3 client name the engine creates for read and apply
    resource_types: frozenset[str]  # ASFF resource types it acts on
    permissions: tuple[str, ...]  # every IAM action read and apply call
    parameters_schema: Mapping[str, Any]
    read: Reader
    plan: Planner
    apply: Applier
    summary: str = ""
    global_service: bool = False  # IAM: one endpoint, the region does not matter
    defaults: Mapping[str, Any] = field(default_factory=dict)


def object_schema(properties: Mapping[str, Any], required: Iterable[str] = ()) -> dict[str, Any]:
    """A closed JSON Schema object: an unknown parameter is an error, not silently ignored."""
    return {
        "type": "object",
        "properties": dict(properties),
        "required": list(required),
        "additionalProperties": False,
    }


def build_catalog(remediations: Iterable[Remediation]) -> dict[str, Remediation]:
    """Index remediations by name; a duplicate name is an error, never an overwrite."""
    catalog: dict[str, Remediation] = {}
    for remediation in remediations:
        if remediation.name in catalog:
            raise RegistryError(f"remediation {remediation.name!r} is declared twice")
        if not remediation.permissions:
            raise RegistryError(f"remediation {remediation.name!r} declares no IAM permissions")
        catalog[remediation.name] = remediation
    return catalog
