"""Meta-tests that keep the registries honest (after Cloud Custodian's tests/test_policy.py)."""

from __future__ import annotations

import copy
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from model.errors import RegistryError
from remediations import FAMILIES, MODULES, catalog
from remediations.base import Remediation, Risk, build_catalog
from rules.registry import (
    DEFAULT_MODE,
    REGISTRY_PATH,
    SCHEMA_PATH,
    Registry,
    Rule,
    UnloadedRule,
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
    remediation = catalog()[rule["remediation"]]
    jsonschema.Draft7Validator.check_schema(remediation.parameters_schema)
    jsonschema.validate(rule.get("parameters", {}), remediation.parameters_schema)


@pytest.mark.parametrize("remediation", catalog().values(), ids=lambda r: r.name)
def test_every_remediation_declares_a_closed_schema_and_permissions(remediation: Remediation) -> None:
    assert remediation.permissions.read and remediation.permissions.write, "declares the IAM actions it calls"
    assert all(":" in action and "*" not in action for action in remediation.permissions.all)
    assert remediation.parameters_schema.get("additionalProperties") is False
    assert remediation.identity.types
    # One module holds it all: read, plan, revert and its cases.
    assert remediation.read.__module__ == remediation.plan.__module__ == remediation.revert.__module__
    assert remediation.cases.__module__ == remediation.read.__module__


def test_every_remediation_is_used_by_a_rule() -> None:
    assert {rule["remediation"] for rule in DOCUMENT["rules"]} == set(catalog())


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
        (lambda d: d["rules"][1].update(remediation="s4.encrypt"), "unknown remediation 's4.encrypt'"),
    ],
)
def test_a_broken_registry_fails_at_load_naming_the_entry(mutate: Any, message: str) -> None:
    document = broken(mutate)
    with pytest.raises(RegistryError) as raised:
        build_registry(document, catalog())
    assert message in str(raised.value)
    if message not in ("used twice", "remediation", "mode", "colour"):
        assert repr(document["rules"][1]["id"]) in str(raised.value)


def test_duplicate_remediation_names_are_an_error() -> None:
    remediation = next(iter(catalog().values()))
    with pytest.raises(RegistryError, match="declared twice"):
        build_catalog([remediation, remediation])


def test_key_writes_need_a_remediation_that_takes_a_key() -> None:
    remediation = catalog()["s3.block-bucket-public-access"]
    keyless = remediation._replace(
        permissions=remediation.permissions._replace(with_key=("kms:CreateGrant",))
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


# --- families: the catalog is one list, imported a family at a time ------------------------------


REMEDIATION_FILES = sorted(
    path.stem
    for path in (Path(__file__).resolve().parents[1] / "remediations").glob("*.py")
    if re.search(r"^REMEDIATION\b", path.read_text(encoding="utf-8"), re.MULTILINE)
)


def test_every_remediation_module_is_listed_under_the_family_its_name_starts_with() -> None:
    listed = {module: family for family, modules in MODULES.items() for module in modules}
    assert sorted(listed) == REMEDIATION_FILES, "a module declaring REMEDIATION is missing from MODULES"
    for module, family in listed.items():
        remediation = importlib.import_module(f"remediations.{module}").REMEDIATION
        assert module.startswith(f"{family}_") and remediation.family == family, module


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_a_family_catalog_imports_that_family_alone(family: str) -> None:
    """A fresh interpreter, as a function's cold start: no other family's remediation is imported."""
    code = (
        f"import json, sys; from remediations import catalog; names = sorted(catalog([{family!r}]));"
        "print(json.dumps([names, sorted(m for m in sys.modules if m.startswith('remediations.'))]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    names, modules = json.loads(out)
    assert names == sorted(name for name, r in catalog().items() if r.family == family)
    listed = {f"remediations.{module}": f for f, ms in MODULES.items() for module in ms}
    assert {listed[m] for m in modules if m in listed} == {family}


def test_the_catalog_of_families_is_their_union_and_an_unknown_family_is_an_error() -> None:
    assert catalog() is catalog(FAMILIES), "one catalog per set of families, built once"
    for family in FAMILIES:
        assert {r.family for r in catalog({family}).values()} == {family}
    assert dict(catalog()) == {name: r for f in FAMILIES for name, r in catalog({f}).items()}
    with pytest.raises(RegistryError, match="unknown remediation families"):
        catalog({"s4"})


def test_a_family_registry_binds_its_rules_and_indexes_the_others_unloaded() -> None:
    whole = load_registry()
    s3 = load_registry(catalog=catalog({"s3"}))
    assert [rule.id for rule in s3.rules] == [rule.id for rule in whole.rules if rule.family == "s3"]
    assert [rule.id for rule in s3.unloaded] == [rule.id for rule in whole.rules if rule.family != "s3"]
    assert s3.index.keys() == whole.index.keys(), "every finding of a known rule is recognised"
    elsewhere = s3.match(["control/ec2.13"])
    assert (
        isinstance(elsewhere, UnloadedRule) and elsewhere.family == "ec2" and elsewhere.id == "sg-public-ssh"
    )
    assert isinstance(s3.match(["control/s3.8"]), Rule)
    with pytest.raises(RegistryError, match="of the ec2 family, not loaded here"):
        s3.by_id("sg-public-ssh")


def test_the_parameters_of_unloaded_rules_are_checked_where_the_whole_catalog_is() -> None:
    """A function's cold start validates its own rules; the suite and `make template` check them all."""
    document = broken(lambda d: d["rules"][1].update(parameters={"algorithm": "ROT13"}))
    assert document["rules"][1]["remediation"].startswith("s3.")
    build_registry(document, catalog({"iam"}))
    with pytest.raises(RegistryError, match="parameters"):
        build_registry(document, catalog())


# --- modes: from the risk class, unless a rule overrides it ---------------------------------------


def test_every_risk_class_has_a_default_mode_and_only_safe_fixes_run_on_their_own() -> None:
    assert set(DEFAULT_MODE) == set(Risk)
    assert {risk for risk, mode in DEFAULT_MODE.items() if mode == "automatic"} == {Risk.SAFE}


@pytest.mark.parametrize("risk", list(Risk), ids=str)
def test_a_rule_without_a_mode_takes_its_class_default_and_one_with_a_mode_keeps_it(risk: Risk) -> None:
    remediation = next(iter(catalog().values()))
    probe = {remediation.name: remediation._replace(risk=risk)}
    rule = {"id": "probe", "control": "X.1", "remediation": remediation.name}
    implicit = build_registry({"version": 1, "rules": [rule]}, probe).by_id("probe")
    assert implicit.mode == DEFAULT_MODE[risk] and not implicit.overrides_mode
    other = "manual" if DEFAULT_MODE[risk] == "automatic" else "automatic"
    explicit = build_registry({"version": 1, "rules": [{**rule, "mode": other}]}, probe).by_id("probe")
    assert explicit.mode == other and explicit.overrides_mode


@pytest.mark.parametrize("rule", DOCUMENT["rules"], ids=lambda rule: rule["id"])
def test_a_mode_written_in_the_registry_is_an_override(rule: dict[str, Any]) -> None:
    """A "mode" equal to the class's default would hide which rules were deliberately changed."""
    if "mode" in rule:
        default = DEFAULT_MODE[catalog()[rule["remediation"]].risk]
        assert rule["mode"] != default, f'{rule["id"]}: drop "mode": it is {default} by its class already'


def test_readme_gives_every_remediation_its_class_mode_and_reason() -> None:
    """README's table is where a reader learns why a fix waits for a person; it must not go stale."""
    section = README.read_text(encoding="utf-8").split("### Risk classes and modes", 1)[1].split("\n#", 1)[0]
    rows = {
        cells[0].strip("` "): cells
        for line in section.splitlines()
        if line.startswith("| `") and len(cells := [c.strip() for c in line.strip("|").split("|")]) == 5
    }
    assert set(rows) == set(catalog())
    for name, (_, _, risk, mode, why) in rows.items():
        assert risk == catalog()[name].risk.value, name
        assert mode == DEFAULT_MODE[catalog()[name].risk], name
        assert len(why) > 40, f"{name}: say why"
        for rule in load_registry().rules:
            if rule.remediation.name == name and rule.overrides_mode:
                assert rule.id in why, f"{rule.id} overrides its mode: say why in README"
