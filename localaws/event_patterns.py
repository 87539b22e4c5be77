"""A small EventBridge event-pattern matcher, for routing events as the deployed rules would.

Why: moto's matcher cannot look inside arrays, yet every Security Hub pattern filters on
``detail.findings`` (a list). This follows the Amazon EventBridge User Guide
(https://docs.aws.amazon.com/eventbridge/latest/userguide/<page>), so a pattern fails here for the
reason AWS would fail it:

- eb-event-patterns.html, eb-create-pattern.html: a leaf is a list of allowed values (OR), sibling
  fields AND, every pattern field must be in the event with the same nesting. Keys are joined with
  "." when compiled, so ``{"a": {"b": ..}}`` and ``{"a.b": ..}`` are one path in patterns and events.
  Numbers match by JSON representation (300, 300.0 and 3.0e2 differ; after ``json.loads`` only
  int-vs-float is left to compare). A key given twice keeps its last value, as ``json.loads`` does.
- eb-event-patterns-arrays.html: an event array matches if it intersects the pattern list. Arrays,
  arrays of objects included, are crushed: ``detail.findings[].Workflow.Status`` is the path
  ``detail.findings.Workflow.Status``. Each field is tested on its own; the guide does not promise
  that two fields match in the same element (the Event Ruler engine's README says it does).
- eb-event-patterns-null-values.html: ``[null]`` and ``[""]`` are different values.
- eb-event-patterns-content-based-filtering.html / eb-create-pattern-operators.html: prefix and
  suffix (each also with equals-ignore-case), equals-ignore-case, wildcard, anything-but (value,
  list, prefix/suffix/equals-ignore-case/wildcard), numeric (bounds within +-5.0e9), cidr, exists,
  ``$or`` (over 1000 combinations is invalid). Exists looks at leaf nodes only: a field holding an
  object or an empty array has no leaf, so ``exists: false`` matches it.
- Where the guide is silent: anything-but needs the field present but accepts null or another type
  (AWS-recorded fixtures in localstack ``tests/aws/services/events``); wildcard escapes (``\\*``
  star, ``\\\\`` backslash, no ``**``) follow the github.com/aws/event-ruler README.
"""

from __future__ import annotations

import ipaddress
import math
import operator as op
import re
from collections.abc import Mapping
from functools import cache
from typing import Any, Final

__all__ = ["InvalidPatternError", "matches", "validate_pattern"]

MAX_OR_COMBINATIONS: Final = 1000
NUMERIC_LIMIT: Final = 5.0e9
_STRING_OPERATORS: Final = frozenset({"prefix", "suffix", "equals-ignore-case", "wildcard"})
_OPERATORS: Final = _STRING_OPERATORS | {"anything-but", "numeric", "exists", "cidr"}
_COMPARISONS: Final = {"<": op.lt, "<=": op.le, "=": op.eq, ">": op.gt, ">=": op.ge}


class InvalidPatternError(ValueError):
    """The pattern would be refused by PutRule/TestEventPattern (InvalidEventPatternException)."""


def matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """Whether ``event`` matches ``pattern``; raises InvalidPatternError for a malformed pattern."""
    validate_pattern(pattern)
    leaves: dict[str, list[Any]] = {}
    _flatten(event, "", leaves)
    return _object_matches(pattern, "", leaves)


def validate_pattern(pattern: Any) -> None:
    """Raise InvalidPatternError unless ``pattern`` is a well-formed event pattern."""
    if not isinstance(pattern, Mapping):
        raise InvalidPatternError("an event pattern must be a JSON object")
    if _check_object(pattern, "") > MAX_OR_COMBINATIONS:
        raise InvalidPatternError(f"$or produces more than {MAX_OR_COMBINATIONS} rule combinations")


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _flatten(value: Any, path: str, leaves: dict[str, list[Any]]) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            _flatten(child, _join(path, str(key)), leaves)
    elif isinstance(value, list | tuple):
        for element in value:
            _flatten(element, path, leaves)
    else:
        leaves.setdefault(path, []).append(value)


def _object_matches(pattern: Mapping[str, Any], prefix: str, leaves: dict[str, list[Any]]) -> bool:
    for key, spec in pattern.items():
        if key == "$or":
            found = any(_object_matches(branch, prefix, leaves) for branch in spec)
        elif isinstance(spec, Mapping):
            found = _object_matches(spec, _join(prefix, key), leaves)
        else:
            values = leaves.get(_join(prefix, key), [])
            found = any(_condition_matches(condition, values) for condition in spec)
        if not found:
            return False
    return True


def _condition_matches(condition: Any, values: list[Any]) -> bool:
    if isinstance(condition, Mapping) and "exists" in condition:
        return bool(values) is condition["exists"]
    return any(_value_matches(condition, value) for value in values)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _value_matches(condition: Any, value: Any) -> bool:
    if not isinstance(condition, Mapping):
        if _is_number(condition):
            return _is_number(value) and type(value) is type(condition) and value == condition
        if condition is None or isinstance(condition, bool):
            return value is condition
        return isinstance(value, str) and value == condition
    ((operator, argument),) = condition.items()
    if operator == "anything-but":
        return not _excluded(argument, value)
    if operator == "numeric":
        return _is_number(value) and all(
            _COMPARISONS[argument[i]](value, argument[i + 1]) for i in range(0, len(argument), 2)
        )
    if not isinstance(value, str):
        return False
    if operator == "cidr":
        try:
            return ipaddress.ip_address(value) in ipaddress.ip_network(argument, strict=False)
        except ValueError:
            return False
    if isinstance(argument, Mapping):  # {"prefix"/"suffix": {"equals-ignore-case": "..."}}
        return _string_matches(operator, argument["equals-ignore-case"].lower(), value.lower())
    return _string_matches(operator, argument, value)


def _string_matches(operator: str, argument: str, value: str) -> bool:
    if operator == "prefix":
        return value.startswith(argument)
    if operator == "suffix":
        return value.endswith(argument)
    if operator == "equals-ignore-case":
        return value.lower() == argument.lower()
    return _wildcard_regex(argument).fullmatch(value) is not None


def _excluded(argument: Any, value: Any) -> bool:
    if isinstance(argument, Mapping):
        ((operator, operands),) = argument.items()
        operands = [operands] if isinstance(operands, str) else operands
        return isinstance(value, str) and any(_string_matches(operator, o, value) for o in operands)
    operands = argument if isinstance(argument, list) else [argument]
    return any(_value_matches(operand, value) for operand in operands)


@cache
def _wildcard_regex(wildcard: str) -> re.Pattern[str]:
    parts: list[str] = []
    for token in re.findall(r"\\.|.", wildcard, re.DOTALL):
        if token.startswith("\\") and token not in ("\\*", "\\\\"):
            raise InvalidPatternError(f"wildcard {wildcard!r}: a backslash may only escape * or \\")
        if token == "*" and parts[-1:] == [".*"]:
            raise InvalidPatternError(f"wildcard {wildcard!r}: consecutive wildcard characters")
        parts.append(".*" if token == "*" else re.escape(token[-1]))
    return re.compile("".join(parts), re.DOTALL)


def _check_object(pattern: Mapping[Any, Any], where: str) -> int:
    """Validate one pattern object; return how many rule combinations its ``$or``s expand to."""
    if not pattern:
        raise InvalidPatternError(f"{where or 'pattern'}: empty objects are not allowed")
    combinations = 1
    for key, spec in pattern.items():
        path = _join(where, str(key))
        if not isinstance(key, str):
            raise InvalidPatternError(f"{path}: field names must be strings")
        if key == "$or":
            if not isinstance(spec, list) or len(spec) < 2:
                raise InvalidPatternError(f"{path}: must be a list of at least two objects")
            if not all(isinstance(branch, Mapping) for branch in spec):
                raise InvalidPatternError(f"{path}: only objects are allowed in $or")
            combinations *= sum(_check_object(branch, where) for branch in spec)
        elif isinstance(spec, Mapping):
            combinations *= _check_object(spec, path)
        elif isinstance(spec, list):
            if not spec:
                raise InvalidPatternError(f"{path}: empty arrays are not allowed")
            for condition in spec:
                _check_condition(condition, path)
        else:
            raise InvalidPatternError(f"{path}: must be an object or an array (leaf values are lists)")
    return combinations


def _check_condition(condition: Any, path: str) -> None:
    if condition is None or isinstance(condition, str | bool):
        return
    if _is_number(condition):
        _check_finite(condition, path)
        return
    if not isinstance(condition, Mapping) or len(condition) != 1:
        raise InvalidPatternError(f"{path}: {condition!r} is not a value or a one-key operator object")
    ((operator, argument),) = condition.items()
    if operator not in _OPERATORS:
        raise InvalidPatternError(f"{path}: unknown operator {operator!r}")
    if operator == "exists" and not isinstance(argument, bool):
        raise InvalidPatternError(f"{path}: exists takes true or false")
    if operator == "numeric":
        _check_numeric(argument, path)
    if operator == "cidr":
        try:
            ipaddress.ip_network(argument if isinstance(argument, str) else "", strict=False)
        except ValueError as error:
            raise InvalidPatternError(f"{path}: bad cidr {argument!r}") from error
    if operator in ("prefix", "suffix") and isinstance(argument, Mapping):
        if list(argument) != ["equals-ignore-case"] or not isinstance(argument["equals-ignore-case"], str):
            raise InvalidPatternError(f"{path}: {operator} takes a string or {{equals-ignore-case: str}}")
    elif operator in _STRING_OPERATORS:
        _check_strings([argument], operator, path)
    if operator == "anything-but":
        _check_anything_but(argument, path)


def _check_strings(operands: list[Any], operator: str, path: str) -> None:
    for operand in operands:
        if not isinstance(operand, str):
            raise InvalidPatternError(f"{path}: {operator} takes strings, not {operand!r}")
        if operator == "wildcard":
            _wildcard_regex(operand)


def _check_anything_but(argument: Any, path: str) -> None:
    if isinstance(argument, Mapping):
        if len(argument) != 1 or next(iter(argument)) not in _STRING_OPERATORS:
            raise InvalidPatternError(f"{path}: anything-but object takes one of {sorted(_STRING_OPERATORS)}")
        ((operator, operands),) = argument.items()
        operands = [operands] if isinstance(operands, str) else operands
        if not isinstance(operands, list) or not operands:
            raise InvalidPatternError(f"{path}: anything-but {operator} takes a string or a list of strings")
        _check_strings(operands, operator, path)
        if operator in ("prefix", "suffix") and "" in operands:
            raise InvalidPatternError(f"{path}: anything-but {operator} cannot be empty")
        return
    operands = argument if isinstance(argument, list) else [argument]
    numbers = all(_is_number(operand) and math.isfinite(operand) for operand in operands)
    if not operands or not (numbers or all(isinstance(operand, str) for operand in operands)):
        raise InvalidPatternError(f"{path}: anything-but takes strings only or numbers only")


def _check_numeric(argument: Any, path: str) -> None:
    if not isinstance(argument, list) or len(argument) not in (2, 4):
        raise InvalidPatternError(f"{path}: numeric takes [op, n] or [lower-op, n, upper-op, m]")
    operators, bounds = [str(o) for o in argument[0::2]], argument[1::2]
    for bound in bounds:
        if not _is_number(bound):
            raise InvalidPatternError(f"{path}: numeric bound {bound!r} is not a number")
        _check_finite(bound, path)
        if abs(bound) > NUMERIC_LIMIT:
            raise InvalidPatternError(f"{path}: numeric bound {bound!r} is outside +-5.0e9")
    valid = (
        (operators[0] in (">", ">=") and operators[1] in ("<", "<=") and bounds[0] < bounds[1])
        if len(operators) == 2
        else operators[0] in _COMPARISONS
    )
    if not valid:
        raise InvalidPatternError(f"{path}: bad numeric expression {argument!r}")


def _check_finite(number: float, path: str) -> None:
    if not math.isfinite(number):
        raise InvalidPatternError(f"{path}: {number!r} is not a JSON number")
