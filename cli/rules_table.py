"""`remediator rules`: the rule registry as a table, or as JSON for scripts.

Each rule shows its mode beside its remediation's risk class, and whether the registry entry
overrides the mode that class gives (rules/registry.py `DEFAULT_MODE`): an override is a
deliberate choice a reviewer should see.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from typing import Any

from cli.errors import EXIT_OK
from cli.table import render
from rules.registry import Registry, Rule, load_registry

PARAMETER_WIDTH = 40


def rule_entry(rule: Rule) -> dict[str, Any]:
    """Everything a reviewer needs about one rule: what selects it, what it runs, what it may call."""
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
    }


def table(registry: Registry) -> str:
    rows = []
    for rule in registry.rules:
        selects = [rule.control or "", *rule.standard_controls, *(f"config:{n}" for n in rule.config_rules)]
        mode = (
            rule.mode
            + (" (rule's own)" if rule.overrides_mode else "")
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
        "mode / risk class",
        "parameters",
        "IAM actions",
    ]
    return render(headers, rows) + f"\n\n{len(registry.rules)} rules"


def run(args: argparse.Namespace) -> int:
    registry = load_registry()
    if args.json:
        print(json.dumps([rule_entry(rule) for rule in registry.rules], indent=2))
    else:
        print(table(registry))
    return EXIT_OK
