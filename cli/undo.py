"""`remediator undo FINDING_ID`: plan the way back from the recorded before-state, then take it.

The engine writes an undo record when it changes a resource (`model.undo.UndoRecord`: the
state it read and the state it left). Undo reads the resource again and asks the remediation
to `revert`: a setting someone made stricter since is kept, and a resource someone else changed
since is left alone unless `--force`. `--dry-run` prints the plan and changes nothing.

Undo runs with the operator's own credentials, never the engine's: the state table and any
resource of the caller's own account are reached directly, a resource of another account
through that account's undo role (`<MemberRoleName>-undo`, deploy/member-role.yaml, which only
the operator named by `UndoPrincipalArn` may assume). The role's name: `--role-name`, else
`UNDO_ROLE_NAME`, else the name the member template gives it by default. The function roles'
`MEMBER_ROLE_NAME` is not used: those roles hold no revert actions.
"""

from __future__ import annotations

import argparse
import os
from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from cli import wiring
from cli.errors import EXIT_AWS, EXIT_OK, CommandError
from cli.undo_store import load_undo, mark_reverted
from engine.clients import ClientFactory
from engine.remediate import aws_errors
from engine.settings import Settings
from model.errors import RemediationFailedError, RevertConflictError
from model.outcome import Plan
from model.undo import DONE, UndoRecord
from remediations import catalog
from remediations.base import owner_of

#: The CLI's own setting (the functions never undo): the role `undo` assumes in other accounts.
ENV_UNDO_ROLE = "UNDO_ROLE_NAME"
#: `<MemberRoleName>-undo` with the member template's default MemberRoleName.
DEFAULT_UNDO_ROLE = "SecHubRemediatorMember-undo"


def undo_role_name(args: argparse.Namespace) -> str:
    """--role-name beats UNDO_ROLE_NAME beats the member template's default name."""
    return str(args.role_name or os.environ.get(ENV_UNDO_ROLE) or DEFAULT_UNDO_ROLE)


def run(args: argparse.Namespace) -> int:
    settings = wiring.settings_from(args)
    if not settings.state_table:
        raise CommandError(
            "no state table: set STATE_TABLE_NAME to the stack's table, where the engine records before-states"
        )
    clients = wiring.clients_as_operator(args, undo_role_name(args))
    record = load_undo(args.finding_id, settings, clients)
    if record is None:
        raise CommandError(
            f"no undo record for {args.finding_id}: the engine did not change anything for it "
            "(already compliant, dry run, or another finding), or the record expired"
        )
    _print_record(record, args.finding_id)
    remediation = catalog().get(record.remediation)
    if remediation is None:
        raise CommandError(f"no remediation {record.remediation!r} in this version: cannot plan its undo")
    resource = record.resource
    try:
        client = remediation.client_from(
            partial(clients.client, account_id=resource.account_id, region=resource.region)
        )
    except RemediationFailedError as error:
        raise CommandError(
            f"{error}; in a member account, undo assumes the role deploy/member-role.yaml creates when "
            "UndoPrincipalArn names you (--role-name or UNDO_ROLE_NAME if it has another name)",
            EXIT_AWS,
        ) from None
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
        _print_plan(plan, client)
        return EXIT_OK
    with aws_errors("revert"):
        remediation.apply(client, plan)
    print(f"Reverted {where}:")
    _print_plan(plan, client)
    _note_revert(args.finding_id, record, settings, clients)
    print(
        "Security Hub will report the finding as failed again when it re-checks the resource; "
        "tag the resource with the exclusion tag (EXCLUSION_TAG) to keep the engine from fixing it again."
    )
    return EXIT_OK


def _note_revert(finding_id: str, record: UndoRecord, settings: Settings, clients: ClientFactory) -> None:
    """Mark the change reverted for `remediator history`; the revert stands even when that fails."""
    try:
        marked = mark_reverted(finding_id, record, settings, clients)
    except (ClientError, BotoCoreError) as error:
        print(
            f"The revert is not noted in the state table ({error}): `remediator history` shows it unreverted."
        )
        return
    if not marked:
        print("The state table no longer holds this change: `remediator history` cannot show the revert.")


def _print_plan(plan: Plan, client: Any) -> None:
    for change in plan.changes:
        print(f"  {change.describe()}")
    _print_notes(plan)
    for call in plan.calls:  # the service of the client that makes it (a fix may call several)
        service = owner_of(client, call.method).meta.service_model.service_name
        print(f"  call {service}.{call.method} {dict(call.params)}")


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
