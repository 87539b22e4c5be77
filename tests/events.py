"""The one way tests read the sample events in `events/` (the same files `sam local invoke -e` takes)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

EVENTS_DIR = Path(__file__).resolve().parents[1] / "events"


def event_names() -> list[str]:
    return sorted(path.name for path in EVENTS_DIR.glob("*.json"))


def load_event(name: str, replacements: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The event, with placeholder ids (e.g. a fixture's `sg-…`) swapped for the ones moto made."""
    text = (EVENTS_DIR / name).read_text(encoding="utf-8")
    for placeholder, actual in (replacements or {}).items():
        text = text.replace(placeholder, actual)
    event: dict[str, Any] = json.loads(text)
    return event


def findings_of(event: Mapping[str, Any]) -> list[dict[str, Any]]:
    detail = event.get("detail")
    findings = detail.get("findings") if isinstance(detail, Mapping) else None
    return [f for f in findings if isinstance(f, dict)] if isinstance(findings, list) else []
