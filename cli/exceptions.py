"""`remediator except add|list|remove`: exceptions that expire and say who and why.

An exception keeps the engine off one control on one resource (`--resource ARN`) or in one
account (`--account ID`) until a date, and names its owner and the reason; it lives in the
stack's state table (STATE_TABLE_NAME), where every function reads it with one request per
finding (`engine/exceptions.py`). The command uses the operator's own credentials, in the
Region of the stack (--region). Whoever may write the table may record exceptions: the table's
IAM policy is the access control, as the custom action's is for remediating.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from cli import wiring
from cli.errors import EXIT_OK, CommandError
from cli.exceptions_args import MAX_DAYS
from cli.table import render
from engine.exceptions import (
    ACCOUNT,
    RESOURCE,
    Exemption,
    ExemptionDateError,
    ExemptionStore,
    parse_until,
    until_text,
)
from engine.table import table_client
from rules.registry import load_registry

ACCOUNT_ID = re.compile(r"^[0-9]{12}$")


def run(args: argparse.Namespace) -> int:
    settings = wiring.settings_from(args)
    if not settings.state_table:
        raise CommandError("no state table: set STATE_TABLE_NAME to the stack's table")
    clients = wiring.clients_from(args, settings)
    store = ExemptionStore(table_client(clients), settings.state_table)
    if args.except_command == "list":
        control = control_id(args.control) if args.control else None
        return show(store.list(control), store.clock(), as_json=args.json)
    scope, target = target_of(args)
    control = control_id(args.control)
    if args.except_command == "remove":
        removed = store.remove(control, scope, target)
        if removed is None:
            raise CommandError(f"no exception for {control} on {scope} {target}")
        print(f"Removed the {removed.described()}.")
        return EXIT_OK
    exemption = Exemption(
        control=control,
        scope=scope,
        target=target,
        until=until_of(args.until, store.clock()),
        reason=args.reason.strip(),
        owner=args.owner.strip(),
        created_at=store.clock(),
    )
    if not exemption.reason or not exemption.owner:
        raise CommandError("--reason and --owner must say something: every skip repeats them")
    replaced = store.add(exemption)
    print(f"Recorded the {exemption.described()}.")
    if replaced is not None:
        print(f"It replaces the {replaced.described()}.")
    return EXIT_OK


def control_id(given: str) -> str:
    """The id the engine keys exceptions by: a rule's control (EC2.13), or the id of a rule without one.

    A rule id is accepted and turned into its control; anything no rule serves is refused.
    """
    rules = load_registry().rules
    for rule in rules:
        if given in (rule.control, rule.id):
            return rule.control or rule.id
    for rule in rules:
        if rule.control and rule.control.lower() == given.lower():
            return rule.control
    raise CommandError(f"no rule serves control {given!r}: `remediator rules` lists them")


def target_of(args: argparse.Namespace) -> tuple[str, str]:
    if args.account:
        if not ACCOUNT_ID.match(args.account):
            raise CommandError(f"--account {args.account!r} is not a 12-digit account id")
        return ACCOUNT, args.account
    if not args.resource.startswith("arn:"):
        raise CommandError(f"--resource {args.resource!r} is not an ARN (arn:partition:service:…)")
    return RESOURCE, args.resource


def until_of(text: str, now: float) -> datetime:
    try:
        until = parse_until(text)
    except ExemptionDateError as error:
        raise CommandError(f"--until: {error}") from None
    current = datetime.fromtimestamp(now, UTC)
    if until <= current:
        raise CommandError(f"--until {text} has passed: an exception must expire in the future")
    if until > current + timedelta(days=MAX_DAYS):
        raise CommandError(f"--until {text} is more than {MAX_DAYS} days ahead: renew it instead")
    return until


def show(exemptions: Iterable[Exemption], now: float, *, as_json: bool) -> int:
    found = sorted(exemptions, key=lambda e: (e.control, e.scope, e.target))
    if as_json:
        print(json.dumps([entry(e, now) for e in found], indent=2))
        return EXIT_OK
    if not found:
        print("No exceptions.")
        return EXIT_OK
    rows = [
        [e.control, f"{e.scope} {e.target}", e.owner, until_text(e.until), entry(e, now)["state"], e.reason]
        for e in found
    ]
    print(render(["CONTROL", "TARGET", "OWNER", "UNTIL", "STATE", "REASON"], rows))
    return EXIT_OK


def entry(exemption: Exemption, now: float) -> dict[str, Any]:
    return {
        "control": exemption.control,
        "scope": exemption.scope,
        "target": exemption.target,
        "owner": exemption.owner,
        "until": exemption.until.isoformat(),
        "reason": exemption.reason,
        "state": "expired" if exemption.expired(now) else "active",
        "created_at": datetime.fromtimestamp(exemption.created_at, UTC).isoformat(),
    }
