"""Modes per environment (issue 16, point 4): a rule's mode per account id, account tag or OU.

The resolution is pure over the environments and what Organizations says of the account; the
reader asks Organizations (moto) once per account and caches it; the engine acts in each
account in that account's mode; `remediator rules --account ID` shows every rule's mode there.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cli.main import main
from engine.accounts import PERMISSIONS as ORGANIZATIONS_READS
from engine.accounts import AccountFactsReader
from engine.handler import modes_per_environment
from engine.settings import Settings
from localaws import estate
from localaws.engine_setup import create_state_table, make_engine
from localaws.events import load_event
from model.errors import RegistryError
from rules.modes import AccountFacts, EffectiveMode, Environments, build_environments, load_environments
from rules.registry import load_registry

DEV, PROD, OTHER = "111111111111", "222222222222", "333333333333"
TABLE = "remediator-state"
SG_EVENT = "securityhub-imported-ec2.13-consolidated.json"
SAFE_RULE, AFFECTING_RULE = "s3-bucket-kms-encryption", "sg-public-ssh"
DOCUMENT: dict[str, Any] = {
    "version": 1,
    "environments": [
        {"name": "pinned", "accounts": [OTHER], "modes": {AFFECTING_RULE: "dry-run"}},
        {"name": "dev", "account_tags": {"environment": "dev"}, "modes": {"*": "automatic"}},
        {
            "name": "prod",
            "organizational_units": ["ou-abcd-prod0001"],
            "modes": {"*": "approve", SAFE_RULE: "automatic"},
        },
    ],
}
FACTS = {
    DEV: AccountFacts(tags={"environment": "dev", "team": "a"}),
    PROD: AccountFacts(
        tags={"environment": "prod"}, organizational_units=("ou-abcd-apps0001", "ou-abcd-prod0001")
    ),
    OTHER: AccountFacts(tags={"environment": "dev"}),
}


@pytest.fixture
def environments() -> Environments:
    return build_environments(DOCUMENT, frozenset(rule.id for rule in load_registry().rules))


class CountingFacts:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, account: str) -> AccountFacts:
        self.asked.append(account)
        return FACTS.get(account, AccountFacts(tags={}))


def test_modes_resolve_per_account_tag_and_ou(environments: Environments) -> None:
    registry, facts = load_registry(), CountingFacts()
    safe, affecting = registry.by_id(SAFE_RULE), registry.by_id(AFFECTING_RULE)
    assert environments.mode_for(affecting, DEV, facts) == EffectiveMode(
        "automatic", "environment dev", "dev"
    )
    assert environments.mode_for(affecting, PROD, facts) == EffectiveMode(
        "approve", "environment prod", "prod"
    )
    assert environments.mode_for(safe, PROD, facts).mode == "automatic", "a rule id beats '*'"


def test_an_account_id_selects_without_asking_organizations(environments: Environments) -> None:
    facts = CountingFacts()
    rule = load_registry().by_id(AFFECTING_RULE)
    assert environments.mode_for(rule, OTHER, facts) == EffectiveMode(
        "dry-run", "environment pinned", "pinned"
    )
    assert facts.asked == []


def test_an_environment_without_a_mode_for_the_rule_leaves_it_to_the_next(environments: Environments) -> None:
    """`pinned` names only sg-public-ssh: OTHER's other rules fall through to its tag (dev)."""
    rule = load_registry().by_id(SAFE_RULE)
    assert environments.mode_for(rule, OTHER, CountingFacts()).environment == "dev"


def test_an_account_no_environment_selects_keeps_the_registry_mode(environments: Environments) -> None:
    facts = CountingFacts()
    affecting = load_registry().by_id(AFFECTING_RULE)
    assert environments.mode_for(affecting, "444444444444", facts) == EffectiveMode("manual", "risk class")
    assert environments.mode_for(affecting, "444444444444", facts, approval_mode=True) == EffectiveMode(
        "approve", "ApprovalMode"
    )
    assert facts.asked == ["444444444444", "444444444444"], "once per resolution; the reader caches"


def test_an_entrys_own_mode_wins_over_approval_mode() -> None:
    rule = load_registry().by_id(AFFECTING_RULE)._replace(mode="manual", mode_declared=True)
    assert Environments().mode_for(rule, DEV, None, approval_mode=True) == EffectiveMode(
        "manual", "registry entry"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"modes": {"*": "sometimes"}}, "modes"),
        ({"accounts": ["12345"]}, "accounts"),
        ({"modes": {"no-such-rule": "manual"}}, "unknown rules ['no-such-rule']"),
    ],
)
def test_the_file_is_validated(change: dict[str, Any], message: str) -> None:
    entry = {**DOCUMENT["environments"][0], **change}
    with pytest.raises(RegistryError, match=message.replace("[", r"\[").replace("]", r"\]")):
        build_environments({"version": 1, "environments": [entry]}, frozenset({AFFECTING_RULE}))


def test_an_environment_must_select_something() -> None:
    with pytest.raises(RegistryError):
        build_environments({"version": 1, "environments": [{"name": "x", "modes": {"*": "manual"}}]}, None)


def test_the_shipped_file_is_valid_and_names_registered_rules() -> None:
    load_environments(rule_ids=frozenset(rule.id for rule in load_registry().rules))


@pytest.fixture
def organization(aws: None) -> dict[str, str]:
    """An organization in moto: the estate's account tagged dev, a member under prod/apps."""
    org = boto3.client("organizations", region_name=estate.REGION)
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    prod = org.create_organizational_unit(ParentId=root, Name="prod")["OrganizationalUnit"]["Id"]
    apps = org.create_organizational_unit(ParentId=prod, Name="apps")["OrganizationalUnit"]["Id"]
    member = org.create_account(Email="member@example.com", AccountName="member")["CreateAccountStatus"][
        "AccountId"
    ]
    org.move_account(AccountId=member, SourceParentId=root, DestinationParentId=apps)
    org.tag_resource(ResourceId=estate.ACCOUNT, Tags=[{"Key": "environment", "Value": "dev"}])
    return {"prod": prod, "apps": apps, "member": member}


def counting_client(calls: list[str]) -> Any:
    client = boto3.client("organizations", region_name=estate.REGION)
    client.meta.events.register("before-call.organizations", lambda model, **_: calls.append(model.name))
    return client


def test_the_reader_asks_organizations_once_per_account(organization: dict[str, str]) -> None:
    calls: list[str] = []
    reader = AccountFactsReader(lambda: counting_client(calls))
    member = organization["member"]
    for _ in range(3):
        assert reader(member) == AccountFacts(
            tags={}, organizational_units=(organization["apps"], organization["prod"])
        )
        assert reader(estate.ACCOUNT) == AccountFacts(tags={"environment": "dev"})
    assert calls.count("ListTagsForResource") == 2, "one per account, then the cache"
    assert calls.count("ListParents") == 3 + 1, "member: apps, prod, root; the estate's account: root"
    assert reader.reads == 2


def test_the_cache_lapses_after_an_hour(organization: dict[str, str]) -> None:
    now = [1000.0]
    calls: list[str] = []
    reader = AccountFactsReader(lambda: counting_client(calls), clock=lambda: now[0])
    reader(estate.ACCOUNT)
    now[0] += 3601
    reader(estate.ACCOUNT)
    assert calls.count("ListTagsForResource") == 2


def test_an_account_outside_the_organization_has_no_tags_or_ous(organization: dict[str, str]) -> None:
    assert AccountFactsReader(lambda: counting_client([]))("999999999999") == AccountFacts(tags={})


def engine_in(environments: dict[str, Any], world_settings: Settings) -> Any:
    engine, recorder = make_engine(world_settings)
    document = build_environments(environments, None)
    engine.modes = modes_per_environment(document, world_settings, engine.clients)
    return engine, recorder


def test_the_engine_fixes_in_a_dev_account_and_asks_in_prod(organization: dict[str, str]) -> None:
    estate.enable_security_hub()
    create_state_table(TABLE)
    group = estate.create_open_security_group()
    loaded = load_event(SG_EVENT, {estate.SG_PLACEHOLDER: group})
    estate.import_findings(loaded)
    world = Settings(home_account_id=estate.ACCOUNT, state_table=TABLE)
    dev = {
        "version": 1,
        "environments": [
            {"name": "dev", "account_tags": {"environment": "dev"}, "modes": {"*": "automatic"}}
        ],
    }
    prod = {
        "version": 1,
        "environments": [
            {"name": "prod", "organizational_units": [organization["prod"]], "modes": {"*": "automatic"}},
            {"name": "rest", "account_tags": {"environment": "dev"}, "modes": {"*": "approve"}},
        ],
    }

    engine, recorder = engine_in(prod, world)
    (line,) = engine.handle(loaded)["findings"]
    assert (
        line["status"] == "waiting"
        and line["reason"] == "rule sg-public-ssh needs an approval in environment rest"
    )
    assert recorder.count("organizations.ListTagsForResource") == 1

    engine, recorder = engine_in(dev, world)
    assert engine.handle(loaded)["findings"][0]["status"] == "remediated"
    assert ("tcp", 22, "0.0.0.0/0") not in estate.ingress_rules(group)


def test_a_refused_organizations_read_fails_the_finding_and_acts_on_nothing(aws: None) -> None:
    """The stack's account may not read Organizations: the engine must not fall back to a laxer mode."""
    estate.enable_security_hub()
    group = estate.create_open_security_group()
    loaded = load_event(SG_EVENT, {estate.SG_PLACEHOLDER: group})
    estate.import_findings(loaded)
    document = build_environments(
        {
            "version": 1,
            "environments": [
                {"name": "dev", "account_tags": {"environment": "dev"}, "modes": {"*": "automatic"}}
            ],
        },
        None,
    )

    def refused(account: str) -> AccountFacts:
        error = {"Error": {"Code": "AccessDeniedException", "Message": "not the management account"}}
        raise ClientError(error, "ListTagsForResource")  # type: ignore[arg-type]

    engine, recorder = make_engine(Settings(home_account_id=estate.ACCOUNT))
    engine.modes = partial(document.mode_for, facts=refused, approval_mode=False)
    (line,) = engine.handle(loaded)["findings"]
    assert line["status"] == "failed" and line["error_code"] == "AccessDeniedException"
    assert "needs its tags and OUs" in line["reason"]
    assert ("tcp", 22, "0.0.0.0/0") in estate.ingress_rules(group)
    assert "ec2.DescribeSecurityGroupRules" not in recorder.calls


def test_rules_account_shows_each_rules_mode_there(
    organization: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "environments.json"
    path.write_text(
        json.dumps(
            {
                "version": 1,
                "environments": [
                    {
                        "name": "prod",
                        "organizational_units": [organization["prod"]],
                        "modes": {"*": "approve", SAFE_RULE: "automatic"},
                    }
                ],
            }
        )
    )
    member = organization["member"]
    assert (
        main(["rules", "--account", member, "--environments", str(path), "--json", "--region", estate.REGION])
        == 0
    )
    entries = {entry["id"]: entry for entry in json.loads(capsys.readouterr().out)}
    assert entries[AFFECTING_RULE]["account_mode"] == "approve"
    assert entries[AFFECTING_RULE]["account_mode_from"] == "environment prod"
    assert entries[SAFE_RULE]["account_mode"] == "automatic"
    assert {entry["account_mode"] for entry in entries.values()} == {"approve", "automatic"}

    assert (
        main(["rules", "--account", estate.ACCOUNT, "--environments", str(path), "--region", estate.REGION])
        == 0
    )
    out = capsys.readouterr().out
    assert (
        f"mode in {estate.ACCOUNT}" in out
        and "manual (risk class)" in out
        and "automatic (risk class)" in out
    )

    assert main(["rules", "--account", "12", "--region", estate.REGION]) == 2


def test_the_stack_grants_the_organizations_reads_only_when_an_environment_needs_them(
    monkeypatch: pytest.MonkeyPatch, environments: Environments
) -> None:
    from deploy import functions

    family = functions.families(load_registry().rules)[0]

    def granted() -> set[str]:
        return {action for statement in functions.role_statements(family) for action in statement.actions}

    assert not granted() & set(ORGANIZATIONS_READS), "the shipped file selects by id only"
    monkeypatch.setattr(functions, "load_environments", lambda: environments)
    assert set(ORGANIZATIONS_READS) <= granted()
    by_id = build_environments({"version": 1, "environments": [DOCUMENT["environments"][0]]}, None)
    monkeypatch.setattr(functions, "load_environments", lambda: by_id)
    assert not granted() & set(ORGANIZATIONS_READS)
