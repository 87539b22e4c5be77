"""Approvals from the Security Hub console (issue 16, point 1), end to end against moto.

An approve rule's automatic event plans, stores the plan with the digest of the state read,
notes it on the finding (NOTIFIED) and notifies with the plan and how to approve. The "Approve
remediation" custom action applies it only while the resource reads as planned; a changed
resource, an expired approval or no stored plan plans again and asks again.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from engine.approvals import APPROVAL_SK, DAY, state_digest
from engine.settings import Settings
from localaws import estate
from localaws.custom_actions import approval_event
from localaws.engine_setup import create_state_table, make_engine, registry_with
from localaws.events import load_event
from rules.registry import load_registry

TABLE = "remediator-state"
SG_EVENT = "securityhub-imported-ec2.13-consolidated.json"  # sg-public-ssh: workload-affecting
OPEN_SSH = ("tcp", 22, "0.0.0.0/0")
HINT = "Approve with the custom action 'Approve remediation' by "


@pytest.fixture
def world(aws: None) -> dict[str, str]:
    estate.enable_security_hub()
    create_state_table(TABLE)
    topic, queue = estate.create_notification_inbox()
    return {"group": estate.create_open_security_group(), "topic": topic, "inbox": queue}


def settings(world: dict[str, str], **overrides: Any) -> Settings:
    chosen: dict[str, Any] = {"approval_mode": True, **overrides}
    return Settings(home_account_id=estate.ACCOUNT, state_table=TABLE, topic_arn=world["topic"], **chosen)


def imported(world: dict[str, str]) -> dict[str, Any]:
    loaded = load_event(SG_EVENT, {estate.SG_PLACEHOLDER: world["group"]})
    estate.import_findings(loaded)
    return loaded


def approve(loaded: dict[str, Any]) -> dict[str, Any]:
    """The finding as the console shows it now, sent to the "Approve remediation" action."""
    selected = estate.finding(loaded["detail"]["findings"][0]["Id"])
    return approval_event([selected], estate.ACCOUNT, estate.REGION)


def approvals() -> list[dict[str, Any]]:
    items = boto3.client("dynamodb", region_name=estate.REGION).scan(TableName=TABLE)["Items"]
    return [item for item in items if item["sk"]["S"] == APPROVAL_SK]


def notifications(world: dict[str, str]) -> list[dict[str, Any]]:
    return estate.notifications(world["inbox"])


def open_another_port(group: str) -> None:
    boto3.client("ec2", region_name=estate.REGION).authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}
        ],
    )


def test_an_automatic_event_stores_the_plan_notes_and_notifies_how_to_approve(world: dict[str, str]) -> None:
    engine, recorder = make_engine(settings(world))
    loaded = imported(world)
    (line,) = engine.handle(loaded)["findings"]
    assert line["status"] == "waiting" and line["dry_run"]
    assert line["reason"] == "rule sg-public-ssh (class workload-affecting) needs an approval"
    assert OPEN_SSH in estate.ingress_rules(world["group"])
    assert "ec2.RevokeSecurityGroupIngress" not in recorder.calls
    (stored,) = approvals()
    assert stored["finding_id"]["S"] == loaded["detail"]["findings"][0]["Id"]
    assert len(stored["digest"]["S"]) == 64
    assert json.loads(stored["changes"]["S"]) == ["ingress: tcp 22 from 0.0.0.0/0 → revoked"]
    finding = estate.finding(loaded["detail"]["findings"][0]["Id"])
    assert finding["Workflow"]["Status"] == "NOTIFIED"
    note = finding["Note"]["Text"]
    assert "It would change: ingress: tcp 22 from 0.0.0.0/0 → revoked. " + HINT in note
    (notice,) = notifications(world)
    assert notice["status"] == "waiting" and notice["finding"] == loaded["detail"]["findings"][0]["Id"]
    assert notice["plan"] == ["ingress: tcp 22 from 0.0.0.0/0 → revoked"]
    assert notice["how"].startswith(HINT)


def test_an_approval_applies_the_stored_plan(world: dict[str, str]) -> None:
    engine, recorder = make_engine(settings(world))
    loaded = imported(world)
    engine.handle(loaded)
    (line,) = engine.handle(approve(loaded))["findings"]
    assert line["status"] == "remediated"
    assert recorder.count("ec2.RevokeSecurityGroupIngress") == 1
    assert OPEN_SSH not in estate.ingress_rules(world["group"])
    assert approvals() == [], "an approval is used once"
    assert estate.finding(loaded["detail"]["findings"][0]["Id"])["Workflow"]["Status"] == "RESOLVED"


def test_an_approval_is_refused_when_the_resource_changed_since_the_plan(world: dict[str, str]) -> None:
    engine, recorder = make_engine(settings(world))
    loaded = imported(world)
    engine.handle(loaded)
    (first,) = approvals()
    open_another_port(world["group"])
    notifications(world)  # the first ask

    (line,) = engine.handle(approve(loaded))["findings"]
    assert line["status"] == "waiting"
    assert line["reason"].startswith("the resource changed since the plan of ")
    assert "ec2.RevokeSecurityGroupIngress" not in recorder.calls
    assert OPEN_SSH in estate.ingress_rules(world["group"])
    (second,) = approvals()
    assert second["digest"]["S"] != first["digest"]["S"], "the new plan is stored"
    assert sorted(json.loads(second["changes"]["S"])) == [
        "ingress: tcp 22 from 0.0.0.0/0 → revoked",
        "ingress: tcp 22 from ::/0 → revoked",
    ]
    note = estate.finding(loaded["detail"]["findings"][0]["Id"])["Note"]["Text"]
    assert "the resource changed since the plan" in note and HINT in note
    assert [n["status"] for n in notifications(world)] == ["waiting"], "asked again"

    (again,) = engine.handle(approve(loaded))["findings"]
    assert again["status"] == "remediated", "the second approval is of what the resource reads now"
    public = {
        rule
        for rule in estate.ingress_rules(world["group"])
        if rule[1] == 22 and rule[2] in ("0.0.0.0/0", "::/0")
    }
    assert public == set() and ("tcp", 22, "10.0.0.0/8") in estate.ingress_rules(world["group"])


def test_an_expired_approval_plans_again_and_asks_again(world: dict[str, str]) -> None:
    engine, recorder = make_engine(settings(world, approval_days=7))
    loaded = imported(world)
    engine.handle(loaded)
    assert engine.approvals is not None
    planned = float(approvals()[0]["planned_at"]["N"])
    engine.approvals.clock = lambda: planned + 7 * DAY + 1

    (line,) = engine.handle(approve(loaded))["findings"]
    assert line["status"] == "waiting"
    assert "expired on " in line["reason"] and line["reason"].startswith("the approval of the plan of ")
    assert "ec2.RevokeSecurityGroupIngress" not in recorder.calls
    (renewed,) = approvals()
    assert float(renewed["approve_by"]["N"]) == pytest.approx(planned + 14 * DAY + 1, abs=1)
    assert "expired" in estate.finding(loaded["detail"]["findings"][0]["Id"])["Note"]["Text"]


def test_an_approval_without_a_stored_plan_asks_first(world: dict[str, str]) -> None:
    engine, recorder = make_engine(settings(world))
    loaded = imported(world)  # never delivered: no plan stored
    (line,) = engine.handle(approve(loaded))["findings"]
    assert line["status"] == "waiting" and line["reason"].startswith("no plan was waiting for an approval")
    assert "ec2.RevokeSecurityGroupIngress" not in recorder.calls
    assert len(approvals()) == 1
    assert engine.handle(approve(loaded))["findings"][0]["status"] == "remediated"


def test_a_reimport_keeps_the_waiting_plan_and_its_expiry_and_says_nothing_new(world: dict[str, str]) -> None:
    engine, recorder = make_engine(settings(world))
    loaded = imported(world)
    engine.handle(loaded)
    (first,) = approvals()
    assert engine.approvals is not None
    engine.approvals.clock = lambda: float(first["planned_at"]["N"]) + DAY
    echo = json.loads(json.dumps(loaded))
    echo["detail"]["findings"][0] = estate.finding(loaded["detail"]["findings"][0]["Id"])
    assert engine.handle(echo)["findings"][0]["status"] == "waiting"
    assert approvals() == [first]
    assert recorder.count("securityhub.BatchUpdateFindings") == 1
    assert recorder.count("sns.Publish") == 1


def test_the_registry_may_put_a_rule_in_approve_mode_without_approval_mode(world: dict[str, str]) -> None:
    engine, _ = make_engine(settings(world, approval_mode=False))
    engine.registry = registry_with(load_registry(), "sg-public-ssh", mode="approve", mode_declared=True)
    loaded = imported(world)
    assert (
        engine.handle(loaded)["findings"][0]["reason"]
        == "rule sg-public-ssh (class workload-affecting) needs an approval"
    )
    assert engine.handle(approve(loaded))["findings"][0]["status"] == "remediated"


def test_without_approval_mode_the_rule_stays_manual(world: dict[str, str]) -> None:
    engine, _ = make_engine(settings(world, approval_mode=False))
    (line,) = engine.handle(imported(world))["findings"]
    assert line["reason"] == "rule sg-public-ssh (class workload-affecting) is manual"
    assert approvals() == []


def test_invoke_approve_still_applies_an_approve_rule(world: dict[str, str]) -> None:
    engine, _ = make_engine(settings(world, manual_approved=True))
    assert engine.handle(imported(world))["findings"][0]["status"] == "remediated"
    assert approvals() == []


def test_the_digest_is_of_canonical_json() -> None:
    assert state_digest({"b": [1, 2], "a": "é"}) == state_digest({"a": "é", "b": [1, 2]})
    assert state_digest({"a": 1}) != state_digest({"a": 2})
