"""Meta-test of the error hierarchy: every exception class the project defines derives from one
base, `RemediationError`, and has a unique name ending in `Error`."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from model.errors import RemediationError

PACKAGES = ("model", "engine", "rules", "remediations", "cli", "deploy", "demo")


def defined_errors() -> list[type[BaseException]]:
    found = []
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for module_info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if module_info.name.endswith("__main__") or ".compiled" in module_info.name:
                continue
            module = importlib.import_module(module_info.name)
            found += [
                value
                for value in vars(module).values()
                if inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
            ]
    return found


def test_every_error_is_a_remediation_error_with_a_unique_name() -> None:
    errors = defined_errors()
    assert RemediationError in errors
    assert [e.__qualname__ for e in errors if not issubclass(e, RemediationError)] == []
    assert [e.__qualname__ for e in errors if not e.__name__.endswith("Error")] == []
    names = [e.__name__ for e in errors]
    assert sorted(names) == sorted(set(names)), "two error classes share a name"
