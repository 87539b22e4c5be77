"""Read back what a remediation changed, and note its revert, for the `undo` command."""

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
    store = _store(settings, clients)
    return store.load_undo(finding_id) if store else None


def mark_reverted(
    finding_id: str,
    record: UndoRecord,
    settings: Settings | None = None,
    clients: ClientFactory | None = None,
) -> bool:
    """Say in the state table that `record`'s change was put back (`remediator history` shows it)."""
    store = _store(settings, clients)
    return store.mark_reverted(finding_id, record.changed_at) if store else False


def _store(settings: Settings | None, clients: ClientFactory | None) -> StateStore | None:
    settings = settings or Settings.from_env()
    if not settings.state_table:
        return None
    clients = clients or ClientFactory(home_account_id=settings.home_account_id)
    return StateStore(partial(clients.home_client, "dynamodb", clients.home_region), settings.state_table)
