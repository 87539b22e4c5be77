"""The compiled validators in model/compiled/ match the schemas they were compiled from, and the
fastjsonschema version that pyproject.toml pins (and the Lambda package ships)."""

from __future__ import annotations

from typing import Any

import fastjsonschema

from model.schema import compile_schema, compiled_source, schema_digest
from tools.compile_schemas import COMPILED, expected_modules, known_schemas, pinned_fastjsonschema


def test_compiled_by_the_version_pyproject_pins() -> None:
    pinned = pinned_fastjsonschema()
    assert pinned == fastjsonschema.VERSION, f"pyproject.toml pins fastjsonschema {pinned}: run `make venv`"
    for path in COMPILED.glob("v*.py"):
        assert f'\nVERSION = "{pinned}"\n' in path.read_text(encoding="utf-8"), (
            f"{path.name}: run `make schemas`"
        )


def test_compiled_validators_are_up_to_date() -> None:
    expected = expected_modules()
    present = {path.name: path.read_text(encoding="utf-8") for path in COMPILED.glob("v*.py")}
    stale = sorted(set(present) ^ set(expected))
    changed = sorted(name for name in expected if name in present and present[name] != expected[name])
    assert not stale and not changed, f"run `make schemas`: missing or stale {stale}, changed {changed}"


def test_every_known_schema_loads_its_compiled_module() -> None:
    for schema in known_schemas():
        validator = compile_schema(schema)
        assert validator.__module__ == f"model.compiled.v{schema_digest(schema)}"


def test_key_sets_dropped_only_where_nothing_else_reads_them() -> None:
    """`without_unused_key_sets` keeps fastjsonschema's answers: same values pass, same fail."""
    schema = {
        "type": "object",
        "required": ["a"],
        "properties": {
            "a": {"type": "string"},
            "b": {"type": "object", "properties": {"c": {"type": "integer"}}, "additionalProperties": False},
            "d": {"type": "object", "properties": {"e": {"type": "string"}}},
        },
        "patternProperties": {"^x-": {"type": "boolean"}},
    }
    code = compiled_source(schema)
    assert "data__d_keys" not in code  # only asked "is e there?": asked of the dict
    assert "data__b_keys" in code and "data_keys" in code  # read for additionalProperties / patterns
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    reference = fastjsonschema.compile(schema)
    values = [
        {"a": "1"},
        {"a": "1", "b": {"c": 1}, "d": {"e": "f", "g": 1}, "x-y": True},
        {"a": 1},
        {"b": {}},
        {"a": "1", "b": {"c": 1, "z": 2}},
        {"a": "1", "d": {"e": 2}},
        {"a": "1", "x-y": "no"},
        [],
    ]
    for value in values:
        assert _verdict(namespace["validate"], value) == _verdict(reference, value), value


def _verdict(validate: Any, value: Any) -> str:
    try:
        validate(value)
    except ValueError as error:  # both exception classes are ValueErrors
        return str(error)
    return "valid"
