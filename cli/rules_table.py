"""`remediator rules`: the rule registry as a table, or as JSON for scripts.

Each rule shows its mode beside its remediation's risk class, and whether the registry entry
overrides the mode that class gives (rules/registry.py `DEFAULT_MODE`): an override is a
deliberate choice a reviewer should see. With `--account ID`, the mode is the rule's effective
one in that account (rules/modes.py: environments, the entry, the risk class with ApprovalMode)
and says where it comes from.
"""

from __future__ import annotations

import argparse
import json
import re
import textwrap
from typing import Any

from cli.errors import EXIT_OK, EXIT_USAGE, CommandError
from cli.table import render
from rules.modes import ENVIRONMENTS_PATH, EffectiveMode, load_environments
from rules.registry import Registry, Rule, load_registry

PARAMETER_WIDTH = 40


def rule_entry(rule: Rule, effective: EffectiveMode | None = None) -> dict[str, Any]:
    """Everything a reviewer needs about one rule: what selects it, what it runs, what it may call."""
    account = {"account_mode": effective.mode, "account_mode_from": effective.source} if effective else {}
    return {
        "id": rule.id,
        "control": rule.control,
        "standard_controls": list(rule.standard_controls),
        "config_rules": list(rule.config_rules),
        "remediation": rule.remediation.name,
        "summary": rule.remediation.summary,
        "risk": rule.remediation.risk.value,
        "mode": rule.mode,
        "mode_overrides_risk": rule.overrides_mode,
        "enabled": rule.enabled,
        "dry_run": rule.dry_run,
        "parameters": dict(rule.parameters),
        "permissions": list(rule.permissions),
        "revert_permissions": list(rule.remediation.permissions.undo),
        "description": rule.description,
        **account,
    }


def table(registry: Registry, modes: dict[str, EffectiveMode] | None = None, account: str = "") -> str:
    rows = []
    for rule in registry.rules:
        selects = [rule.control or "", *rule.standard_controls, *(f"config:{n}" for n in rule.config_rules)]
        effective = modes[rule.id] if modes else None
        mode = (
            (f"{effective.mode} ({effective.source})" if effective else rule.mode)
            + (" (rule's own)" if rule.overrides_mode and not effective else "")
            + ("" if rule.enabled else " (disabled)")
            + (" (dry run)" if rule.dry_run else "")
        )
        parameters = "\n".join(
            textwrap.fill(
                f"{name}={json.dumps(value, separators=(',', ':'))}",
                PARAMETER_WIDTH,
                subsequent_indent="  ",
                break_on_hyphens=False,
            )
            for name, value in sorted(rule.parameters.items())
        )
        rows.append(
            [
                rule.id,
                "\n".join(s for s in selects if s),
                rule.remediation.name + "\n" + textwrap.fill(rule.remediation.summary, PARAMETER_WIDTH),
                f"{mode}\n{rule.remediation.risk.value}",
                parameters or "-",
                "\n".join(rule.permissions),
            ]
        )
    headers = [
        "rule",
        "control / standard control / Config rule",
        "remediation",
        f"mode in {account} / risk class" if account else "mode / risk class",
        "parameters",
        "IAM actions",
    ]
    return render(headers, rows) + f"\n\n{len(registry.rules)} rules"


def account_modes(registry: Registry, args: argparse.Namespace) -> dict[str, EffectiveMode]:
    """Every rule's effective mode in `args.account`; Organizations is read once, if at all."""
    from engine.accounts import AccountFactsReader  # only with --account: keeps `rules` fast
    from engine.settings import Settings

    if not re.fullmatch(r"[0-9]{12}", args.account):
        raise CommandError(f"--account {args.account!r}: an account id is 12 digits", EXIT_USAGE)
    environments = load_environments(
        args.environments or ENVIRONMENTS_PATH, frozenset(rule.id for rule in registry.rules)
    )
    facts = None
    if environments.needs_organizations:
        from cli.wiring import session_from

        facts = AccountFactsReader(
            lambda: session_from(args).client("organizations", endpoint_url=args.endpoint_url or None)
        )
    approval_mode = args.approval_mode or Settings.from_env().approval_mode
    return {
        rule.id: environments.mode_for(rule, args.account, facts, approval_mode) for rule in registry.rules
    }


def run(args: argparse.Namespace) -> int:
    registry = load_registry()
    modes = account_modes(registry, args) if getattr(args, "account", None) else None
    if args.json:
        print(
            json.dumps(
                [rule_entry(rule, modes[rule.id] if modes else None) for rule in registry.rules], indent=2
            )
        )
    else:
        print(table(registry, modes, getattr(args, "account", "") or ""))
    return EXIT_OK
