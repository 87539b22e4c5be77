"""A rule's effective mode for one account: modes per environment (`rules/environments.json`).

Four modes: `automatic` (fix on every event), `approve` (plan, store the plan, ask for the
"Approve remediation" custom action: engine/approvals.py), `manual` (plan and note; the custom
action applies) and `dry-run` (plan and note only, even from the custom action).

Resolution, first answer wins:
1. the first environment, in file order, that selects the account and names a mode for the rule
   (its id, else `*`). An environment selects an account by id, by its tags in AWS Organizations
   (all must match) or by an organizational unit it is under at any depth: any selector suffices;
2. the registry entry's own `mode`;
3. the remediation's risk class (`rules.registry.DEFAULT_MODE`), where the stack's `ApprovalMode`
   turns `workload-affecting` from `manual` into `approve`.

The account's tags and OUs are asked for only when an environment needs them to answer
(`AccountFacts`, read by `engine/accounts.py`, once per account and cached), so a file that names
accounts by id alone makes no Organizations call at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from model.errors import RegistryError, SchemaViolationError
from model.schema import Validator, check, compile_schema
from remediations.base import Risk
from rules.registry import RULES_DIR, Rule

ENVIRONMENTS_PATH = RULES_DIR / "environments.json"
ENVIRONMENTS_SCHEMA_PATH = RULES_DIR / "environments.schema.json"
MODES = ("automatic", "approve", "manual", "dry-run")
EVERY_RULE = "*"
SELECTORS = ("accounts", "account_tags", "organizational_units")


class AccountFacts(NamedTuple):
    """What AWS Organizations says about an account: its tags and the OUs above it, nearest first."""

    tags: Mapping[str, str]
    organizational_units: tuple[str, ...] = ()


#: The facts of an account id (engine/accounts.py reads them from Organizations, cached).
FactsReader = Callable[[str], AccountFacts]


class EffectiveMode(NamedTuple):
    mode: str
    source: str  # why: "environment prod", "registry entry", "risk class", "ApprovalMode"
    environment: str = ""  # the environment that decided, or ""


class Environment(NamedTuple):
    name: str
    modes: Mapping[str, str]
    accounts: frozenset[str] = frozenset()
    account_tags: Mapping[str, str] | None = None
    organizational_units: frozenset[str] = frozenset()

    @property
    def needs_organizations(self) -> bool:
        return bool(self.account_tags or self.organizational_units)

    def mode_of(self, rule_id: str) -> str | None:
        return self.modes.get(rule_id) or self.modes.get(EVERY_RULE)

    def selects(self, account_id: str, facts: Callable[[], AccountFacts]) -> bool:
        if account_id in self.accounts:
            return True
        if not self.needs_organizations:
            return False
        known = facts()
        if self.account_tags and all(known.tags.get(k) == v for k, v in self.account_tags.items()):
            return True
        return not self.organizational_units.isdisjoint(known.organizational_units)


class Environments(NamedTuple):
    environments: tuple[Environment, ...] = ()

    @property
    def needs_organizations(self) -> bool:
        """Some environment selects by tag or OU: the stack grants the two Organizations reads."""
        return any(environment.needs_organizations for environment in self.environments)

    def mode_for(
        self, rule: Rule, account_id: str, facts: FactsReader | None, approval_mode: bool = False
    ) -> EffectiveMode:
        """The rule's mode in `account_id`; `facts` is called at most once, and only if needed."""
        known: list[AccountFacts] = []

        def account_facts() -> AccountFacts:
            if not known:
                known.append(facts(account_id) if facts else AccountFacts(tags={}))
            return known[0]

        for environment in self.environments:
            mode = environment.mode_of(rule.id)
            if mode and environment.selects(account_id, account_facts):
                return EffectiveMode(mode, f"environment {environment.name}", environment.name)
        return registry_mode(rule, approval_mode)


def registry_mode(rule: Rule, approval_mode: bool) -> EffectiveMode:
    """The mode without environments: the entry's own, else its risk class (with `ApprovalMode`)."""
    if rule.mode_declared:
        return EffectiveMode(rule.mode, "registry entry")
    if approval_mode and rule.remediation.risk is Risk.WORKLOAD_AFFECTING:
        return EffectiveMode("approve", "ApprovalMode")
    return EffectiveMode(rule.mode, "risk class")


def load_environments(path: Path = ENVIRONMENTS_PATH, rule_ids: frozenset[str] | None = None) -> Environments:
    """Read and validate the file; `rule_ids`: every rule it names must exist (a typo is an error)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RegistryError(f"{path}: cannot read the environments: {error}") from error
    return build_environments(document, rule_ids, source=str(path))


def build_environments(
    document: Any, rule_ids: frozenset[str] | None, source: str = "environments"
) -> Environments:
    try:
        check(_validator(), document, "environments")
    except SchemaViolationError as error:
        raise RegistryError(f"{source}: {error.message}") from None
    environments = []
    for entry in document["environments"]:
        unknown = sorted(
            set(entry["modes"]) - {EVERY_RULE} - (rule_ids if rule_ids is not None else set(entry["modes"]))
        )
        if unknown:
            raise RegistryError(f"{source}: environment {entry['name']!r} names unknown rules {unknown}")
        if not any(entry.get(selector) for selector in SELECTORS):
            raise RegistryError(
                f"{source}: environment {entry['name']!r} selects no account: give one of {SELECTORS}"
            )
        environments.append(
            Environment(
                name=entry["name"],
                modes=dict(entry["modes"]),
                accounts=frozenset(entry.get("accounts", ())),
                account_tags=entry.get("account_tags"),
                organizational_units=frozenset(entry.get("organizational_units", ())),
            )
        )
    return Environments(tuple(environments))


@cache
def _validator() -> Validator:
    return compile_schema(json.loads(ENVIRONMENTS_SCHEMA_PATH.read_text(encoding="utf-8")))
