"""Write `template.yaml` and the member-account templates from the registry: `make template`.

    python -m deploy.template_gen           # write template.yaml and deploy/member-*.yaml
    python -m deploy.template_gen --check   # exit 1, naming the stale files, when they differ

Inputs: `rules/registry.json` (which families exist, which identifiers route where), each
remediation's declared permissions, `deploy/permissions.py` and `engine/settings.py`. Adding a
rule therefore changes routing and IAM with no hand edit; tests/test_template.py fails with
"run `make template`" until the committed files are regenerated.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from deploy import dashboard, failures, functions, member, member_baseline, member_events, stack
from deploy.render import render
from rules.registry import Registry, load_registry

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_PATH = ROOT / "template.yaml"
MEMBER_TEMPLATE_PATH = ROOT / "deploy" / "member-role.yaml"
MEMBER_EVENTS_PATH = ROOT / "deploy" / "member-config-events.yaml"
MEMBER_BASELINE_PATH = ROOT / "deploy" / "member-baseline.yaml"


def admin_template(registry: Registry | None = None) -> dict[str, Any]:
    all_families = functions.families((registry or load_registry()).rules)
    resources: dict[str, Any] = stack.shared_resources()
    resources["EventDeadLetterQueuePolicy"] = failures.event_dead_letter_policy(
        functions.all_rule_arns(all_families)
    )
    for family in all_families:
        resources.update(functions.family_resources(family))
    resources.update(dashboard.dashboard([family.function_id for family in all_families]))
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": "Security Hub remediation engine: one function per remediation family, routed by "
        "EventBridge from imported findings, Config compliance changes and a custom action",
        "Metadata": {
            "AWS::CloudFormation::Interface": {
                "ParameterGroups": [
                    {"Label": {"default": label}, "Parameters": names}
                    for label, names in stack.PARAMETER_GROUPS
                ]
            }
        },
        "Parameters": stack.PARAMETERS,
        "Conditions": stack.CONDITIONS,
        "Globals": functions.globals_section(),
        "Resources": resources,
        "Outputs": {
            **stack.outputs(
                [family.function_id for family in all_families], [family.role_id for family in all_families]
            ),
            **dashboard.outputs(),
        },
    }


def member_role_template(registry: Registry | None = None) -> dict[str, Any]:
    return member.member_template(functions.families((registry or load_registry()).rules))


def rendered(registry: Registry | None = None) -> dict[Path, str]:
    """Every generated file and its text."""
    registry = registry or load_registry()
    return {
        TEMPLATE_PATH: render(admin_template(registry)),
        MEMBER_TEMPLATE_PATH: render(member_role_template(registry)),
        MEMBER_EVENTS_PATH: render(member_events.member_events_template(registry.rules)),
        MEMBER_BASELINE_PATH: render(member_baseline.baseline_template()),
    }


def stale_files(registry: Registry | None = None) -> list[Path]:
    return [
        path
        for path, text in rendered(registry).items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="only check that the files are up to date")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        for path in stale:
            print(f"{path.relative_to(ROOT)} is stale: run `make template`", file=sys.stderr)
        return 1 if stale else 0
    for path, text in rendered().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
