"""Every sample event in `events/` driven through the engine against moto.

Each scenario names its fixture, builds the estate the event talks about, and checks three
things afterwards: the outcome per finding, the resource in moto, and the finding's
workflow status and note in Security Hub. A meta-test fails when a fixture has no scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from model.errors import InvalidEventError
from tests import estate
from tests.doubles.config_double import started_config_evaluations
from tests.engine_setup import make_engine
from tests.events import event_names, findings_of, load_event

OPEN_SSH = ("tcp", 22, "0.0.0.0/0")
OPEN_RDP_V6 = ("tcp", 3389, "::/0")
HTTPS = ("tcp", 443, "0.0.0.0/0")
PRIVATE_SSH = ("tcp", 22, "10.0.0.0/8")


@dataclass(frozen=True)
class Estate:
    group_id: str


Check = Callable[[Estate], None]


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


def config_evaluation_started(rule: str) -> Check:
    def check(_: Estate) -> None:
        assert rule in started_config_evaluations(estate.ACCOUNT, estate.REGION)

    return check


@dataclass(frozen=True)
class Scenario:
    outcomes: tuple[str, ...] = ()  # status per finding, in report order
    workflows: tuple[str | None, ...] = ()  # workflow status per finding afterwards
    note_contains: tuple[str | None, ...] = ()  # a fragment of each finding's note, None: no note
    checks: tuple[Check, ...] = ()
    raises: str = ""  # InvalidEventError path fragment
    config_rules: tuple[tuple[str, str], ...] = ()  # (name, source identifier) to create first
    ignored: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


KMS = encryption_is("aws:kms")
AES = encryption_is("AES256")
UNENCRYPTED = encryption_is(None)

SCENARIOS: dict[str, Scenario] = {
    "securityhub-imported-s3.17-consolidated.json": Scenario(
        ("remediated",), ("RESOLVED",), ("SSEAlgorithm: none → aws:kms",), (KMS,)
    ),
    "securityhub-imported-s3.4-cis-1.4.0-legacy.json": Scenario(
        ("remediated",), ("RESOLVED",), ("SSEAlgorithm: none → AES256",), (AES,)
    ),
    "securityhub-imported-iam.7-consolidated.json": Scenario(
        ("remediated",), ("RESOLVED",), ("MaxPasswordAge: 180 → 90",), (password_policy_strong,)
    ),
    "securityhub-imported-iam.15-cis-1.2.0-legacy.json": Scenario(
        ("remediated",), ("RESOLVED",), ("MinimumPasswordLength: 8 → 14",), (password_policy_strong,)
    ),
    "securityhub-imported-ec2.13-consolidated.json": Scenario(
        ("remediated",), ("RESOLVED",), ("tcp 22 from 0.0.0.0/0 → revoked",), (SSH_REVOKED,)
    ),
    "securityhub-imported-ec2.13-cis-1.2.0-legacy.json": Scenario(
        ("remediated",), ("RESOLVED",), ("rule sg-public-ssh",), (SSH_REVOKED,)
    ),
    "securityhub-imported-ec2.19-afsbp-legacy.json": Scenario(
        ("remediated",), ("RESOLVED",), ("tcp 3389 from ::/0 → revoked",), (ingress_is(HTTPS, PRIVATE_SSH),)
    ),
    "securityhub-imported-ec2.13-passed.json": Scenario(("skipped",), ("RESOLVED",), (None,), (ALL_INGRESS,)),
    "securityhub-imported-ec2.13-suppressed.json": Scenario(
        ("skipped",), ("SUPPRESSED",), (None,), (ALL_INGRESS,)
    ),
    "securityhub-imported-ec2.13-archived.json": Scenario(("skipped",), ("NEW",), (None,), (ALL_INGRESS,)),
    "securityhub-imported-cloudwatch.1-no-rule.json": Scenario(
        ("skipped",), ("NEW",), ("no rule in the registry for CloudWatch.1",), (password_policy_unchanged,)
    ),
    "securityhub-custom-action-mixed.json": Scenario(
        ("remediated", "remediated", "remediated", "skipped"),
        ("RESOLVED", "RESOLVED", "RESOLVED", "NEW"),
        (
            "aws:kms",
            "MinimumPasswordLength: 8 → 14",
            "tcp 22 from 0.0.0.0/0",
            "no rule in the registry for CloudWatch.1",
        ),
        (KMS, password_policy_strong, SSH_REVOKED),
    ),
    "securityhub-custom-action-single.json": Scenario(
        ("remediated",), ("RESOLVED",), ("rule sg-public-high-risk-ports",), (ingress_is(HTTPS, PRIVATE_SSH),)
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
    "ignored-findings-imported-v2-ocsf.json": Scenario(ignored=True, checks=(UNENCRYPTED,)),
    "config-restricted-ssh-securityhub-rule.json": Scenario(
        ("remediated",),
        checks=(SSH_REVOKED, config_evaluation_started("securityhub-restricted-ssh-1399bc40")),
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
    "config-restricted-ssh-compliant.json": Scenario(("skipped",), checks=(ALL_INGRESS,)),
}


def test_every_fixture_has_a_scenario() -> None:
    assert sorted(SCENARIOS) == event_names()


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_fixture(name: str) -> None:
    scenario = SCENARIOS[name]
    estate.enable_security_hub()
    estate.create_bucket()
    estate.set_weak_password_policy()
    env = Estate(group_id=estate.create_open_security_group())
    for rule, source in scenario.config_rules:
        estate.create_config_rule(rule, source)
    event = load_event(name, {estate.SG_PLACEHOLDER: env.group_id})
    estate.import_findings(event)
    engine, recorder = make_engine()

    if scenario.raises:
        with pytest.raises(InvalidEventError) as error:
            engine.handle(event)
        assert scenario.raises in str(error.value)
        assert recorder.writes == [], "a rejected event must not change anything"
    else:
        report = engine.handle(event)
        assert [f["status"] for f in report["findings"]] == list(scenario.outcomes)
        assert bool(report.get("ignored")) == scenario.ignored
        _check_findings(event, scenario)
    for check in scenario.checks:
        check(env)


def _check_findings(event: dict[str, Any], scenario: Scenario) -> None:
    findings = findings_of(event)
    if not scenario.workflows:
        return
    # Report order is valid findings first, then invalid ones; fixtures list them in that order.
    for raw, workflow, fragment in zip(findings, scenario.workflows, scenario.note_contains, strict=True):
        if workflow is None:
            continue
        stored = estate.finding(raw["Id"])
        assert stored["Workflow"]["Status"] == workflow
        note = stored.get("Note", {}).get("Text")
        if fragment is None:
            assert note is None, f"unexpected note: {note}"
        else:
            assert note is not None and fragment in note, note
