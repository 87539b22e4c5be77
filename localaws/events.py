"""The one way tests, the demo and the benchmarks read the sample events in `events/`.

They are the same files `sam local invoke -e` takes, found at the top of the checkout
(`localaws.project`). `EVENTS_DIR` is resolved on first use, so importing this module works
where the checkout is absent and only reading an event fails, with a message saying why.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from localaws.project import project_path


def events_dir() -> Path:
    return project_path("events")


def __getattr__(name: str) -> Path:
    if name == "EVENTS_DIR":
        return events_dir()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def event_names() -> list[str]:
    return sorted(path.name for path in events_dir().glob("*.json"))


def load_event(name: str, replacements: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The event, with placeholder ids (e.g. a fixture's `sg-…`) swapped for the ones moto made."""
    text = (events_dir() / name).read_text(encoding="utf-8")
    for placeholder, actual in (replacements or {}).items():
        text = text.replace(placeholder, actual)
    event: dict[str, Any] = json.loads(text)
    return event


def findings_of(event: Mapping[str, Any]) -> list[dict[str, Any]]:
    detail = event.get("detail")
    findings = detail.get("findings") if isinstance(detail, Mapping) else None
    return [f for f in findings if isinstance(f, dict)] if isinstance(findings, list) else []
