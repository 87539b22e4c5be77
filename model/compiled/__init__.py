"""Validators compiled ahead of time from the engine's JSON Schemas (see model.schema).

The generated modules raise the two exception classes below instead of importing fastjsonschema's
(`model.schema.compiled_source` points their import here): the same constructors and attributes
as fastjsonschema 2.22's `exceptions` module, so the code fastjsonschema wrote runs unchanged, and a
function's package and cold start carry no fastjsonschema at all (only `make schemas` and a schema
compiled on the spot use it).
"""

from __future__ import annotations

from typing import Any


class JsonSchemaValueException(ValueError):
    """A value breaks its schema: `message`, the `value`, its `name` (path), `definition` and `rule`."""

    def __init__(
        self,
        message: str,
        value: Any = None,
        name: str | None = None,
        definition: Any = None,
        rule: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.value = value
        self.name = name
        self.definition = definition
        self.rule = rule


class JsonSchemaValuesException(ValueError):
    """Every error at once (fastjsonschema's `fast_fail=False`, which the engine does not use)."""

    def __init__(self, errors: list[JsonSchemaValueException]) -> None:
        self.message = "; ".join(error.message for error in errors)
        super().__init__(self.message)
        self.errors = errors
