"""What every revert shares: refuse to overwrite a change someone else made since, unless forced.

A revert is planned from three states: `before` (read by the fix), `after` (what the fix left)
and `current` (read now). Where `current` is still `after`, the way back is planned; where it is
stricter, it is kept and the plan says so; anything else is someone else's change, which a
revert does not overwrite unless forced.
"""

from __future__ import annotations

from typing import Any

from model.errors import RevertConflictError


def refuse_unless_forced(force: bool, what: str, current: Any, after: Any) -> None:
    """Raise `RevertConflictError` naming what differs, unless `force`."""
    if force:
        return
    raise RevertConflictError(
        f"{what} no longer reads as the engine left it (now {_short(current)}, left {_short(after)}): "
        "someone changed it since; nothing was reverted (use --force to revert anyway)"
    )


def kept_note(what: str, current: Any) -> str:
    return f"kept {what} {_short(current)}: stricter than what the fix set, changed since"


def _short(value: Any) -> str:
    return "none" if value is None else str(value)
