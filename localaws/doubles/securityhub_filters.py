"""``GetFindings`` filter and sort evaluation with AWS semantics, free of moto so it can be unit-tested.

moto 5.x accepts ``Filters`` but returns every finding, so a test that asks for "FAILED control
findings for S3.8" would pass against moto and fail against AWS. This module implements the
subset of ``AwsSecurityFindingFilters`` the engine uses, as documented on ``StringFilter`` and
``MapFilter`` in the botocore model:

* ``EQUALS`` / ``PREFIX`` on one field are ORed; ``NOT_EQUALS`` / ``PREFIX_NOT_EQUALS`` are ANDed;
  ``PREFIX`` may be combined with the negative comparisons (positives first, then exclusions), but
  ``EQUALS`` with a negative comparison on the same field is an error. Different fields are ANDed.
* A field that is a list in ASFF (``ResourceType`` = ``Resources[].Type``) matches a positive
  comparison if any element matches, and a negative one only if no element does.
* Map filters (``ProductFields``, ``UserDefinedFields``, ``ResourceTags``) are grouped by key:
  ``EQUALS`` on the same key ORed, ``NOT_EQUALS`` ANDed, different keys ANDed (the docs only
  show same-key examples; this is the reading that makes ``ControlId=S3.8`` + ``StandardsArn=…``
  an intersection). A missing key satisfies ``NOT_EQUALS``.
* Anything else (other keys, ``CONTAINS``, number and date filters) raises :class:`FilterError`
  instead of being ignored, so a test can never pass on a filter the double did not apply.
  Documented limits are kept: at most 10 attributes and 20 values per attribute.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

#: GetFindings filter key -> ASFF path; ``*`` fans out over a list.
STRING_FILTER_PATHS: dict[str, tuple[str, ...]] = {
    "Id": ("Id",),
    "ProductArn": ("ProductArn",),
    "ProductName": ("ProductName",),
    "CompanyName": ("CompanyName",),
    "AwsAccountId": ("AwsAccountId",),
    "Region": ("Region",),
    "GeneratorId": ("GeneratorId",),
    "Title": ("Title",),
    "Type": ("Types", "*"),
    "SeverityLabel": ("Severity", "Label"),
    "ComplianceStatus": ("Compliance", "Status"),
    "ComplianceSecurityControlId": ("Compliance", "SecurityControlId"),
    "ComplianceAssociatedStandardsId": ("Compliance", "AssociatedStandards", "*", "StandardsId"),
    "RecordState": ("RecordState",),
    "VerificationState": ("VerificationState",),
    "WorkflowStatus": ("Workflow", "Status"),
    "ResourceType": ("Resources", "*", "Type"),
    "ResourceId": ("Resources", "*", "Id"),
    "ResourceRegion": ("Resources", "*", "Region"),
    "ResourcePartition": ("Resources", "*", "Partition"),
}
MAP_FILTER_PATHS: dict[str, tuple[str, ...]] = {
    "ProductFields": ("ProductFields",),
    "UserDefinedFields": ("UserDefinedFields",),
    "ResourceTags": ("Resources", "*", "Tags"),
}
#: SortCriteria fields: every string filter key plus the ASFF timestamps (ISO strings sort by time).
SORT_PATHS: dict[str, tuple[str, ...]] = {
    **STRING_FILTER_PATHS,
    **{name: (name,) for name in ("CreatedAt", "UpdatedAt", "FirstObservedAt", "LastObservedAt")},
}

POSITIVE_STRING = frozenset({"EQUALS", "PREFIX"})
NEGATIVE_STRING = frozenset({"NOT_EQUALS", "PREFIX_NOT_EQUALS"})
MAP_COMPARISONS = frozenset({"EQUALS", "NOT_EQUALS"})
MAX_FILTER_ATTRIBUTES = 10
MAX_FILTER_VALUES = 20


class FilterError(ValueError):
    """The filters are invalid for AWS or use something this double does not implement."""


def values_at(document: Any, path: Sequence[str]) -> list[Any]:
    """All values at ``path`` in an ASFF document; ``*`` fans out over lists, gaps yield nothing."""
    current = [document]
    for step in path:
        following: list[Any] = []
        for node in current:
            if step == "*" and isinstance(node, list):
                following.extend(node)
            elif isinstance(node, Mapping) and node.get(step) is not None:
                following.append(node[step])
        current = following
    return current


def validate_filters(filters: Mapping[str, Any]) -> None:
    """Raise :class:`FilterError` unless every condition is one this double applies faithfully."""
    if len(filters) > MAX_FILTER_ATTRIBUTES:
        raise FilterError(f"Filters may name at most {MAX_FILTER_ATTRIBUTES} attributes")
    for key, conditions in filters.items():
        if key not in STRING_FILTER_PATHS and key not in MAP_FILTER_PATHS:
            raise FilterError(f"Filter key {key!r} is not supported by the test double")
        if not isinstance(conditions, list) or len(conditions) > MAX_FILTER_VALUES:
            raise FilterError(f"Filter {key!r} must be a list of at most {MAX_FILTER_VALUES} conditions")
        allowed = MAP_COMPARISONS if key in MAP_FILTER_PATHS else POSITIVE_STRING | NEGATIVE_STRING
        required = ("Key", "Value", "Comparison") if key in MAP_FILTER_PATHS else ("Value", "Comparison")
        for condition in conditions:
            if not isinstance(condition, Mapping) or any(
                not isinstance(condition.get(field), str) for field in required
            ):
                raise FilterError(f"Filter {key!r} conditions need {', '.join(required)}")
            if condition["Comparison"] not in allowed:
                raise FilterError(f"Comparison {condition['Comparison']!r} is not supported for {key!r}")
        for group in _groups(key, conditions).values():
            comparisons = {condition["Comparison"] for condition in group}
            if "EQUALS" in comparisons and comparisons & NEGATIVE_STRING:
                raise FilterError(f"Filter {key!r} cannot combine EQUALS with a negative comparison")


def _groups(key: str, conditions: Iterable[Mapping[str, str]]) -> dict[str, list[Mapping[str, str]]]:
    """String conditions form one group per field; map conditions one group per map key."""
    groups: dict[str, list[Mapping[str, str]]] = {}
    for condition in conditions:
        group_key = condition.get("Key", "") if key in MAP_FILTER_PATHS else ""
        groups.setdefault(group_key, []).append(condition)
    return groups


def _hits(values: Iterable[Any], comparison: str, wanted: str) -> bool:
    """True when any string value equals (or, for prefix comparisons, starts with) ``wanted``."""
    prefix = comparison.startswith("PREFIX")
    return any(
        isinstance(value, str) and (value.startswith(wanted) if prefix else value == wanted)
        for value in values
    )


def _group_matches(values: list[Any], group: Sequence[Mapping[str, str]]) -> bool:
    positives = [condition for condition in group if condition["Comparison"] in POSITIVE_STRING]
    negatives = [condition for condition in group if condition["Comparison"] not in POSITIVE_STRING]
    if positives and not any(_hits(values, c["Comparison"], c["Value"]) for c in positives):
        return False
    return not any(_hits(values, c["Comparison"], c["Value"]) for c in negatives)


def finding_matches(finding: Mapping[str, Any], filters: Mapping[str, Any]) -> bool:
    """Whether one ASFF finding passes all filters (call :func:`validate_filters` first)."""
    for key, conditions in filters.items():
        for map_key, group in _groups(key, conditions).items():
            if key in MAP_FILTER_PATHS:
                maps = values_at(finding, MAP_FILTER_PATHS[key])
                values = [item[map_key] for item in maps if isinstance(item, Mapping) and map_key in item]
            else:
                values = values_at(finding, STRING_FILTER_PATHS[key])
            if not _group_matches(values, group):
                return False
    return True


def sort_findings(
    findings: list[dict[str, Any]], sort_criteria: Sequence[Mapping[str, str]] | None
) -> list[dict[str, Any]]:
    """Stable multi-key sort; a finding without the field sorts last. Unknown fields raise."""
    ordered = list(findings)
    for criterion in reversed(sort_criteria or []):
        field, order = criterion.get("Field"), criterion.get("SortOrder", "asc")
        if field not in SORT_PATHS or order not in ("asc", "desc"):
            raise FilterError(f"SortCriteria {criterion!r} is not supported by the test double")
        path = SORT_PATHS[field]
        present = [f for f in ordered if values_at(f, path)]
        absent = [f for f in ordered if not values_at(f, path)]
        present.sort(key=lambda f: str(values_at(f, path)[0]), reverse=order == "desc")
        ordered = present + absent
    return ordered
