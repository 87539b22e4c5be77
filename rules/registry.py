"""Load the rule registry (`rules/registry.json`) and look rules up by finding identifier.

The registry is data, checked against `rules/schema.json` and against each remediation's
parameter schema when it is loaded, so a broken entry fails at cold start (and in the test
suite) with a message naming it. Lookups go through an index of every identifier, never a
scan of the rules.

A function loads only its own families' remediations (`remediations.catalog`): the rules of the
other families are still indexed, as `UnloadedRule`s that know their id, keys and family (the
prefix of their remediation's name) but not the remediation, so a finding of another family is
recognised as another function's and never taken for one no rule matches. Their parameters are
checked wherever the whole catalog is loaded (the test suite, the CLI, `make template`, and the
packager before it builds any function).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import remediations
from model.errors import RegistryError, SchemaViolationError
from model.schema import Validator, check, compile_schema
from remediations.base import KMS_KEY_PARAMETER, Remediation, Risk, family_of
from rules.keys import config_key, control_key, standard_key

RULES_DIR = Path(__file__).parent
REGISTRY_PATH = RULES_DIR / "registry.json"
SCHEMA_PATH = RULES_DIR / "schema.json"

#: A rule's mode when its entry names none, from its remediation's risk class: a fix no workload
#: depends on runs on its own; one that can cut a workload off, or costs money, waits for a person.
DEFAULT_MODE: Mapping[Risk, str] = {
    Risk.SAFE: "automatic",
    Risk.WORKLOAD_AFFECTING: "manual",
    Risk.CREATES_RESOURCES: "manual",
}


class Rule(NamedTuple):
    """One registry entry, bound to its remediation (a NamedTuple: cheap to create at a cold start)."""

    id: str
    remediation: Remediation
    mode: str
    parameters: Mapping[str, Any] = MappingProxyType({})
    mode_declared: bool = False  # the entry names its mode; else its risk class gave it (rules/modes.py)
    control: str | None = None
    standard_controls: tuple[str, ...] = ()
    config_rules: tuple[str, ...] = ()
    enabled: bool = True
    dry_run: bool = False
    description: str = ""

    @property
    def automatic(self) -> bool:
        return self.mode == "automatic"

    @property
    def overrides_mode(self) -> bool:
        """The entry sets a mode other than its remediation's risk class gives (README says why)."""
        return self.mode != DEFAULT_MODE[self.remediation.risk]

    @property
    def family(self) -> str:
        return self.remediation.family

    @property
    def permissions(self) -> tuple[str, ...]:
        """Every action the fix may call for this rule: read, write, the key's writes, its destinations' read."""
        return self.remediation.actions

    @property
    def key_permissions(self) -> tuple[str, ...]:
        """Of `permissions`, those called only with a key the rule does not name (the stack's, if any)."""
        if KMS_KEY_PARAMETER in self.parameters:
            return ()
        return self.remediation.permissions.with_key

    def lookup_keys(self) -> tuple[str, ...]:
        """Every lookup key that selects this rule."""
        return _lookup_keys(self.control, self.standard_controls, self.config_rules)


class UnloadedRule(NamedTuple):
    """A rule of a family this process did not load: another function of the stack serves it.

    It selects findings like any rule, so they are told apart from findings no rule matches, and
    it can never be executed here: it has no remediation.
    """

    id: str
    remediation_name: str
    control: str | None = None
    standard_controls: tuple[str, ...] = ()
    config_rules: tuple[str, ...] = ()

    @property
    def family(self) -> str:
        return family_of(self.remediation_name)

    def lookup_keys(self) -> tuple[str, ...]:
        return _lookup_keys(self.control, self.standard_controls, self.config_rules)


def _lookup_keys(
    control: str | None, standard_controls: Iterable[str], config_rules: Iterable[str]
) -> tuple[str, ...]:
    keys = [control_key(control)] if control else []
    for entry in standard_controls:
        standard, _, standard_control = entry.rpartition("/")
        keys.append(standard_key(standard, standard_control))
    keys.extend(config_key(name) for name in config_rules)
    return tuple(keys)


class Registry:
    """The rules, indexed by every lookup key; built once per execution environment, never changed."""

    __slots__ = ("ids", "index", "rules", "unloaded")

    def __init__(
        self,
        *,
        rules: tuple[Rule, ...],
        index: Mapping[str, Rule | UnloadedRule],
        ids: Mapping[str, Rule],
        unloaded: tuple[UnloadedRule, ...] = (),
    ) -> None:
        self.rules = rules  # the rules of the loaded families, bound to their remediations
        self.index = index  # every lookup key of every rule → its rule
        self.ids = ids  # rule id → rule, loaded families only
        self.unloaded = unloaded  # the other families' rules (a per-family function)

    def match(self, keys: Iterable[str]) -> Rule | UnloadedRule | None:
        """The rule for the first key that has one (keys come most specific first)."""
        for key in keys:
            if (rule := self.index.get(key)) is not None:
                return rule
        return None

    def by_id(self, rule_id: str) -> Rule:
        if (rule := self.ids.get(rule_id)) is None:
            elsewhere = next((r for r in self.unloaded if r.id == rule_id), None)
            if elsewhere is not None:
                raise RegistryError(f"rule {rule_id!r} is of the {elsewhere.family} family, not loaded here")
            raise RegistryError(f"no rule with id {rule_id!r}")
        return rule


def load_registry(path: Path = REGISTRY_PATH, catalog: Mapping[str, Remediation] | None = None) -> Registry:
    """Read, validate and index the registry; any problem raises `RegistryError` naming the entry.

    `catalog`: the remediations to bind the rules to (`remediations.catalog(families)`); the
    rules of every other family are indexed unloaded. None: the whole catalog.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RegistryError(f"{path}: cannot read the registry: {error}") from error
    return build_registry(document, remediations.catalog() if catalog is None else catalog, source=str(path))


def build_registry(document: Any, catalog: Mapping[str, Remediation], source: str = "registry") -> Registry:
    """Bind the rules of `catalog`'s families, index the others unloaded (their family must exist)."""
    _validate(_registry_validator(), document, f"{source}")
    loaded = {remediation.family for remediation in catalog.values()}
    rules: list[Rule] = []
    unloaded: list[UnloadedRule] = []
    index: dict[str, Rule | UnloadedRule] = {}
    ids: set[str] = set()
    for entry in document["rules"]:
        where = f"{source}: rule {entry['id']!r}"
        rule: Rule | UnloadedRule
        if family_of(entry["remediation"]) in loaded:
            rules.append(rule := _build_rule(entry, catalog, where))
        else:
            unloaded.append(rule := _unloaded(entry, where))
        if rule.id in ids:
            raise RegistryError(f"{source}: rule id {rule.id!r} is used twice")
        ids.add(rule.id)
        for key in rule.lookup_keys():
            if key in index:
                raise RegistryError(
                    f"{source}: rule {rule.id!r} claims {key!r}, which rule {index[key].id!r} already has"
                )
            index[key] = rule
    return Registry(
        rules=tuple(rules), index=index, ids={rule.id: rule for rule in rules}, unloaded=tuple(unloaded)
    )


def _unloaded(entry: Mapping[str, Any], where: str) -> UnloadedRule:
    if family_of(entry["remediation"]) not in remediations.FAMILIES:
        raise RegistryError(
            f"{where}: unknown remediation {entry['remediation']!r}: no family {family_of(entry['remediation'])!r} "
            f"among {sorted(remediations.FAMILIES)}"
        )
    return UnloadedRule(
        id=entry["id"],
        remediation_name=entry["remediation"],
        control=entry.get("control"),
        standard_controls=tuple(entry.get("standard_controls", ())),
        config_rules=tuple(entry.get("config_rules", ())),
    )


def _build_rule(entry: Mapping[str, Any], catalog: Mapping[str, Remediation], where: str) -> Rule:
    remediation = catalog.get(entry["remediation"])
    if remediation is None:
        raise RegistryError(
            f"{where}: unknown remediation {entry['remediation']!r}; known: {sorted(catalog)}"
        )
    parameters = entry.get("parameters", {})
    _validate(_parameter_validator(remediation), parameters, f"{where} parameters")
    return Rule(
        id=entry["id"],
        remediation=remediation,
        mode=entry.get("mode", DEFAULT_MODE[remediation.risk]),
        parameters=parameters,
        mode_declared="mode" in entry,
        control=entry.get("control"),
        standard_controls=tuple(entry.get("standard_controls", ())),
        config_rules=tuple(entry.get("config_rules", ())),
        enabled=entry.get("enabled", True),
        dry_run=entry.get("dry_run", False),
        description=entry.get("description", ""),
    )


def _validate(validator: Validator, value: Any, where: str) -> None:
    try:
        check(validator, value, "registry")
    except SchemaViolationError as error:
        raise RegistryError(f"{where}: {error.message}") from None


@cache
def _registry_validator() -> Validator:
    return compile_schema(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


_PARAMETER_VALIDATORS: dict[str, Validator] = {}


def _parameter_validator(remediation: Remediation) -> Validator:
    if remediation.name not in _PARAMETER_VALIDATORS:
        _PARAMETER_VALIDATORS[remediation.name] = compile_schema(remediation.parameters_schema)
    return _PARAMETER_VALIDATORS[remediation.name]
