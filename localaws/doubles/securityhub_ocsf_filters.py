"""``GetFindingsV2`` filters (``OcsfFindingFilters``) and sort over OCSF findings, free of moto.

Follows the API reference (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetFindingsV2.html,
``API_OcsfFindingFilters``, ``API_CompositeFilter``, ``API_OcsfStringFilter`` …) and the botocore
model's enums:

* ``Filters.CompositeFilters`` (at most 10) are combined with ``CompositeOperator`` (default
  ``AND``); inside one composite every condition (each string, number, date, boolean and map
  filter, and each nested composite) is combined with its ``Operator`` (default ``AND``). Each
  filter list holds at most 20 filters.
* ``FieldName`` must be one the model lists for its filter kind, ``Comparison`` one of its enum;
  anything else is an error (``ValidationException``), never silently ignored.
* A field is a dotted OCSF path; a path through a list (``resources.uid``, ``compliance.standards``)
  fans out, so a positive comparison (``EQUALS``, ``PREFIX``, ``CONTAINS``, ``CONTAINS_WORD``)
  holds when any value matches and a negative one (``NOT_EQUALS``, ``PREFIX_NOT_EQUALS``,
  ``NOT_CONTAINS``) when none does, a missing field included. Values are case-sensitive.
* Number filters: every bound given (``Eq``, ``Gt``, ``Gte``, ``Lt``, ``Lte``) must hold.
  Date filters: ``Start``/``End`` (ISO 8601, inclusive) or ``DateRange`` ``{Value, Unit: DAYS}``
  back from now. Map filters compare one key of an OCSF tag list (``[{name, value}]``) or map.
* ``IpFilters`` and organisation ``Scopes`` are not implemented: they raise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import botocore.session

MAX_COMPOSITE_FILTERS = 10
MAX_FILTERS_PER_KIND = 20
POSITIVE = frozenset({"EQUALS", "PREFIX", "CONTAINS", "CONTAINS_WORD"})
NEGATIVE = frozenset({"NOT_EQUALS", "PREFIX_NOT_EQUALS", "NOT_CONTAINS"})
NUMBER_BOUNDS = ("Eq", "Gt", "Gte", "Lt", "Lte")
OPERATORS = ("AND", "OR")
_KINDS = {
    "StringFilters": "OcsfStringField",
    "NumberFilters": "OcsfNumberField",
    "DateFilters": "OcsfDateField",
    "BooleanFilters": "OcsfBooleanField",
    "MapFilters": "OcsfMapField",
}


class OcsfFilterError(ValueError):
    """A filter the API would refuse, or one the double cannot apply."""


@cache
def field_names(shape: str) -> frozenset[str]:
    """The field names the botocore model allows for a filter kind."""
    model = botocore.session.get_session().get_service_model("securityhub")
    names: list[str] = model.shape_for(shape).enum  # type: ignore[attr-defined]  # a StringShape
    return frozenset(names)


def values_at(document: Any, path: str) -> list[Any]:
    """Every value at a dotted path, fanning out over lists; [] when absent."""
    current = [document]
    for name in path.split("."):
        found: list[Any] = []
        for value in current:
            items = value if isinstance(value, list) else [value]
            found += [item[name] for item in items if isinstance(item, Mapping) and name in item]
        current = found
    return [item for value in current for item in (value if isinstance(value, list) else [value])]


def validate(filters: Mapping[str, Any]) -> None:
    """Raise `OcsfFilterError` for a filter the API refuses or the double does not apply."""
    composites = filters.get("CompositeFilters") or []
    if len(composites) > MAX_COMPOSITE_FILTERS:
        raise OcsfFilterError(f"at most {MAX_COMPOSITE_FILTERS} CompositeFilters")
    if filters.get("CompositeOperator", "AND") not in OPERATORS:
        raise OcsfFilterError("CompositeOperator must be AND or OR")
    for composite in composites:
        _validate_composite(composite)


def _validate_composite(composite: Mapping[str, Any]) -> None:
    if composite.get("IpFilters"):
        raise OcsfFilterError("IpFilters are not implemented by the double")
    if composite.get("Operator", "AND") not in OPERATORS:
        raise OcsfFilterError("Operator must be AND or OR")
    for kind, shape in _KINDS.items():
        entries = composite.get(kind) or []
        if len(entries) > MAX_FILTERS_PER_KIND:
            raise OcsfFilterError(f"at most {MAX_FILTERS_PER_KIND} {kind} in a composite filter")
        for entry in entries:
            if entry.get("FieldName") not in field_names(shape):
                raise OcsfFilterError(f"{kind}: {entry.get('FieldName')!r} is not a field {shape} allows")
            _validate_filter(kind, entry.get("Filter") or {})
    for nested in composite.get("NestedCompositeFilters") or []:
        _validate_composite(nested)


def _validate_filter(kind: str, condition: Mapping[str, Any]) -> None:
    if kind in ("StringFilters", "MapFilters"):
        if condition.get("Comparison") not in (POSITIVE | NEGATIVE):
            raise OcsfFilterError(f"{kind}: unknown Comparison {condition.get('Comparison')!r}")
        if kind == "MapFilters" and condition["Comparison"] in (
            "PREFIX",
            "PREFIX_NOT_EQUALS",
            "CONTAINS_WORD",
        ):
            raise OcsfFilterError(f"MapFilters: Comparison {condition['Comparison']} is not allowed")
    elif kind == "NumberFilters" and not any(bound in condition for bound in NUMBER_BOUNDS):
        raise OcsfFilterError("NumberFilters: give at least one of Eq, Gt, Gte, Lt, Lte")
    elif kind == "DateFilters" and not (
        "Start" in condition or "End" in condition or condition.get("DateRange", {}).get("Unit") == "DAYS"
    ):
        raise OcsfFilterError("DateFilters: give Start, End or a DateRange in DAYS")
    elif kind == "BooleanFilters" and not isinstance(condition.get("Value"), bool):
        raise OcsfFilterError("BooleanFilters: Value must be true or false")


def matches(finding: Mapping[str, Any], filters: Mapping[str, Any], now: datetime | None = None) -> bool:
    composites = filters.get("CompositeFilters") or []
    if not composites:
        return True
    results = (_composite(finding, composite, now or datetime.now(UTC)) for composite in composites)
    return all(results) if filters.get("CompositeOperator", "AND") == "AND" else any(results)


def _composite(finding: Mapping[str, Any], composite: Mapping[str, Any], now: datetime) -> bool:
    results = list(_conditions(finding, composite, now))
    if not results:
        return True
    return all(results) if composite.get("Operator", "AND") == "AND" else any(results)


def _conditions(finding: Mapping[str, Any], composite: Mapping[str, Any], now: datetime) -> Iterator[bool]:
    for entry in composite.get("StringFilters") or []:
        yield _string(values_at(finding, entry["FieldName"]), entry["Filter"])
    for entry in composite.get("NumberFilters") or []:
        yield _number(values_at(finding, entry["FieldName"]), entry["Filter"])
    for entry in composite.get("DateFilters") or []:
        yield _date(values_at(finding, entry["FieldName"]), entry["Filter"], now)
    for entry in composite.get("BooleanFilters") or []:
        yield entry["Filter"]["Value"] in values_at(finding, entry["FieldName"])
    for entry in composite.get("MapFilters") or []:
        yield _map(values_at(finding, entry["FieldName"]), entry["Filter"])
    for nested in composite.get("NestedCompositeFilters") or []:
        yield _composite(finding, nested, now)


def _compare(value: Any, wanted: str, comparison: str) -> bool:
    text = str(value)
    if comparison in ("EQUALS", "NOT_EQUALS"):
        return text == wanted
    if comparison in ("PREFIX", "PREFIX_NOT_EQUALS"):
        return text.startswith(wanted)
    if comparison == "CONTAINS_WORD":
        return re.search(rf"\b{re.escape(wanted)}\b", text) is not None
    return wanted in text  # CONTAINS, NOT_CONTAINS


def _string(values: Sequence[Any], condition: Mapping[str, Any]) -> bool:
    comparison = condition["Comparison"]
    hit = any(_compare(value, condition["Value"], comparison) for value in values)
    return hit if comparison in POSITIVE else not hit


def _number(values: Sequence[Any], condition: Mapping[str, Any]) -> bool:
    checks = {
        "Eq": lambda v, b: v == b,
        "Gt": lambda v, b: v > b,
        "Gte": lambda v, b: v >= b,
        "Lt": lambda v, b: v < b,
        "Lte": lambda v, b: v <= b,
    }
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    return any(
        all(checks[bound](number, condition[bound]) for bound in NUMBER_BOUNDS if bound in condition)
        for number in numbers
    )


def _instant(text: Any) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _date(values: Sequence[Any], condition: Mapping[str, Any], now: datetime) -> bool:
    start, end = _instant(condition.get("Start")), _instant(condition.get("End"))
    if "DateRange" in condition:
        start, end = now - timedelta(days=int(condition["DateRange"]["Value"])), now
    instants = [instant for value in values if (instant := _instant(value)) is not None]
    return any((start is None or start <= t) and (end is None or t <= end) for t in instants)


def _map(values: Sequence[Any], condition: Mapping[str, Any]) -> bool:
    """Values under ``Key``: OCSF tag lists (``{name, value}``) or plain maps."""
    key, comparison = condition["Key"], condition["Comparison"]
    found = [
        item.get("value") if "name" in item else item.get(key)
        for item in values
        if isinstance(item, Mapping) and (item.get("name") == key or ("name" not in item and key in item))
    ]
    hit = any(value is not None and _compare(value, condition["Value"], comparison) for value in found)
    return hit if comparison in POSITIVE else not hit


def sort(
    findings: list[dict[str, Any]], criteria: Sequence[Mapping[str, str]] | None
) -> list[dict[str, Any]]:
    """Stable sort by each criterion's dotted ``Field`` (first value), last criterion applied first."""
    ordered = list(findings)
    for criterion in reversed(criteria or []):
        field, descending = criterion.get("Field", ""), criterion.get("SortOrder", "asc") == "desc"
        if not field:
            raise OcsfFilterError("SortCriteria: Field is required")
        present = [f for f in ordered if values_at(f, field)]
        absent = [f for f in ordered if not values_at(f, field)]
        present.sort(key=lambda f: str(values_at(f, field)[0]), reverse=descending)
        ordered = present + absent
    return ordered
