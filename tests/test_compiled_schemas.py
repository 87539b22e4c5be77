"""The compiled validators in model/compiled/ match the schemas they were compiled from, and the
fastjsonschema version that pyproject.toml pins (and the Lambda package ships)."""

from __future__ import annotations

import fastjsonschema

from model.schema import compile_schema, schema_digest
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
