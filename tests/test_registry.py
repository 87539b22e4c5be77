"""Meta-tests that keep the registries honest (after Cloud Custodian's tests/test_policy.py)."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from model.errors import RegistryError
from remediations import CATALOG
from remediations.base import Remediation, Risk, build_catalog
from rules.registry import (
    DEFAULT_MODE,
    REGISTRY_PATH,
    SCHEMA_PATH,
    Registry,
    build_registry,
    load_registry,
)

README = Path(__file__).resolve().parents[1] / "README.md"
DOCUMENT: dict[str, Any] = json.loads(REGISTRY_PATH.read_text(encoding="utf-8"))
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def test_registry_validates_against_its_schema_with_the_reference_validator() -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    jsonschema.validate(DOCUMENT, SCHEMA)


@pytest.mark.parametrize("rule", DOCUMENT["rules"], ids=lambda rule: rule["id"])
def test_every_rule_names_a_remediation_and_its_parameters_validate(rule: dict[str, Any]) -> None:
    remediation = CATALOG[rule["remediation"]]
    jsonschema.Draft7Validator.check_schema(remediation.parameters_schema)
    jsonschema.validate(rule.get("parameters", {}), remediation.parameters_schema)


@pytest.mark.parametrize("remediation", CATALOG.values(), ids=lambda r: r.name)
def test_every_remediation_declares_a_closed_schema_and_permissions(remediation: Remediation) -> None:
    assert remediation.permissions.read and remediation.permissions.write, "declares the IAM actions it calls"
    assert all(":" in action and "*" not in action for action in remediation.permissions.all)
    assert remediation.parameters_schema.get("additionalProperties") is False
    assert remediation.identity.types
    # One module holds it all: read, plan, revert and its cases.
    assert remediation.read.__module__ == remediation.plan.__module__ == remediation.revert.__module__
    assert remediation.cases.__module__ == remediation.read.__module__


def test_every_remediation_is_used_by_a_rule() -> None:
    assert {rule["remediation"] for rule in DOCUMENT["rules"]} == set(CATALOG)


def broken(mutate: Any) -> dict[str, Any]:
    document = copy.deepcopy(DOCUMENT)
    mutate(document)
    return document


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["rules"][1].update(remediation="s3.no-such-thing"),
            "unknown remediation 's3.no-such-thing'",
        ),
        (lambda d: d["rules"][1].update(parameters={"algorithm": "ROT13"}), "parameters"),
        (lambda d: d["rules"][1].update(mode="sometimes"), "mode"),
        (lambda d: d["rules"][1].update(colour="blue"), "colour"),
        (lambda d: d["rules"].append(copy.deepcopy(d["rules"][0])), "used twice"),
        (lambda d: d["rules"][1].update(control=d["rules"][0]["control"]), "already has"),
        (lambda d: d["rules"][1].pop("remediation"), "remediation"),
    ],
)
def test_a_broken_registry_fails_at_load_naming_the_entry(mutate: Any, message: str) -> None:
    document = broken(mutate)
    with pytest.raises(RegistryError) as raised:
        build_registry(document, CATALOG)
    assert message in str(raised.value)
    if message not in ("used twice", "remediation", "mode", "colour"):
        assert repr(document["rules"][1]["id"]) in str(raised.value)


def test_duplicate_remediation_names_are_an_error() -> None:
    remediation = next(iter(CATALOG.values()))
    with pytest.raises(RegistryError, match="declared twice"):
        build_catalog([remediation, remediation])


def test_key_writes_need_a_remediation_that_takes_a_key() -> None:
    remediation = CATALOG["s3.block-bucket-public-access"]
    keyless = replace(
        remediation, permissions=replace(remediation.permissions, with_key=("kms:CreateGrant",))
    )
    with pytest.raises(RegistryError, match="takes no KMS key"):
        build_catalog([keyless])


def test_lookup_goes_through_the_index_never_a_scan() -> None:
    registry = load_registry()

    class NoScan(tuple[Any, ...]):
        def __iter__(self) -> Any:
            raise AssertionError("the registry was scanned")

    indexed = Registry(rules=NoScan(registry.rules), index=registry.index, ids=registry.ids)
    assert indexed.match(["control/nope", "control/ec2.13"]) is registry.match(["control/ec2.13"])
    assert indexed.match(["control/nope"]) is None
    assert indexed.by_id("sg-public-ssh") is registry.match(["control/ec2.13"])


# --- modes: from the risk class, unless a rule overrides it ---------------------------------------


def test_every_risk_class_has_a_default_mode_and_only_safe_fixes_run_on_their_own() -> None:
    assert set(DEFAULT_MODE) == set(Risk)
    assert {risk for risk, mode in DEFAULT_MODE.items() if mode == "automatic"} == {Risk.SAFE}


@pytest.mark.parametrize("risk", list(Risk), ids=str)
def test_a_rule_without_a_mode_takes_its_class_default_and_one_with_a_mode_keeps_it(risk: Risk) -> None:
    remediation = next(iter(CATALOG.values()))
    catalog = {remediation.name: replace(remediation, risk=risk)}
    rule = {"id": "probe", "control": "X.1", "remediation": remediation.name}
    implicit = build_registry({"version": 1, "rules": [rule]}, catalog).by_id("probe")
    assert implicit.mode == DEFAULT_MODE[risk] and not implicit.overrides_mode
    other = "manual" if DEFAULT_MODE[risk] == "automatic" else "automatic"
    explicit = build_registry({"version": 1, "rules": [{**rule, "mode": other}]}, catalog).by_id("probe")
    assert explicit.mode == other and explicit.overrides_mode


@pytest.mark.parametrize("rule", DOCUMENT["rules"], ids=lambda rule: rule["id"])
def test_a_mode_written_in_the_registry_is_an_override(rule: dict[str, Any]) -> None:
    """A "mode" equal to the class's default would hide which rules were deliberately changed."""
    if "mode" in rule:
        default = DEFAULT_MODE[CATALOG[rule["remediation"]].risk]
        assert rule["mode"] != default, f'{rule["id"]}: drop "mode": it is {default} by its class already'


def test_readme_gives_every_remediation_its_class_mode_and_reason() -> None:
    """README's table is where a reader learns why a fix waits for a person; it must not go stale."""
    section = README.read_text(encoding="utf-8").split("### Risk classes and modes", 1)[1].split("\n#", 1)[0]
    rows = {
        cells[0].strip("` "): cells
        for line in section.splitlines()
        if line.startswith("| `") and len(cells := [c.strip() for c in line.strip("|").split("|")]) == 5
    }
    assert set(rows) == set(CATALOG)
    for name, (_, _, risk, mode, why) in rows.items():
        assert risk == CATALOG[name].risk.value, name
        assert mode == DEFAULT_MODE[CATALOG[name].risk], name
        assert len(why) > 40, f"{name}: say why"
        for rule in load_registry().rules:
            if rule.remediation.name == name and rule.overrides_mode:
                assert rule.id in why, f"{rule.id} overrides its mode: say why in README"
