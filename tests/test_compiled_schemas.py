"""The compiled validators in model/compiled/ match the schemas they were compiled from."""

from __future__ import annotations

from model.schema import compile_schema, schema_digest
from tools.compile_schemas import COMPILED, expected_modules, known_schemas


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
