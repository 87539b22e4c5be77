"""`remediator undo FINDING_ID`: put back what a remediation changed, from its recorded before-state.

The engine saves the plan's undo payload in the state table when it changes a resource
(`engine.state.UndoRecord`, read with `engine.undo_store.load_undo`); the applier for the
remediation's name (`cli.undo_appliers`) turns it back into API calls.
"""

from __future__ import annotations

import argparse

from cli.errors import EXIT_OK, CommandError
from cli.undo_appliers import APPLIERS
from cli.wiring import session_from, settings_from
from engine.clients import ClientFactory
from engine.undo_store import load_undo
from remediations import CATALOG


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if not settings.state_table:
        raise CommandError(
            "no state table: set STATE_TABLE_NAME to the stack's table, where the engine records before-states"
        )
    clients = ClientFactory(
        session_from(args),
        member_role_name=settings.member_role_name,
        home_account_id=settings.home_account_id,
    )
    record = load_undo(args.finding_id, settings, clients)
    if record is None:
        raise CommandError(
            f"no undo record for {args.finding_id}: the engine did not change anything for it "
            "(already compliant, dry run, or another finding), or the record expired"
        )
    applier = APPLIERS.get(record.remediation)
    if applier is None or record.remediation not in CATALOG:
        raise CommandError(f"no undo for remediation {record.remediation!r} in this version")
    what = applier.describe(record)
    where = f"account {record.account_id}, {record.region}"
    if args.dry_run:
        print(f"Dry run: would {what} ({where}).")
        return EXIT_OK
    service = CATALOG[record.remediation].service
    applier.apply(clients.client(service, record.account_id, record.region), record)
    print(f"Undone: {what} ({where}).")
    print(
        "Security Hub will report the finding as failed again when it re-checks the resource; "
        "tag the resource with the exclusion tag (EXCLUSION_TAG) to keep the engine from fixing it again."
    )
    return EXIT_OK
