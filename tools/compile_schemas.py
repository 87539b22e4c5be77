"""Compile every JSON Schema the engine loads into `model/compiled/` (`make schemas`).

The schemas: the rule registry's, the event schemas in `engine/schemas/`, and each
remediation's parameter schema. Stale modules are removed, so the folder always matches.
The generated code depends on fastjsonschema's version, so pyproject.toml pins it exactly and
this refuses to run with any other version installed.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import fastjsonschema

from model.schema import compiled_source, schema_digest
from remediations import catalog
from rules.modes import ENVIRONMENTS_SCHEMA_PATH
from rules.registry import SCHEMA_PATH

ROOT = Path(__file__).resolve().parents[1]
COMPILED = ROOT / "model" / "compiled"


def pinned_fastjsonschema() -> str:
    """The fastjsonschema version pyproject.toml pins with `==`."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirement in project["dependencies"]:
        if match := re.fullmatch(r"fastjsonschema==([\w.]+)", requirement.replace(" ", "")):
            return match.group(1)
    raise LookupError("pyproject.toml must pin fastjsonschema with == (model/compiled/ is its output)")


def known_schemas(families: frozenset[str] = frozenset()) -> list[Mapping[str, Any]]:
    """The event schemas, the registry's, and the parameter schemas of `families` (none: all).

    `deploy/package.py` ships a family's function with the validators of these alone.
    """
    paths = [SCHEMA_PATH, ENVIRONMENTS_SCHEMA_PATH, *sorted((ROOT / "engine" / "schemas").glob("*.json"))]
    schemas: list[Mapping[str, Any]] = [json.loads(path.read_text(encoding="utf-8")) for path in paths]
    schemas += [remediation.parameters_schema for remediation in catalog(families).values()]
    return schemas


def expected_modules() -> dict[str, str]:
    """File name → source for every schema."""
    return {f"v{schema_digest(schema)}.py": compiled_source(schema) for schema in known_schemas()}


def main() -> int:
    if (pinned := pinned_fastjsonschema()) != fastjsonschema.VERSION:
        print(f"fastjsonschema {fastjsonschema.VERSION} installed, pyproject.toml pins {pinned}: `make venv`")
        return 1
    expected = expected_modules()
    for stale in COMPILED.glob("v*.py"):
        if stale.name not in expected:
            stale.unlink()
    for name, source in expected.items():
        (COMPILED / name).write_text(source, encoding="utf-8")
    print(f"compiled {len(expected)} schemas into {COMPILED.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
