"""JSON Schema validation that is cheap enough for a Lambda cold start.

The schemas are plain JSON Schema (draft-07) and the test suite checks them with the
reference `jsonschema` library; at run time they are compiled by `fastjsonschema` (the engine
Powertools' own validation utility uses), which imports in a fraction of the time `jsonschema`
takes and validates faster once compiled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import fastjsonschema

Validator = Callable[[Any], Any]


class SchemaViolation(ValueError):
    """A value does not satisfy its schema; `path` is the dotted path of the bad field."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def compile_schema(schema: Mapping[str, Any]) -> Validator:
    return fastjsonschema.compile(dict(schema), use_default=False)


def check(validator: Validator, value: Any, root: str) -> None:
    """Validate `value`, naming the offending field relative to `root` on failure."""
    try:
        validator(value)
    except fastjsonschema.JsonSchemaValueException as error:
        path = str(error.name).replace("data", root, 1)
        raise SchemaViolation(path, error.message.replace("data", root, 1)) from None
