"""Every sample event in `events/` driven through the engine against moto.

Each scenario names its fixture, builds the estate the event talks about, and checks three
things afterwards: the outcome per finding, the resource in moto, and the finding's
workflow status and note in Security Hub. Every scenario gets the base estate (bucket, weak
password policy, open web group); `setup` adds what only some events name (a queue, a
topic, a default security group) and returns placeholder → real id replacements. A
scenario that remediates is run a second time, which must change nothing. A meta-test
fails when a fixture has no scenario.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from localaws import estate
from localaws.doubles.config_double import started_config_evaluations
from localaws.engine_setup import make_engine
from localaws.events import event_names, findings_of, load_event
from model.errors import InvalidEventError

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


def default_group_closed(env: Estate) -> None:
    assert estate.security_group_rules(env.ids[estate.DEFAULT_SG_PLACEHOLDER]) == []


def default_group_open(env: Estate) -> None:
    assert len(estate.security_group_rules(env.ids[estate.DEFAULT_SG_PLACEHOLDER])) == 3


def ebs_encrypted_by_default(_: Estate) -> None:
    assert estate.ebs_encryption_by_default()


def queue_encrypted_with_sse_sqs(env: Estate) -> None:
    attributes = estate.queue_encryption(env.ids[estate.QUEUE_URL])
    assert attributes.get("SqsManagedSseEnabled") == "true" and not attributes.get("KmsMasterKeyId")


def topic_key_is(key: str) -> Check:
    def check(env: Estate) -> None:
        assert estate.topic_key(env.ids[estate.TOPIC_ARN]) == key

    return check


def account_public_access_blocked(_: Estate) -> None:
    assert all(estate.account_public_access_block().values())


def bucket_public_access_blocked(_: Estate) -> None:
    assert all(estate.bucket_public_access_block().values())


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
    setup: tuple[Setup, ...] = ()
    ignored: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


KMS = encryption_is("aws:kms")
AES = encryption_is("AES256")
UNENCRYPTED = encryption_is(None)
DEFAULT_GROUP = (estate.create_default_security_group,)
QUEUE = (estate.create_unencrypted_queue,)
TOPIC = (estate.create_unencrypted_topic,)
SNS_KEY = topic_key_is("alias/aws/sns")

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
    # IAM.10 (PCI DSS v3.2.1 PCI.IAM.8)
    "securityhub-imported-iam.10-pci-3.2.1-legacy.json": Scenario(
        ("remediated",), ("RESOLVED",), ("rule iam-password-policy-pci",), (password_policy_strong,)
    ),
    # Public ingress: EC2.53 is IPv4 only; EC2.18 allows only 80 and 443 from the internet
    "securityhub-imported-ec2.53-cis-3.0.0-legacy.json": Scenario(
        ("remediated",), ("RESOLVED",), ("tcp 22 from 0.0.0.0/0 → revoked",), (SSH_REVOKED,)
    ),
    "securityhub-imported-ec2.18-consolidated.json": Scenario(
        ("remediated",), ("RESOLVED",), ("tcp 3389 from ::/0 → revoked",), (ingress_is(HTTPS, PRIVATE_SSH),)
    ),
    # Default security group (EC2.2): every rule revoked; the web group is never touched
    "securityhub-imported-ec2.2-consolidated.json": Scenario(
        ("remediated",),
        ("RESOLVED",),
        ("all traffic to ::/0 → revoked",),
        (default_group_closed, ALL_INGRESS),
        setup=DEFAULT_GROUP,
    ),
    "securityhub-imported-ec2.2-cis-1.2.0-legacy.json": Scenario(
        ("remediated",),
        ("RESOLVED",),
        ("rule sg-default-closed",),
        (default_group_closed,),
        setup=DEFAULT_GROUP,
    ),
    "securityhub-imported-ec2.2-pci-3.2.1-legacy.json": Scenario(
        ("remediated",),
        ("RESOLVED",),
        ("all traffic to 0.0.0.0/0 → revoked",),
        (default_group_closed,),
        setup=DEFAULT_GROUP,
    ),
    "securityhub-imported-ec2.2-not-default-group.json": Scenario(
        ("failed",),
        ("NOTIFIED",),
        ("not a VPC's default security group",),
        (ALL_INGRESS, default_group_open),
        setup=DEFAULT_GROUP,
    ),
    "config-vpc-default-security-group-closed-securityhub-rule.json": Scenario(
        ("remediated",),
        checks=(
            default_group_closed,
            config_evaluation_started("securityhub-vpc-default-security-group-closed-8f2a61c4"),
        ),
        config_rules=(
            ("securityhub-vpc-default-security-group-closed-8f2a61c4", "VPC_DEFAULT_SECURITY_GROUP_CLOSED"),
        ),
        setup=DEFAULT_GROUP,
    ),
    # EBS encryption by default (EC2.7)
    "securityhub-imported-ec2.7-consolidated.json": Scenario(
        ("remediated",), ("RESOLVED",), ("EbsEncryptionByDefault: false → true",), (ebs_encrypted_by_default,)
    ),
    "securityhub-imported-ec2.7-cis-1.4.0-legacy.json": Scenario(
        ("remediated",), ("RESOLVED",), ("rule ebs-default-encryption",), (ebs_encrypted_by_default,)
    ),
    "config-ec2-ebs-encryption-by-default-securityhub-rule.json": Scenario(
        ("remediated",),
        checks=(
            ebs_encrypted_by_default,
            config_evaluation_started("securityhub-ec2-ebs-encryption-by-default-1f6c0d3b"),
        ),
        config_rules=(
            ("securityhub-ec2-ebs-encryption-by-default-1f6c0d3b", "EC2_EBS_ENCRYPTION_BY_DEFAULT"),
        ),
    ),
    # SQS queue encryption (SQS.1); the Config event names the queue by URL. Security Hub's
    # rule is a custom Lambda rule moto cannot create, so no re-evaluation is checked for it.
    "securityhub-imported-sqs.1-consolidated.json": Scenario(
        ("remediated",),
        ("RESOLVED",),
        ("SqsManagedSseEnabled: false → true",),
        (queue_encrypted_with_sse_sqs,),
        setup=QUEUE,
    ),
    "securityhub-imported-sqs.1-afsbp-legacy.json": Scenario(
        ("remediated",),
        ("RESOLVED",),
        ("rule sqs-queue-encryption",),
        (queue_encrypted_with_sse_sqs,),
        setup=QUEUE,
    ),
    "config-sqs-queue-encrypted-securityhub-rule.json": Scenario(
        ("remediated",), checks=(queue_encrypted_with_sse_sqs,), setup=QUEUE
    ),
    # SNS topic encryption (SNS.1)
    "securityhub-imported-sns.1-consolidated.json": Scenario(
        ("remediated",), ("RESOLVED",), ("KmsMasterKeyId: none → alias/aws/sns",), (SNS_KEY,), setup=TOPIC
    ),
    "securityhub-imported-sns.1-nist-800-53-legacy.json": Scenario(
        ("remediated",), ("RESOLVED",), ("rule sns-topic-encryption",), (SNS_KEY,), setup=TOPIC
    ),
    "config-sns-encrypted-kms-securityhub-rule.json": Scenario(
        ("remediated",),
        checks=(SNS_KEY, config_evaluation_started("securityhub-sns-encrypted-kms-9a4f2c71")),
        config_rules=(("securityhub-sns-encrypted-kms-9a4f2c71", "SNS_ENCRYPTED_KMS"),),
        setup=TOPIC,
    ),
    # Account-level S3 Block Public Access (S3.1)
    "securityhub-imported-s3.1-consolidated.json": Scenario(
        ("remediated",),
        ("RESOLVED",),
        ("RestrictPublicBuckets: false → true",),
        (account_public_access_blocked,),
    ),
    "securityhub-imported-s3.1-cis-1.4.0-legacy.json": Scenario(
        ("remediated",),
        ("RESOLVED",),
        ("rule s3-account-public-access-block",),
        (account_public_access_blocked,),
    ),
    "config-s3-account-level-public-access-blocks-periodic-securityhub-rule.json": Scenario(
        ("remediated",),
        checks=(
            account_public_access_blocked,
            config_evaluation_started("securityhub-s3-account-level-public-access-blocks-periodic-6d8e1a50"),
        ),
        config_rules=(
            (
                "securityhub-s3-account-level-public-access-blocks-periodic-6d8e1a50",
                "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC",
            ),
        ),
    ),
    # Bucket-level S3 Block Public Access (S3.8, S3.2, S3.3)
    "securityhub-imported-s3.8-consolidated.json": Scenario(
        ("remediated",), ("RESOLVED",), ("BlockPublicAcls: false → true",), (bucket_public_access_blocked,)
    ),
    "securityhub-imported-s3.8-cis-1.4.0-legacy.json": Scenario(
        ("remediated",),
        ("RESOLVED",),
        ("rule s3-bucket-public-access-block",),
        (bucket_public_access_blocked,),
    ),
    "securityhub-imported-s3.2-pci-3.2.1-legacy.json": Scenario(
        ("remediated",), ("RESOLVED",), ("rule s3-bucket-public-read",), (bucket_public_access_blocked,)
    ),
    "securityhub-imported-s3.3-consolidated.json": Scenario(
        ("remediated",), ("RESOLVED",), ("rule s3-bucket-public-write",), (bucket_public_access_blocked,)
    ),
    "config-s3-bucket-level-public-access-prohibited-securityhub-rule.json": Scenario(
        ("remediated",),
        checks=(
            bucket_public_access_blocked,
            config_evaluation_started("securityhub-s3-bucket-level-public-access-prohibited-0e7b3f95"),
        ),
        config_rules=(
            (
                "securityhub-s3-bucket-level-public-access-prohibited-0e7b3f95",
                "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
            ),
        ),
    ),
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
    ids = {estate.SG_PLACEHOLDER: estate.create_open_security_group()}
    for setup in scenario.setup:
        ids.update(setup())
    env = Estate(ids)
    for rule, source in scenario.config_rules:
        estate.create_config_rule(rule, source)
    event = load_event(name, ids)
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
    if "remediated" in scenario.outcomes:
        _check_second_run_changes_nothing(event, scenario)


def _check_second_run_changes_nothing(event: dict[str, Any], scenario: Scenario) -> None:
    """The same event again: every fixed resource reads as compliant and nothing is written to it."""
    engine, recorder = make_engine()
    report = engine.handle(event)
    again = ["already-compliant" if status == "remediated" else status for status in scenario.outcomes]
    assert [f["status"] for f in report["findings"]] == again
    # Recording the outcome on the finding is the only write left.
    assert [call for call in recorder.writes if call != "securityhub.BatchUpdateFindings"] == []


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
