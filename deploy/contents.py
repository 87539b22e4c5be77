"""What one function's package holds: the data flow's packages, minus other families' code.

Of `remediations/`, the family's modules (`remediations.MODULES`) and the helpers they import,
found by reading their imports; of `model/compiled/`, the validators of the event schemas, the
registry schema and the family's parameter schemas. Everything else of `FUNCTION_PACKAGES` goes
in whole (the registry too: a function recognises the other families' findings by their rules).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUNCTION_PACKAGES = ("model", "engine", "rules", "remediations")
REMEDIATIONS = ROOT / "remediations"
COMPILED = ROOT / "model" / "compiled"


def function_files(family: str) -> list[Path]:
    """Our files in the `family` function: the data flow minus other families' code and validators."""
    import remediations

    if family not in remediations.FAMILIES:
        raise ValueError(f"no remediation family {family!r}; known: {sorted(remediations.FAMILIES)}")
    remediation_modules = _imported_closure(REMEDIATIONS, {"__init__", *remediations.MODULES[family]})
    validators = {f"v{digest}.py" for digest in family_schema_digests(family)}
    files = []
    for package in FUNCTION_PACKAGES:
        for path in _package_files(ROOT / package):
            if path.parent == REMEDIATIONS and path.stem not in remediation_modules:
                continue
            if path.parent == COMPILED and path.name.startswith("v") and path.name not in validators:
                continue
            files.append(path)
    return files


def family_schema_digests(family: str) -> set[str]:
    """The compiled validators the family's function loads: events, registry, its parameters."""
    from model.schema import schema_digest
    from tools.compile_schemas import known_schemas

    return {schema_digest(schema) for schema in known_schemas(frozenset({family}))}


def _imported_closure(package_dir: Path, modules: set[str]) -> set[str]:
    """`modules` of `package_dir` and every module of it they import, anywhere in their code.

    Imports inside functions and under TYPE_CHECKING count too: a helper only the tests reach
    (`cases`) costs a few KB and keeps every module importable in full.
    """
    package = package_dir.name
    seen: set[str] = set()
    todo = list(modules)
    while todo:
        if (module := todo.pop()) in seen:
            continue
        seen.add(module)
        tree = ast.parse((package_dir / f"{module}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == package:
                todo += [alias.name for alias in node.names if (package_dir / f"{alias.name}.py").is_file()]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(f"{package}."):
                todo.append(str(node.module).split(".")[1])
            elif isinstance(node, ast.Import):
                todo += [a.name.split(".")[1] for a in node.names if a.name.startswith(f"{package}.")]
    return seen


def _package_files(package: Path) -> Iterator[Path]:
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
            yield path
