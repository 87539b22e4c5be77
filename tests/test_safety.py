"""Issue 7's safety model, one behaviour a test: dry-run, exclusions, idempotency, retries,
notifications and the flap breaker, each against moto with every AWS call recorded."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import boto3
import pytest

from engine.parse import parse_event
from engine.process import OTHER_FAMILY
from engine.settings import Settings
from engine.state import CLAIM_SECONDS, StateStore
from engine.table import resource_key
from localaws import estate
from localaws.engine_setup import automatic, create_state_table, make_engine, registry_with
from localaws.events import load_event
from localaws.faults import SendFaults, inject_call_faults
from model.errors import InvalidEventError, RetryLaterError
from model.finding import Resource, ResourceFormat
from remediations import FAMILIES, catalog
from rules.registry import load_registry

TABLE = "remediator-state"
S3_EVENT = "securityhub-imported-s3.17-consolidated.json"
SG_EVENT = "securityhub-imported-ec2.13-consolidated.json"
SG_LEGACY_EVENT = "securityhub-imported-ec2.13-cis-1.2.0-legacy.json"


@pytest.fixture
def world(aws: None) -> dict[str, str]:
    estate.enable_security_hub()
    estate.create_bucket()
    estate.set_weak_password_policy()
    create_state_table(TABLE)
    return {"group": estate.create_open_security_group()}


def settings(**overrides: Any) -> Settings:
    return Settings(home_account_id=estate.ACCOUNT, state_table=TABLE, **overrides)


def event(name: str, world: dict[str, str]) -> dict[str, Any]:
    loaded = load_event(name, {estate.SG_PLACEHOLDER: world["group"]})
    estate.import_findings(loaded)
    return loaded


def test_dry_run_plans_notes_and_writes_nothing(world: dict[str, str]) -> None:
    engine, recorder = make_engine(settings(dry_run=True))
    report = engine.handle(event(SG_EVENT, world))
    assert [f["status"] for f in report["findings"]] == ["planned"]
    assert recorder.writes == ["securityhub.BatchUpdateFindings"], "dry-run may only write the note"
    assert ("tcp", 22, "0.0.0.0/0") in estate.ingress_rules(world["group"])
    stored = estate.finding(load_event(SG_EVENT)["detail"]["findings"][0]["Id"])
    assert stored["Workflow"]["Status"] == "NEW"
    assert (
        "Dry run, nothing changed" in stored["Note"]["Text"]
        and "tcp 22 from 0.0.0.0/0" in stored["Note"]["Text"]
    )


def test_dry_run_note_is_written_once_so_the_echo_event_does_not_loop(world: dict[str, str]) -> None:
    engine, recorder = make_engine(settings(dry_run=True))
    loaded = event(SG_EVENT, world)
    engine.handle(loaded)
    echo = json.loads(json.dumps(loaded))  # Security Hub re-emits the finding with our note on it
    echo["detail"]["findings"][0] = estate.finding(loaded["detail"]["findings"][0]["Id"])
    engine.handle(echo)
    assert recorder.count("securityhub.BatchUpdateFindings") == 1


def test_per_rule_dry_run(world: dict[str, str]) -> None:
    engine, recorder = make_engine(settings())
    engine.registry = registry_with(engine.registry, "sg-public-ssh", dry_run=True)
    report = engine.handle(event(SG_EVENT, world))
    assert report["findings"][0]["status"] == "planned"
    assert "ec2.RevokeSecurityGroupIngress" not in recorder.calls


def test_exclusion_tag_on_the_resource_skips_it_with_a_note(world: dict[str, str]) -> None:
    boto3.client("ec2", region_name=estate.REGION).create_tags(
        Resources=[world["group"]], Tags=[{"Key": "remediation:exclude", "Value": "owner said so"}]
    )
    engine, recorder = make_engine(settings(exclusion_tag="remediation:exclude"))
    report = engine.handle(event(SG_EVENT, world))
    assert report["findings"][0]["status"] == "skipped"
    assert "exclusion tag" in report["findings"][0]["reason"]
    assert "ec2.RevokeSecurityGroupIngress" not in recorder.calls
    stored = estate.finding(load_event(SG_EVENT)["detail"]["findings"][0]["Id"])
    assert "exclusion tag" in stored["Note"]["Text"]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"denied_accounts": frozenset({estate.ACCOUNT})}, "deny list"),
        ({"allowed_accounts": frozenset({"999999999999"})}, "not on the allow list"),
    ],
)
def test_account_lists(world: dict[str, str], overrides: dict[str, Any], reason: str) -> None:
    engine, recorder = make_engine(settings(**overrides))
    report = engine.handle(event(S3_EVENT, world))
    assert reason in report["findings"][0]["reason"]
    assert recorder.writes == ["securityhub.BatchUpdateFindings"]
    assert estate.bucket_encryption() is None


def test_disabled_rule_changes_nothing(world: dict[str, str]) -> None:
    engine, recorder = make_engine(settings())
    engine.registry = registry_with(engine.registry, "s3-bucket-kms-encryption", enabled=False)
    report = engine.handle(event(S3_EVENT, world))
    assert "disabled" in report["findings"][0]["reason"]
    assert "s3.PutBucketEncryption" not in recorder.calls


def test_same_event_twice_changes_once(world: dict[str, str]) -> None:
    engine, recorder = make_engine(settings())
    loaded = event(S3_EVENT, world)
    first, second = engine.handle(loaded), engine.handle(loaded)
    assert first["findings"][0]["status"] == "remediated"
    assert second["findings"][0]["status"] == "already-compliant"
    assert recorder.count("s3.PutBucketEncryption") == 1


def test_two_findings_for_one_resource_and_control_change_it_once(world: dict[str, str]) -> None:
    engine, recorder = make_engine(settings())
    engine.registry = automatic(engine.registry, "sg-public-ssh")  # a team's choice: this is about claims
    consolidated, legacy = engine.handle(event(SG_EVENT, world)), engine.handle(event(SG_LEGACY_EVENT, world))
    assert consolidated["findings"][0]["status"] == "remediated"
    assert legacy["findings"][0]["status"] == "already-compliant"
    assert recorder.count("ec2.RevokeSecurityGroupIngress") == 1


def test_a_resource_claimed_by_another_delivery_is_retried_not_changed(world: dict[str, str]) -> None:
    engine, recorder = make_engine(settings())
    loaded = event(S3_EVENT, world)
    store = StateStore(partial(boto3.client, "dynamodb", region_name=estate.REGION), TABLE)
    key = resource_key(
        estate.ACCOUNT, estate.REGION, "s3-bucket-kms-encryption", f"arn:aws:s3:::{estate.BUCKET}"
    )
    assert store.claim(key, "another-invocation") is not None
    with pytest.raises(RetryLaterError):
        engine.handle(loaded)
    assert "s3.PutBucketEncryption" not in recorder.calls
    assert "Note" not in estate.finding(loaded["detail"]["findings"][0]["Id"]), (
        "a retried finding is not noted yet"
    )


def test_a_lapsed_claim_does_not_block(world: dict[str, str]) -> None:
    now = [1_000_000.0]
    store = StateStore(
        partial(boto3.client, "dynamodb", region_name=estate.REGION), TABLE, clock=lambda: now[0]
    )
    assert store.claim("k", "crashed-invocation") is not None
    assert store.claim("k", "next") is None
    now[0] += CLAIM_SECONDS + 1
    assert store.claim("k", "next") is not None


def test_transient_fault_raises_for_retry_after_recording_the_rest(world: dict[str, str]) -> None:
    engine, _ = make_engine(settings())
    session = engine.clients.session
    inject_call_faults(
        session, lambda op, _: "ThrottlingException" if op == "iam.GetAccountPasswordPolicy" else None
    )
    loaded = event("securityhub-custom-action-mixed.json", world)
    with pytest.raises(RetryLaterError) as raised:
        engine.handle(loaded)
    findings: list[dict[str, Any]] = raised.value.report["findings"]  # type: ignore[assignment]
    statuses = [f["status"] for f in findings]
    assert statuses == ["remediated", "failed", "remediated", "skipped"]
    assert estate.bucket_encryption() == "aws:kms"
    # Redelivery: the fixed bucket reads compliant and is not changed again.
    engine2, recorder2 = make_engine(settings())
    report = engine2.handle(loaded)
    assert [f["status"] for f in report["findings"]][:3] == [
        "already-compliant",
        "remediated",
        "already-compliant",
    ]
    assert "s3.PutBucketEncryption" not in recorder2.calls


def test_botocore_retries_throttled_attempts_with_backoff(world: dict[str, str]) -> None:
    engine, _ = make_engine(settings())
    throttle = SendFaults("SlowDown", times=2)
    # A before-send hook returns a response to short-circuit; the stubs type hooks as returning None.
    engine.clients.session.events.register("before-send.s3.GetBucketEncryption", throttle)  # type: ignore[arg-type]
    report = engine.handle(event(S3_EVENT, world))
    assert report["findings"][0]["status"] == "remediated"
    assert throttle.attempts == 3, "two throttled attempts, then the real one"


def test_permanent_error_notifies_and_marks_notified(world: dict[str, str]) -> None:
    topic, queue = estate.create_notification_inbox()
    engine, _ = make_engine(settings(topic_arn=topic))
    inject_call_faults(
        engine.clients.session, lambda op, _: "AccessDenied" if op == "s3.PutBucketEncryption" else None
    )
    loaded = event(S3_EVENT, world)
    report = engine.handle(loaded)
    assert report["findings"][0]["error_code"] == "AccessDenied"
    stored = estate.finding(loaded["detail"]["findings"][0]["Id"])
    assert stored["Workflow"]["Status"] == "NOTIFIED" and "AccessDenied" in stored["Note"]["Text"]
    body = estate.notifications(queue)[0]
    assert (
        body["error"] == "AccessDenied" and body["control"] == "S3.17" and body["account"] == estate.ACCOUNT
    )
    assert set(body) == {"status", "finding", "account", "region", "control", "rule", "error", "reason"}


def test_flap_breaker_holds_a_resource_that_keeps_reverting(world: dict[str, str]) -> None:
    s3 = boto3.client("s3", region_name=estate.REGION)
    engine, recorder = make_engine(settings(flap_limit=3, flap_window_hours=24))
    statuses = []
    for _ in range(4):
        s3.delete_bucket_encryption(Bucket=estate.BUCKET)  # an IaC pipeline puts it back
        loaded = event(S3_EVENT, world)  # re-import resets the workflow to NEW, as a re-failure does
        statuses.append(engine.handle(loaded)["findings"][0]["status"])
    assert statuses == ["remediated", "remediated", "remediated", "held"]
    assert recorder.count("s3.PutBucketEncryption") == 3
    stored = estate.finding(loaded["detail"]["findings"][0]["Id"])
    assert stored["Workflow"]["Status"] == "NOTIFIED"
    assert "keeps reverting" in stored["Note"]["Text"]


def test_undo_record_keeps_the_before_state(world: dict[str, str]) -> None:
    engine, _ = make_engine(settings())
    engine.registry = automatic(engine.registry, "sg-public-ssh")  # a team's choice: this is about the record
    loaded = event(SG_EVENT, world)
    engine.handle(loaded)
    store = StateStore(partial(boto3.client, "dynamodb", region_name=estate.REGION), TABLE)
    record = store.load_undo(loaded["detail"]["findings"][0]["Id"])
    assert record is not None and record.remediation == "ec2.revoke-public-ingress"
    revoked = [rule for rule in record.before["Rules"] if rule not in record.after["Rules"]]
    assert [(r["IpProtocol"], r["FromPort"], r.get("CidrIpv4") or r.get("CidrIpv6")) for r in revoked] == [
        ("tcp", 22, "0.0.0.0/0")
    ]
    assert (
        record.resource_arn == f"arn:aws:ec2:{estate.REGION}:{estate.ACCOUNT}:security-group/{world['group']}"
    )


def test_a_queue_named_by_url_is_identified_by_its_arn() -> None:
    queue = Resource(
        type="AWS::SQS::Queue",
        id="https://sqs.eu-west-1.amazonaws.com/222222222222/orders",
        name="https://sqs.eu-west-1.amazonaws.com/222222222222/orders",
        account_id="222222222222",
        region="eu-west-1",
        format=ResourceFormat.CONFIG,
    )
    located = catalog()["sqs.enable-queue-encryption"].identity.locate([queue])
    assert located is not None and located.arn == "arn:aws:sqs:eu-west-1:222222222222:orders"


def test_family_functions_share_a_custom_action_and_answer_alone_for_routed_events(
    world: dict[str, str],
) -> None:
    """One function per family: each finding of a custom action gets exactly one outcome."""
    reports = []
    for families, reporter in (
        (frozenset({"s3"}), False),
        (frozenset({"iam"}), False),
        (frozenset({"ec2"}), True),
    ):
        engine, _ = make_engine(settings(families=families, report_unmatched=reporter))
        reports.append(engine.handle(event("securityhub-custom-action-mixed.json", world)))
    answered = [f["finding"] for report in reports for f in report["findings"]]
    assert sorted(answered) == sorted(
        f["Id"] for f in load_event("securityhub-custom-action-mixed.json")["detail"]["findings"]
    )
    # An imported event reaches one function only: it answers even for an invalid finding.
    engine, _ = make_engine(settings(families=frozenset({"iam"}), report_unmatched=False))
    with pytest.raises(InvalidEventError):
        engine.handle(load_event("invalid-imported-finding-without-id.json"))


def test_a_function_knows_other_families_findings_and_never_acts_on_them(world: dict[str, str]) -> None:
    """The iam function loads only iam's remediations, yet tells an s3 finding from an unmatched one."""
    engine, recorder = make_engine(settings(families=frozenset({"iam"}), report_unmatched=True))
    assert {rule.family for rule in engine.registry.rules} == {"iam"}
    assert {rule.family for rule in engine.registry.unloaded} == FAMILIES - {"iam"}
    # The custom action reaches every function: this one answers for the iam finding and, as the
    # reporting function, the one no rule matches; the s3 and ec2 findings are the others' to answer.
    mixed = event("securityhub-custom-action-mixed.json", world)
    whole = load_registry()
    family_of = {
        f.key: getattr(whole.match(f.lookup_keys), "family", None) for f in parse_event(mixed).findings
    }
    assert sorted(family_of.values(), key=str) == sorted(["s3", "iam", "ec2", None], key=str)
    report = engine.handle(mixed)
    assert sorted((family_of[line["finding"]] for line in report["findings"]), key=str) == [None, "iam"]
    # An event only the s3 function should get (a routing fault): noted, never executed here.
    recorder.calls.clear()
    report = engine.handle(event(S3_EVENT, world))
    (line,) = report["findings"]
    assert line["status"] == "failed" and line["error_code"] == OTHER_FAMILY
    assert line["remediation"] == "s3.enable-default-encryption"
    assert "s3 family" in str(line["reason"]) and "loads only iam" in str(line["reason"])
    assert recorder.writes == ["securityhub.BatchUpdateFindings"], "only the note is written"
    assert not [call for call in recorder.calls if call.startswith("s3.")], "not even read"
    # The same finding once it passed: skipped as quietly as the s3 function would, no note.
    recorder.calls.clear()
    passed = event(S3_EVENT, world)
    for finding in passed["detail"]["findings"]:
        finding["Compliance"]["Status"] = "PASSED"
    (line,) = engine.handle(passed)["findings"]
    assert line["status"] == "skipped" and "PASSED" in str(line["reason"])
    assert recorder.calls == [], "no read, no note"


def test_stack_kms_key_is_used_where_the_rule_names_none(world: dict[str, str]) -> None:
    key = boto3.client("kms", region_name=estate.REGION).create_key()["KeyMetadata"]["Arn"]
    engine, _ = make_engine(settings(kms_key_id=key))
    report = engine.handle(event(S3_EVENT, world))
    assert f"KMSMasterKeyID: none → {key}" in report["findings"][0]["changes"]
    rules = boto3.client("s3").get_bucket_encryption(Bucket=estate.BUCKET)[
        "ServerSideEncryptionConfiguration"
    ]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == key


def test_two_deliveries_of_one_event_do_not_share_a_claim(world: dict[str, str]) -> None:
    """The claim's owner is the attempt, not the event: a concurrent duplicate must wait."""
    engine, recorder = make_engine(settings())
    loaded = event(S3_EVENT, world)
    claims: list[str] = []
    store = engine.state
    assert store is not None
    original = store.claim

    def claim_and_hold(key: str, owner: str) -> Any:
        claims.append(owner)
        held = original(key, owner)
        if len(claims) == 1:  # a second delivery of the same event arrives while the first holds the claim
            with pytest.raises(RetryLaterError):
                engine.handle(loaded)
        return held

    store.claim = claim_and_hold  # type: ignore[method-assign]
    report = engine.handle(loaded)
    assert report["findings"][0]["status"] == "remediated"
    assert len(set(claims)) == 2 and recorder.count("s3.PutBucketEncryption") == 1
