"""Read back what a remediation changed, for the `undo` command."""

from __future__ import annotations

from functools import partial

from engine.clients import ClientFactory
from engine.settings import Settings
from engine.state import StateStore
from model.undo import UndoRecord


def load_undo(
    finding_id: str, settings: Settings | None = None, clients: ClientFactory | None = None
) -> UndoRecord | None:
    """The before-state recorded when `finding_id` was remediated, or None (no table, no record)."""
    settings = settings or Settings.from_env()
    if not settings.state_table:
        return None
    clients = clients or ClientFactory(home_account_id=settings.home_account_id)
    return StateStore(
        partial(clients.home_client, "dynamodb", clients.home_region), settings.state_table
    ).load_undo(finding_id)
