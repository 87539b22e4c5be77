"""Every sample event in `events/` driven through the engine against moto.

Two kinds of sample events:
- Events a rule fixes (every `securityhub-…` / `config-…` event not listed below) are checked
  from the registry and the remediation's own live case, with no table: the remediation's
  `setup` makes the non-compliant resource in moto, the event is pointed at it, and the engine
  must remediate every finding, leave the resource reading as compliant by the remediation's
  own `read` and `plan`, set Security Hub findings RESOLVED with each change in the note, and
  change nothing on a second delivery. A new remediation's events are checked this way with
  no edit here.
- Events about the engine's own behaviour (invalid, passed, suppressed, archived, no rule,
  several families at once, Config re-evaluation, OCSF findings of AWS Security Hub) are the
  `SCENARIOS` below: each builds the base estate and checks the outcome per finding, the
  resource and the finding's note (an OCSF finding's status and comment, read through
  GetFindingsV2).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import boto3
import pytest

from engine.parse import IMPORTED_V2, parse_event
from engine.settings import Settings
from localaws import estate
from localaws.doubles.config_double import started_config_evaluations
from localaws.engine_setup import make_engine
from localaws.estate import iam_users
from localaws.events import event_names, findings_of, load_event
from localaws.sessions import assume_role_session
from model.errors import InvalidEventError
from model.finding import Finding, FindingSource, Resource
from remediations import catalog
from remediations.base import Remediation
from remediations.destinations import DestinationNeededError, resolve
from rules.registry import Rule, UnloadedRule, load_registry

REGISTRY = load_registry()

OPEN_SSH = ("tcp", 22, "0.0.0.0/0")
OPEN_RDP_V6 = ("tcp", 3389, "::/0")
HTTPS = ("tcp", 443, "0.0.0.0/0")
PRIVATE_SSH = ("tcp", 22, "10.0.0.0/8")


@dataclass(frozen=True)
class Estate:
    ids: Mapping[str, str]  # placeholder in the events → id moto made

    @property
    def group_id(self) -> str:
        return self.ids[estate.SG_PLACEHOLDER]


Check = Callable[[Estate], None]
#: Creates resources some events name; returns placeholder → real id replacements.
Setup = Callable[[], Mapping[str, str]]


def encryption_is(algorithm: str | None) -> Check:
    def check(_: Estate) -> None:
        assert estate.bucket_encryption() == algorithm

    return check


def password_policy_strong(_: Estate) -> None:
    policy = estate.password_policy()
    assert policy["MinimumPasswordLength"] == 14
    assert policy["MaxPasswordAge"] == 90  # the weak policy had 180
    assert policy["PasswordReusePrevention"] == 24
    assert all(policy[f] for f in ("RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters"))
    assert not policy.get("HardExpiry")


def password_policy_unchanged(_: Estate) -> None:
    policy = estate.password_policy()
    assert {k: policy.get(k) for k in estate.WEAK_POLICY} == estate.WEAK_POLICY


def ingress_is(*expected: tuple[str, int, str]) -> Check:
    def check(env: Estate) -> None:
        rules = estate.ingress_rules(env.group_id)
        assert {r for r in rules if r[2].startswith(("0.0.0.0", "::", "10."))} == set(expected)
        assert any(r[2].startswith("sg-") for r in rules), "the rule from the peer group must stay"

    return check


ALL_INGRESS = ingress_is(OPEN_SSH, OPEN_RDP_V6, HTTPS, PRIVATE_SSH)
SSH_REVOKED = ingress_is(OPEN_RDP_V6, HTTPS, PRIVATE_SSH)


def default_group_open(env: Estate) -> None:
    assert len(estate.security_group_rules(env.ids[estate.DEFAULT_SG_PLACEHOLDER])) == 3


def config_evaluation_started(rule: str) -> Check:
    def check(_: Estate) -> None:
        assert rule in started_config_evaluations(estate.ACCOUNT, estate.REGION)

    return check


def no_config_evaluation(_: Estate) -> None:
    assert started_config_evaluations(estate.ACCOUNT, estate.REGION) == []


def access_keys_active(_: Estate) -> None:
    assert iam_users.access_key_statuses() == ["Active", "Active"]


#: The member account of the OCSF sample from another Region, and the role the engine assumes there.
MEMBER, MEMBER_ROLE = "210987654321", "RemediatorMember"
MEMBER_SETTINGS = Settings(home_account_id=estate.ACCOUNT, member_role_name=MEMBER_ROLE)


def member_session() -> Any:
    return assume_role_session(MEMBER, MEMBER_ROLE, session_name="estate-setup")


def weak_member_password_policy() -> Mapping[str, str]:
    estate.set_weak_password_policy(session=member_session())
    return {}


def member_password_policy_strong(_: Estate) -> None:
    policy = estate.password_policy(session=member_session())
    assert policy["MinimumPasswordLength"] == 14 and policy["PasswordReusePrevention"] == 24


@dataclass(frozen=True)
class Scenario:
    outcomes: tuple[str, ...] = ()  # status per finding, in report order
    workflows: tuple[str | None, ...] = ()  # workflow status per finding afterwards
    note_contains: tuple[str | None, ...] = ()  # a fragment of each finding's note, None: no note
    checks: tuple[Check, ...] = ()
    raises: str = ""  # InvalidEventError path fragment
    config_rules: tuple[tuple[str, str], ...] = ()  # (name, source identifier) to create first
    setup: tuple[Setup, ...] = ()
    settings: Settings | None = None  # the engine's, when not the default
    extra: dict[str, Any] = field(default_factory=dict)


KMS = encryption_is("aws:kms")
AES = encryption_is("AES256")
UNENCRYPTED = encryption_is(None)
DEFAULT_GROUP = (estate.create_default_security_group,)

SCENARIOS: dict[str, Scenario] = {
    # Trust: only Security Hub's own control findings and AWS's Config rules are acted on
    "forged-securityhub-imported-ec2.2-member-product.json": Scenario(
        ("skipped",),
        ("NEW",),
        ("not a Security Hub control finding",),
        (default_group_open, ALL_INGRESS),
        setup=DEFAULT_GROUP,
    ),
    "forged-config-restricted-ssh-custom-rule.json": Scenario(
        ("skipped",),
        checks=(ALL_INGRESS,),
        setup=(partial(estate.create_custom_config_rule, "restricted-ssh"),),
    ),
    "securityhub-imported-ec2.13-passed.json": Scenario(("skipped",), ("RESOLVED",), (None,), (ALL_INGRESS,)),
    "securityhub-imported-ec2.13-suppressed.json": Scenario(
        ("skipped",), ("SUPPRESSED",), (None,), (ALL_INGRESS,)
    ),
    "securityhub-imported-ec2.13-archived.json": Scenario(("skipped",), ("NEW",), (None,), (ALL_INGRESS,)),
    "securityhub-imported-macie.1-no-rule.json": Scenario(
        ("skipped",), ("NEW",), ("no rule in the registry for Macie.1",), (password_policy_unchanged,)
    ),
    "securityhub-custom-action-mixed.json": Scenario(
        ("remediated", "remediated", "remediated", "skipped"),
        ("RESOLVED", "RESOLVED", "RESOLVED", "NEW"),
        (
            "aws:kms",
            "MinimumPasswordLength: 8 → 14",
            "tcp 22 from 0.0.0.0/0",
            "no rule in the registry for Macie.1",
        ),
        (KMS, password_policy_strong, SSH_REVOKED),
    ),
    "invalid-custom-action-finding-without-resources.json": Scenario(
        ("remediated", "failed"),
        (None, "RESOLVED"),
        (None, "MinimumPasswordLength"),
        (password_policy_strong, UNENCRYPTED),
    ),
    "invalid-imported-finding-without-id.json": Scenario(
        raises="findings[0]", checks=(password_policy_unchanged,)
    ),
    "invalid-missing-detail.json": Scenario(raises="event", checks=(password_policy_unchanged,)),
    "invalid-findings-not-a-list.json": Scenario(
        raises="event.detail.findings", checks=(password_policy_unchanged,)
    ),
    "invalid-unknown-detail-type.json": Scenario(
        raises="event.detail-type", checks=(password_policy_unchanged,)
    ),
    # AWS Security Hub (OCSF, `Findings Imported V2`): resolved through BatchUpdateFindingsV2
    "securityhub-imported-v2-s3.17-consolidated.json": Scenario(
        ("remediated",), ("Resolved",), ("SSEAlgorithm: none → aws:kms",), (KMS,)
    ),
    "securityhub-imported-v2-iam.7-member-eu-west-1.json": Scenario(
        ("remediated",),
        ("Resolved",),
        ("MinimumPasswordLength: 8 → 14",),
        (member_password_policy_strong, password_policy_unchanged),
        setup=(weak_member_password_policy,),
        settings=MEMBER_SETTINGS,
    ),
    "securityhub-imported-v2-iam.15-cis-1.2.0-per-standard.json": Scenario(
        ("remediated",), ("Resolved",), ("MinimumPasswordLength: 8 → 14",), (password_policy_strong,)
    ),
    "securityhub-imported-v2-s3.17-passed.json": Scenario(
        ("skipped",), ("Resolved",), (None,), (UNENCRYPTED,)
    ),
    "securityhub-imported-v2-s3.17-suppressed.json": Scenario(
        ("skipped",), ("Suppressed",), (None,), (UNENCRYPTED,)
    ),
    "securityhub-imported-v2-macie.1-no-rule.json": Scenario(
        ("skipped",), ("New",), ("no rule in the registry for Macie.1",), (password_policy_unchanged,)
    ),
    "invalid-imported-v2-finding-without-resources.json": Scenario(
        ("failed",), ("In Progress",), ("must contain ['resources']",), (UNENCRYPTED,)
    ),
    "forged-securityhub-imported-v2-s3.17-coverage-product.json": Scenario(
        ("skipped",), ("New",), ("not a Security Hub control finding",), (UNENCRYPTED,)
    ),
    # sg-public-ssh is manual (workload-affecting): the Config event waits, nothing to re-evaluate
    "config-restricted-ssh-securityhub-rule.json": Scenario(
        ("waiting",),
        checks=(ALL_INGRESS, no_config_evaluation),
        config_rules=(("securityhub-restricted-ssh-1399bc40", "INCOMING_SSH_DISABLED"),),
    ),
    "config-iam-password-policy-conformance-pack.json": Scenario(
        ("remediated",),
        checks=(
            password_policy_strong,
            config_evaluation_started("iam-password-policy-conformance-pack-x7k2m9p4q"),
        ),
        config_rules=(("iam-password-policy-conformance-pack-x7k2m9p4q", "IAM_PASSWORD_POLICY"),),
    ),
    "config-s3-bucket-server-side-encryption-enabled-managed.json": Scenario(
        ("remediated",),
        checks=(AES, config_evaluation_started("s3-bucket-server-side-encryption-enabled")),
        config_rules=(
            ("s3-bucket-server-side-encryption-enabled", "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED"),
        ),
    ),
    # Config names an IAM user by its unique id, not the name in the ARN the live cases make:
    # the placeholder id is swapped for moto's, the rule (manual) plans from the live user and waits
    "config-access-keys-rotated-securityhub-rule.json": Scenario(
        ("waiting",),
        checks=(access_keys_active,),
        setup=(partial(iam_users.user_id_replacement, key_ages=(120, 3)),),
    ),
    "config-iam-user-unused-credentials-check-securityhub-rule.json": Scenario(
        ("waiting",),
        checks=(access_keys_active,),
        setup=(partial(iam_users.user_id_replacement, key_ages=(120, 3), key_last_used=(None, 1)),),
    ),
    "config-restricted-ssh-compliant.json": Scenario(("skipped",), checks=(ALL_INGRESS,)),
    "securityhub-imported-ec2.2-not-default-group.json": Scenario(
        ("failed",),
        ("NOTIFIED",),
        ("not a VPC's default security group",),
        (ALL_INGRESS, default_group_open),
        setup=DEFAULT_GROUP,
    ),
}


#: Calls that change no resource: recording an outcome on a finding (the one write a repeated
#: delivery may make) and assuming the member role of a member's finding.
RECORDING_CALLS = ("securityhub.BatchUpdateFindings", "securityhub.BatchUpdateFindingsV2", "sts.AssumeRole")
RULE_EVENTS = sorted(name for name in event_names() if name not in SCENARIOS)


def test_every_fixture_is_checked() -> None:
    """Engine scenarios name existing fixtures; every other fixture must be one a rule fixes."""
    assert set(SCENARIOS) <= set(event_names())
    for name in RULE_EVENTS:
        assert name.startswith(("securityhub-", "config-")), f"{name}: give it a scenario"
        assert all(target for _, target in targets(load_event(name))), f"{name}: no rule fixes it"


def targets(event: dict[str, Any]) -> list[tuple[Finding, tuple[Remediation, Resource] | None]]:
    """Each finding of the event with the remediation its rule runs and the resource it names."""
    pairs: list[tuple[Finding, tuple[Remediation, Resource] | None]] = []
    for finding in parse_event(event).findings:
        rule = REGISTRY.match(finding.lookup_keys)
        assert not isinstance(rule, UnloadedRule), "the tests load every family"
        located = rule.remediation.identity.locate(finding.resources) if rule else None
        pairs.append((finding, (rule.remediation, located) if rule and located else None))
    return pairs


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize("name", RULE_EVENTS)
def test_rule_event_fixes_the_resource_it_names(name: str) -> None:
    """The remediation's own live case makes the resource; the event is pointed at it.

    A rule in manual mode is applied by the custom action only: an automatic event for it is
    planned from the live state and waits for a person (NOTIFIED, the plan in the note); the
    resource stays as it was and nothing but the note is written.
    """
    estate.enable_security_hub()
    session = boto3.Session(region_name=estate.REGION)
    text = json.dumps(load_event(name))
    for _, target in targets(json.loads(text)):
        assert target is not None
        remediation, named = target
        live = remediation.cases().live
        made = remediation.identity.locate([live.setup(session)])
        assert made is not None
        wanted = made.name
        if remediation.identity.needs_lookup(named):  # the event names it by another id (Config: `db-…`)
            assert live.id_in is not None
            wanted = live.id_in(session, made, named.format)
        if named.name != wanted:
            text = text.replace(named.name, wanted)
    event = json.loads(text)
    estate.import_findings(event)
    engine, recorder = make_engine()

    report = engine.handle(event)

    expected = []
    for (finding, target), line in zip(targets(event), report["findings"], strict=True):
        assert target is not None
        remediation, resource = target
        rule = REGISTRY.match(finding.lookup_keys)
        assert isinstance(rule, Rule)
        acts = rule.automatic or finding.from_custom_action
        expected.append("remediated" if acts else "waiting")
        client = remediation.client_from(lambda service: session.client(service))  # type: ignore[call-overload]
        if remediation.identity.needs_lookup(resource):
            resource = remediation.identity.look_up(client, resource)
        state = remediation.read(client, resource, rule.parameters)
        try:
            planned = remediation.plan(state, rule.parameters)
        except DestinationNeededError:  # as the engine plans: with the destinations the setup published
            ssm = session.client("ssm")
            where = {"account": resource.account_id, "region": resource.region}
            planned = remediation.plan(
                state, resolve(ssm, remediation.destinations, rule.parameters, **where)
            )
        assert planned.compliant == acts, f"{resource.id}: {line}"
        assert line["changes"], f"{resource.id}: the note must say what changes, or would"
        if finding.finding_id:
            stored = estate.finding(finding.finding_id)
            assert stored["Workflow"]["Status"] == ("RESOLVED" if acts else "NOTIFIED")
            assert all(change in stored["Note"]["Text"] for change in line["changes"]), stored.get("Note")
            assert acts or "Waiting for a person" in stored["Note"]["Text"]
    assert [f["status"] for f in report["findings"]] == expected, report
    if "remediated" not in expected:
        assert [call for call in recorder.writes if call != "securityhub.BatchUpdateFindings"] == []
    _check_second_run_changes_nothing(event, Scenario(tuple(expected)))


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_fixture(name: str) -> None:
    scenario = SCENARIOS[name]
    estate.enable_security_hub()
    estate.create_bucket()
    estate.set_weak_password_policy()
    ids = {estate.SG_PLACEHOLDER: estate.create_open_security_group()}
    for setup in scenario.setup:
        ids.update(setup())
    env = Estate(ids)
    for rule, source in scenario.config_rules:
        estate.create_config_rule(rule, source)
    event = load_event(name, ids)
    estate.import_findings(event)
    engine, recorder = make_engine(scenario.settings)

    if scenario.raises:
        with pytest.raises(InvalidEventError) as error:
            engine.handle(event)
        assert scenario.raises in str(error.value)
        assert recorder.writes == [], "a rejected event must not change anything"
    else:
        report = engine.handle(event)
        assert [f["status"] for f in report["findings"]] == list(scenario.outcomes)
        _check_findings(event, scenario)
    for check in scenario.checks:
        check(env)
    if not scenario.raises:  # EventBridge delivers at least once: the same event again
        _check_second_run_changes_nothing(event, scenario)
        for check in scenario.checks:
            check(env)


def _check_second_run_changes_nothing(event: dict[str, Any], scenario: Scenario) -> None:
    """The same event again: every fixed resource reads as compliant and nothing is written to it."""
    engine, recorder = make_engine(scenario.settings)
    report = engine.handle(event)
    again = ["already-compliant" if status == "remediated" else status for status in scenario.outcomes]
    assert [f["status"] for f in report["findings"]] == again
    # Recording the outcome on the finding is the only write left.
    assert [call for call in recorder.writes if call not in RECORDING_CALLS] == []


def _check_findings(event: dict[str, Any], scenario: Scenario) -> None:
    findings = findings_of(event)
    if not scenario.workflows:
        return
    # Report order is valid findings first, then invalid ones; fixtures list them in that order.
    for raw, workflow, fragment in zip(findings, scenario.workflows, scenario.note_contains, strict=True):
        if workflow is None:
            continue
        if event["detail-type"] == IMPORTED_V2:
            stored = estate.ocsf_finding(raw["finding_info"]["uid"])
            assert stored["status"] == workflow
            note = stored.get("comment")
        else:
            stored = estate.finding(raw["Id"])
            assert stored["Workflow"]["Status"] == workflow
            note = stored.get("Note", {}).get("Text")
        if fragment is None:
            assert note is None, f"unexpected note: {note}"
        else:
            assert note is not None and fragment in note, note


def id_form(finding: Finding) -> str:
    """How the finding names its control: consolidated, per-standard, a Config rule, or OCSF."""
    if finding.source is FindingSource.CONFIG:
        return "config"
    if finding.ocsf:
        return "ocsf"
    if (finding.generator_id or "").startswith("security-control/"):
        return "consolidated"
    return "per-standard"


@pytest.mark.parametrize("name", sorted(catalog()))
def test_every_remediation_has_a_sample_event_for_each_id_form_its_rules_list(name: str) -> None:
    rules = [rule for rule in REGISTRY.rules if rule.remediation.name == name]
    wanted = {
        form
        for rule in rules
        for form, listed in (
            ("consolidated", rule.control),
            ("per-standard", rule.standard_controls),
            ("config", rule.config_rules),
        )
        if listed
    }
    found = {
        id_form(finding)
        for event in event_names()
        if not event.startswith("invalid-")
        for finding, target in targets(load_event(event))
        if target and target[0].name == name
    }
    assert wanted <= found, f"{name}: add sample events for {sorted(wanted - found)}"
