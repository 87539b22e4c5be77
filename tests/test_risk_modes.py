"""Risk classes and modes (issue 13): a fix that can cut a workload off waits for a person.

One test per class: a `safe` rule fixes an automatic event on its own; a `workload-affecting`
rule's automatic event reads and plans, writes nothing to the resource, notes the plan on the
finding and notifies once; the custom action (and `remediator invoke --approve`) applies it; a
`creates-resources` rule waits the same way. Every AWS call is recorded.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from cli.sweep import batch_event
from engine.decide import Decision, decide
from engine.notes import APPLY_HINT, NOTE_LIMIT, note_for
from engine.parse import parse_event
from engine.settings import Settings
from localaws import estate
from localaws.engine_setup import create_state_table, make_engine
from localaws.events import load_event
from model.outcome import Change, Outcome, Status
from remediations import catalog
from remediations.base import Risk
from rules.registry import DEFAULT_MODE, REGISTRY_PATH, Rule, build_registry, load_registry

TABLE = "remediator-state"
SAFE_EVENT = "securityhub-imported-s3.17-consolidated.json"  # s3.enable-default-encryption: safe
SG_EVENT = "securityhub-imported-ec2.13-consolidated.json"  # ec2.revoke-public-ingress: workload-affecting
SG_CONFIG_EVENT = "config-restricted-ssh-securityhub-rule.json"
QUEUE_EVENT = "securityhub-imported-sqs.1-consolidated.json"
OPEN_SSH = ("tcp", 22, "0.0.0.0/0")
#: Calls a waiting finding may make that write: its note, and the notification.
NOTE_AND_NOTICE = ["securityhub.BatchUpdateFindings", "sns.Publish"]


@pytest.fixture
def world(aws: None) -> dict[str, str]:
    estate.enable_security_hub()
    estate.create_bucket()
    create_state_table(TABLE)
    topic, queue = estate.create_notification_inbox()
    return {"group": estate.create_open_security_group(), "topic": topic, "inbox": queue}


def settings(world: dict[str, str], **overrides: Any) -> Settings:
    return Settings(home_account_id=estate.ACCOUNT, state_table=TABLE, topic_arn=world["topic"], **overrides)


def imported(name: str, world: dict[str, str]) -> dict[str, Any]:
    loaded = load_event(name, {estate.SG_PLACEHOLDER: world["group"]})
    estate.import_findings(loaded)
    return loaded


def notifications(world: dict[str, str]) -> list[dict[str, Any]]:
    return estate.notifications(world["inbox"])


def state_items() -> list[dict[str, Any]]:
    return list(boto3.client("dynamodb", region_name=estate.REGION).scan(TableName=TABLE)["Items"])


def test_the_library_has_both_modes_from_its_classes() -> None:
    """The examples below stand for their class: if a class changes, this says which test to revisit."""
    registry = load_registry()
    assert registry.by_id("s3-bucket-kms-encryption").remediation.risk is Risk.SAFE
    assert registry.by_id("s3-bucket-kms-encryption").automatic
    assert registry.by_id("sg-public-ssh").remediation.risk is Risk.WORKLOAD_AFFECTING
    assert not registry.by_id("sg-public-ssh").automatic


def test_safe_rule_remediates_an_automatic_event(world: dict[str, str]) -> None:
    engine, recorder = make_engine(settings(world))
    report = engine.handle(imported(SAFE_EVENT, world))
    assert [f["status"] for f in report["findings"]] == ["remediated"]
    assert "s3.PutBucketEncryption" in recorder.writes
    assert estate.bucket_encryption() == "aws:kms"
    assert notifications(world) == []


def test_workload_affecting_automatic_event_waits_with_the_plan_and_writes_nothing(
    world: dict[str, str],
) -> None:
    engine, recorder = make_engine(settings(world))
    loaded = imported(SG_EVENT, world)
    report = engine.handle(loaded)

    (line,) = report["findings"]
    assert line["status"] == "waiting" and line["dry_run"]
    assert line["reason"] == "rule sg-public-ssh (class workload-affecting) is manual"
    assert "ingress: tcp 22 from 0.0.0.0/0 → revoked" in line["changes"]
    assert line["request"][0]["method"] == "revoke_security_group_ingress"  # the exact call it would make
    assert "ec2.DescribeSecurityGroupRules" in recorder.calls, "the plan comes from the live state"
    assert recorder.writes == NOTE_AND_NOTICE, "no write to the resource, no claim"
    assert OPEN_SSH in estate.ingress_rules(world["group"])
    assert state_items() == []
    stored = estate.finding(loaded["detail"]["findings"][0]["Id"])
    assert stored["Workflow"]["Status"] == "NOTIFIED"
    assert stored["Note"]["Text"] == (
        "[sechub-remediator] Waiting for a person: rule sg-public-ssh (class workload-affecting) is "
        "manual. It would change: ingress: tcp 22 from 0.0.0.0/0 → revoked. " + APPLY_HINT
    )
    (notice,) = notifications(world)
    assert (
        notice["status"] == "waiting" and notice["rule"] == "sg-public-ssh" and notice["control"] == "EC2.13"
    )


def test_the_echo_and_a_reimport_of_a_waiting_finding_are_not_noted_or_announced_again(
    world: dict[str, str],
) -> None:
    engine, recorder = make_engine(settings(world))
    loaded = imported(SG_EVENT, world)
    engine.handle(loaded)
    assert len(notifications(world)) == 1
    echo = json.loads(json.dumps(loaded))  # Security Hub re-emits the finding with our note on it
    echo["detail"]["findings"][0] = estate.finding(loaded["detail"]["findings"][0]["Id"])
    for _ in range(2):  # the echo, then the next periodic import of the same state
        assert engine.handle(echo)["findings"][0]["status"] == "waiting"
    assert recorder.count("securityhub.BatchUpdateFindings") == 1
    assert recorder.count("sns.Publish") == 1
    assert notifications(world) == []


def test_custom_action_applies_a_workload_affecting_rule(world: dict[str, str]) -> None:
    engine, recorder = make_engine(settings(world))
    loaded = imported(SG_EVENT, world)
    engine.handle(loaded)  # waiting, noted
    selected = estate.finding(loaded["detail"]["findings"][0]["Id"])
    report = engine.handle(batch_event([selected], estate.ACCOUNT, estate.REGION))
    assert [f["status"] for f in report["findings"]] == ["remediated"]
    assert recorder.count("ec2.RevokeSecurityGroupIngress") == 1
    assert OPEN_SSH not in estate.ingress_rules(world["group"])
    stored = estate.finding(selected["Id"])
    assert (
        stored["Workflow"]["Status"] == "RESOLVED"
        and "Remediated by rule sg-public-ssh" in stored["Note"]["Text"]
    )


def test_an_approved_invocation_applies_a_manual_rule_to_an_automatic_event(world: dict[str, str]) -> None:
    """`remediator invoke --approve`: a person's go-ahead, which no deployed function has."""
    engine, _ = make_engine(settings(world, manual_approved=True))
    report = engine.handle(imported(SG_EVENT, world))
    assert [f["status"] for f in report["findings"]] == ["remediated"]
    assert OPEN_SSH not in estate.ingress_rules(world["group"])


def test_a_config_event_of_a_manual_rule_waits_and_notifies_without_a_note(world: dict[str, str]) -> None:
    estate.create_config_rule("securityhub-restricted-ssh-1399bc40", "INCOMING_SSH_DISABLED")
    engine, recorder = make_engine(settings(world))
    report = engine.handle(load_event(SG_CONFIG_EVENT, {estate.SG_PLACEHOLDER: world["group"]}))
    assert [f["status"] for f in report["findings"]] == ["waiting"]
    assert recorder.writes == ["sns.Publish"], "no finding to note, no Config re-evaluation, no change"
    assert OPEN_SSH in estate.ingress_rules(world["group"])
    assert [notice["status"] for notice in notifications(world)] == ["waiting"]


def test_exclusions_come_before_waiting(world: dict[str, str]) -> None:
    boto3.client("ec2", region_name=estate.REGION).create_tags(
        Resources=[world["group"]], Tags=[{"Key": "remediation:exclude", "Value": "owner said so"}]
    )
    engine, recorder = make_engine(settings(world, exclusion_tag="remediation:exclude"))
    report = engine.handle(imported(SG_EVENT, world))
    assert report["findings"][0]["status"] == "skipped" and "exclusion tag" in report["findings"][0]["reason"]
    assert "ec2.DescribeSecurityGroupRules" not in recorder.calls


def test_creates_resources_rule_waits_like_a_workload_affecting_one(world: dict[str, str]) -> None:
    """No remediation creates resources yet: the queue's is given that class, as a new module would declare."""
    assert DEFAULT_MODE[Risk.CREATES_RESOURCES] == "manual"
    (url,) = estate.create_unencrypted_queue(estate.REGION).values()
    queue = catalog()["sqs.enable-queue-encryption"]
    costly = {**catalog(), queue.name: queue._replace(risk=Risk.CREATES_RESOURCES)}
    document = json.loads(REGISTRY_PATH.read_text(encoding="utf-8"))
    engine, recorder = make_engine(settings(world))
    engine.registry = build_registry(document, costly)
    report = engine.handle(imported(QUEUE_EVENT, world))
    assert report["findings"][0]["status"] == "waiting"
    assert "(class creates-resources) is manual" in report["findings"][0]["reason"]
    assert recorder.writes == NOTE_AND_NOTICE
    assert estate.queue_encryption(url).get("SqsManagedSseEnabled") == "false"


def test_stack_dry_run_plans_a_manual_rule_without_calling_it_waiting(world: dict[str, str]) -> None:
    """In a dry-run stack the custom action would not apply it either, so the note must not say it would."""
    engine, _ = make_engine(settings(world, dry_run=True))
    assert engine.handle(imported(SG_EVENT, world))["findings"][0]["status"] == "planned"


def test_decide_forces_a_dry_run_with_the_reason_for_automatic_events_only() -> None:
    registry = load_registry()
    event = load_event(SG_EVENT)
    (finding,) = parse_event(event).findings
    rule = registry.match(finding.lookup_keys)
    assert isinstance(rule, Rule)
    waiting = decide(finding, rule, Settings())
    assert isinstance(waiting, Decision) and waiting.dry_run and "is manual" in waiting.waiting
    (selected,) = parse_event(
        batch_event(event["detail"]["findings"], estate.ACCOUNT, estate.REGION)
    ).findings
    applied = decide(selected, rule, Settings())
    assert isinstance(applied, Decision) and not applied.dry_run and applied.waiting == ""


def test_a_long_plan_is_cut_but_the_way_to_apply_it_stays() -> None:
    (finding,) = parse_event(load_event(SG_EVENT)).findings
    changes = tuple(
        Change(f"ingress: tcp {port} from 0.0.0.0/0", "open", "revoked") for port in range(1000, 1060)
    )
    outcome = Outcome(
        finding=finding,
        status=Status.WAITING,
        rule_id="sg-public-high-risk-ports",
        remediation="ec2.revoke-public-ingress",
        changes=changes,
        reason="rule sg-public-high-risk-ports (class workload-affecting) is manual",
    )
    note = note_for(outcome)
    assert len(note) <= NOTE_LIMIT
    assert note.endswith(". " + APPLY_HINT)
    assert (
        "tcp 1000 from 0.0.0.0/0" in note
        and "tcp 1059" not in note
        and "full report in the engine's logs" in note
    )
