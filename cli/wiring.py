"""Wire the deployed engine for a terminal: clients from flags, and outcomes on stderr, not logs.

The engine is built by `engine.handler.build_engine`, exactly as in Lambda; only the outcome
listener differs, because the handler's structured logs and metrics belong in CloudWatch, not
between a command's output lines. `--endpoint-url` is handed to `ClientFactory`, which passes it
to every client it makes (member-role sessions included); the process environment is left alone.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import boto3

from cli.errors import CommandError
from engine.clients import ClientFactory
from engine.handler import build_engine
from engine.process import Engine
from engine.settings import Settings
from model.outcome import Outcome


def session_from(args: argparse.Namespace) -> boto3.Session:
    """A session for --profile/--region (it knows nothing of --endpoint-url: see `clients_from`)."""
    session = boto3.Session(profile_name=args.profile, region_name=args.region)
    if not session.region_name:
        raise CommandError("no region: pass --region or set AWS_REGION / AWS_DEFAULT_REGION")
    return session


def settings_from(args: argparse.Namespace) -> Settings:
    """The function's settings from the environment; --dry-run only ever switches writing off.

    --approve is a person's go-ahead for manual rules, which a deployed function never has.
    """
    settings = Settings.from_env().with_overrides(run_by_cli=True)  # what it changes is the CLI's
    if getattr(args, "dry_run", False):
        settings = settings.with_overrides(dry_run=True)
    if getattr(args, "approve", False):
        settings = settings.with_overrides(manual_approved=True)
    return settings


def clients_from(args: argparse.Namespace, settings: Settings) -> ClientFactory:
    """Clients for --profile/--region, every one of them sent to --endpoint-url when it is given."""
    return ClientFactory(
        session_from(args),
        member_role_name=settings.member_role_name,
        home_account_id=settings.home_account_id,
        endpoint_url=args.endpoint_url or None,
    )


def clients_as_operator(args: argparse.Namespace, role_name: str) -> ClientFactory:
    """The caller's own credentials in the caller's own account, `role_name` assumed in any other.

    For commands an operator runs, not the engine (`undo`): the home account is whoever the
    credentials belong to (sts:GetCallerIdentity), not HOME_ACCOUNT_ID.
    """
    return ClientFactory(
        session_from(args), member_role_name=role_name, endpoint_url=args.endpoint_url or None
    )


def engine_from(args: argparse.Namespace, on_outcome: Callable[[Outcome], None] | None = None) -> Engine:
    settings = settings_from(args)
    engine = build_engine(settings, clients_from(args, settings))
    engine.on_outcome = on_outcome or (outcome_printer() if args.verbose else None)
    return engine


def outcome_printer() -> Callable[[Outcome], None]:
    """One line per finding on stderr: status, rule, finding id, and what changed or why not."""

    def show(outcome: Outcome) -> None:
        detail = outcome.reason or "; ".join(change.describe() for change in outcome.changes)
        print(
            f"{outcome.status.value:<17} {outcome.rule_id or '-'}  {outcome.finding.key}  {detail}",
            file=sys.stderr,
        )

    return show
