"""The arguments of `remediator except` (cli/exceptions.py runs it): kept apart so `--help` stays fast."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

#: An exception is reviewed at least once a year: a later `--until` is refused.
MAX_DAYS = 366


def add_parser(
    commands: Any,
    parents: list[argparse.ArgumentParser],
    epilog: str,
    run: Callable[[argparse.Namespace], int],
) -> None:
    """The `except` command and its three subcommands; `run` is cli/exceptions.py's, imported when it runs."""
    command = commands.add_parser(
        "except",
        help="record, list or remove exceptions (controls the engine leaves alone, until a date)",
        description=(
            "Exceptions in the stack's state table (STATE_TABLE_NAME): the engine skips a control on a "
            "resource or an account until the date, and every skip names the exception, its owner and expiry."
        ),
        epilog=epilog,
    )
    actions = command.add_subparsers(dest="except_command", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add", parents=parents, help="record an exception (replaces one for the same target)"
    )
    _target(add)
    add.add_argument(
        "--until",
        required=True,
        metavar="DATE",
        help=f"YYYY-MM-DD (00:00 UTC that day) or an ISO time with zone; at most {MAX_DAYS} days ahead",
    )
    add.add_argument("--reason", required=True, help="why the control must not be fixed here")
    add.add_argument("--owner", required=True, help="who asked for it and answers for it (e-mail, team)")
    listing = actions.add_parser("list", parents=parents, help="list exceptions, expired ones included")
    listing.add_argument("--control", metavar="ID", help="only this control")
    listing.add_argument("--json", action="store_true", help="JSON instead of a table")
    remove = actions.add_parser("remove", parents=parents, help="remove an exception")
    _target(remove)
    command.set_defaults(run=run)


def _target(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--control", required=True, metavar="ID", help="security control id, e.g. EC2.13")
    scope = parser.add_mutually_exclusive_group(required=True)
    scope.add_argument("--resource", metavar="ARN", help="the resource's ARN, as the finding names it")
    scope.add_argument("--account", metavar="ID", help="every resource of this account")
