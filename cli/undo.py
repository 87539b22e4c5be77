"""`remediator undo FINDING_ID`: plan the way back from the recorded before-state, then take it.

The engine writes an undo record when it changes a resource (`model.undo.UndoRecord`: the
state it read and the state it left). Undo reads the resource again and asks the remediation
to `revert`: a setting someone made stricter since is kept, and a resource someone else changed
since is left alone unless `--force`. `--dry-run` prints the plan and changes nothing.
"""

from __future__ import annotations

import argparse

from cli.errors import EXIT_OK, CommandError
from cli.undo_store import load_undo
from cli.wiring import clients_from, settings_from
from engine.remediate import aws_errors
from model.errors import RevertConflictError
from model.outcome import Plan
from model.undo import DONE, UndoRecord
from remediations import CATALOG


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if not settings.state_table:
        raise CommandError(
            "no state table: set STATE_TABLE_NAME to the stack's table, where the engine records before-states"
        )
    clients = clients_from(args, settings)
    record = load_undo(args.finding_id, settings, clients)
    if record is None:
        raise CommandError(
            f"no undo record for {args.finding_id}: the engine did not change anything for it "
            "(already compliant, dry run, or another finding), or the record expired"
        )
    _print_record(record, args.finding_id)
    remediation = CATALOG.get(record.remediation)
    if remediation is None:
        raise CommandError(f"no remediation {record.remediation!r} in this version: cannot plan its undo")
    resource = record.resource
    client = clients.client(remediation.service, resource.account_id, resource.region)
    with aws_errors("read"):
        current = remediation.read(client, resource, record.parameters)
    try:
        plan = remediation.undo(current, record.before, record.after, force=args.force)
    except RevertConflictError as error:
        raise CommandError(str(error)) from None
    where = f"{resource.arn or resource.name} (account {resource.account_id}, {resource.region})"
    if plan.compliant:
        print(f"Nothing to undo on {where}: it already reads as before the fix.")
        _print_notes(plan)
        return EXIT_OK
    if args.dry_run:
        print(f"Dry run: would revert {where}:")
        _print_plan(plan, record)
        return EXIT_OK
    with aws_errors("revert"):
        remediation.apply(client, plan)
    print(f"Reverted {where}:")
    _print_plan(plan, record)
    print(
        "Security Hub will report the finding as failed again when it re-checks the resource; "
        "tag the resource with the exclusion tag (EXCLUSION_TAG) to keep the engine from fixing it again."
    )
    return EXIT_OK


def _print_plan(plan: Plan, record: UndoRecord) -> None:
    for change in plan.changes:
        print(f"  {change.describe()}")
    _print_notes(plan)
    for call in plan.calls:
        print(f"  call {CATALOG[record.remediation].service}.{call.method} {dict(call.params)}")


def _print_record(record: UndoRecord, finding_key: str) -> None:
    """Say when the record is not a plain finished change: undo still plans from what is there now."""
    if record.finding_id != finding_key:
        print(f"The latest change this engine recorded on the resource was for {record.finding_id}.")
    if record.status != DONE:
        print(
            f"The engine's change was left {record.status}: {record.applied} of {len(record.calls)} "
            "calls are known to have been made."
        )


def _print_notes(plan: Plan) -> None:
    for note in plan.notes:
        print(f"  {note}")
