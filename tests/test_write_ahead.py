"""Nothing lost: the undo record is written ahead of every change, step by step (issue 12, points 6 and 8).

Each test breaks the engine where the old order lost the before-state: the state table failing
before or after the change, a plan refused half-way, the function killed between two calls, a
Config event (no finding id), and a retry that used to overwrite what an earlier delivery did.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import boto3
import pytest

from cli.main import main
from engine.process import Engine
from engine.settings import Settings
from engine.state import CLAIM_SECONDS, STATE_SK, StateStore
from localaws import estate
from localaws.engine_setup import automatic, create_state_table, make_engine
from localaws.estate.builders import Ingress
from localaws.events import load_event
from localaws.faults import inject_call_faults
from localaws.recorder import CallRecorder
from model.errors import RetryLaterError
from model.undo import DONE, INTENT, PARTIAL

TABLE = "remediator-state"
EC2_2 = "securityhub-imported-ec2.2-consolidated.json"
MIXED = "securityhub-custom-action-mixed.json"
CONFIG_SSH = "config-restricted-ssh-securityhub-rule.json"
#: A rule the issue saw lost for good when a retry recorded only what was left.
PRIVATE_443 = Ingress(443, ("10.0.0.0/8",))


class KilledError(BaseException):
    """Lambda stopping the function: nothing in the engine may catch it."""


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(aws: None, monkeypatch: pytest.MonkeyPatch) -> Clock:
    monkeypatch.setenv("STATE_TABLE_NAME", TABLE)
    create_state_table(TABLE)
    estate.enable_security_hub()
    return Clock()


def engine_at(clock: Clock) -> tuple[Engine, CallRecorder]:
    """The record is the engine's machinery, whatever a rule's mode: the EC2 rules here act on
    their automatic events, as they do when a team makes them automatic (manual ones only plan)."""
    engine, recorder = make_engine(Settings(home_account_id=estate.ACCOUNT, state_table=TABLE))
    engine.registry = automatic(engine.registry, "sg-default-closed", "sg-public-ssh")
    engine.clock = clock
    engine.state = StateStore(partial(engine.clients.home_client, "dynamodb", estate.REGION), TABLE, clock)
    return engine, recorder


def default_group_event() -> tuple[str, dict[str, Any]]:
    group = estate.default_security_group(ingress=(PRIVATE_443,), ipv6=True).id
    event = load_event(EC2_2, {estate.DEFAULT_SG_PLACEHOLDER: group})
    estate.import_findings(event)
    return group, event


def rules_of(group: str) -> set[tuple[bool, str, int, str]]:
    return {
        (
            rule["IsEgress"],
            rule["IpProtocol"],
            rule.get("FromPort", -1),
            rule.get("CidrIpv4")
            or rule.get("CidrIpv6")
            or rule.get("ReferencedGroupInfo", {}).get("GroupId", ""),
        )
        for rule in estate.security_group_rules(group)
    }


def stored_record(finding_key: str) -> Any:
    return StateStore(partial(boto3.client, "dynamodb", region_name=estate.REGION), TABLE).load_undo(
        finding_key
    )


def fail(operation: str, code: str = "AccessDenied", *, when: str = "") -> Any:
    """A fault decider: `operation` fails with `code` (only requests whose text holds `when`)."""
    return lambda op, params: code if op == operation and when in str(params) else None


def test_a_table_that_refuses_the_intent_means_no_change(clock: Clock) -> None:
    group, event = default_group_event()
    original = rules_of(group)
    engine, recorder = engine_at(clock)
    inject_call_faults(
        engine.clients.session, fail("dynamodb.UpdateItem", "InternalServerError", when="#record")
    )
    with pytest.raises(RetryLaterError) as raised:
        engine.handle(event)
    assert raised.value.report["findings"][0]["status"] == "failed"  # type: ignore[index]
    assert rules_of(group) == original
    assert not [call for call in recorder.writes if call.startswith("ec2.")]


def test_a_table_that_fails_after_the_change_keeps_the_before_state_and_the_retry_finishes(
    clock: Clock,
) -> None:
    group, event = default_group_event()
    original = rules_of(group)
    engine, _ = engine_at(clock)
    # The release (claim removed, outcome written) fails; the intent before it did not.
    inject_call_faults(
        engine.clients.session, fail("dynamodb.UpdateItem", "InternalServerError", when="REMOVE")
    )
    with pytest.raises(RetryLaterError):
        engine.handle(event)
    finding_id = event["detail"]["findings"][0]["Id"]
    record = stored_record(finding_id)
    assert record is not None and record.status == INTENT
    assert {(r["IsEgress"], r["IpProtocol"]) for r in record.before["Rules"]} >= {
        (False, "tcp"),
        (True, "-1"),
    }

    clock.now += CLAIM_SECONDS + 1  # the held claim lapses; the retry comes
    retry, _ = engine_at(clock)
    report = retry.handle(event)
    assert report["findings"][0]["status"] == "already-compliant"
    finished = stored_record(finding_id)
    assert finished is not None and finished.status == DONE and finished.before == record.before
    assert "earlier delivery" in estate.finding(finding_id)["Note"]["Text"]

    assert main(["undo", finding_id]) == 0
    assert rules_of(group) == original


def test_a_plan_refused_half_way_reports_and_records_what_it_did(
    clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    group, event = default_group_event()
    original = rules_of(group)
    engine, _ = engine_at(clock)
    inject_call_faults(engine.clients.session, fail("ec2.RevokeSecurityGroupEgress"))
    report = engine.handle(event)
    outcome = report["findings"][0]
    assert outcome["status"] == "failed"
    assert "after 1 of 2 calls succeeded: revoke_security_group_ingress" in outcome["reason"]
    assert [call["method"] for call in outcome["request"]] == ["revoke_security_group_ingress"]
    finding_id = event["detail"]["findings"][0]["Id"]
    assert "revoke_security_group_ingress" in estate.finding(finding_id)["Note"]["Text"]
    record = stored_record(finding_id)
    assert record is not None and (record.status, record.applied) == (PARTIAL, 1)
    assert record.after is not None and all(rule["IsEgress"] for rule in record.after["Rules"])

    capsys.readouterr()
    assert main(["undo", finding_id]) == 0  # the record's after is what the half-plan left
    assert "left partial: 1 of 2 calls are known to have been made" in capsys.readouterr().out
    assert rules_of(group) == original


def test_a_function_killed_between_calls_loses_no_rule(clock: Clock) -> None:
    group, event = default_group_event()
    original = rules_of(group)
    assert (False, "tcp", 443, "10.0.0.0/8") in original
    engine, _ = engine_at(clock)

    def killed(**_: Any) -> None:
        raise KilledError

    engine.clients.session.events.register("before-call.ec2.RevokeSecurityGroupEgress", killed)
    with pytest.raises(KilledError):
        engine.handle(event)
    finding_id = event["detail"]["findings"][0]["Id"]
    record = stored_record(finding_id)
    assert record is not None and (record.status, record.applied) == (INTENT, 1)

    clock.now += CLAIM_SECONDS + 1
    retry, _ = engine_at(clock)
    assert retry.handle(event)["findings"][0]["status"] == "remediated"  # only the egress was left
    finished = stored_record(finding_id)
    assert finished is not None and finished.status == DONE and finished.before == record.before

    assert main(["undo", finding_id]) == 0
    assert rules_of(group) == original  # the ingress the first attempt revoked is back too


def test_a_config_sourced_change_is_recorded_and_undone_by_its_key(clock: Clock) -> None:
    group = estate.create_open_security_group()
    before = estate.ingress_rules(group)
    engine, _ = engine_at(clock)
    event = load_event(CONFIG_SSH, {estate.SG_PLACEHOLDER: group})
    report = engine.handle(event)
    assert report["findings"][0]["status"] == "remediated"
    key = report["findings"][0]["finding"]
    assert key.startswith("config:")
    record = stored_record(key)
    assert record is not None and record.status == DONE and record.rule_id
    assert main(["undo", key]) == 0
    assert estate.ingress_rules(group) == before


def test_the_record_is_keyed_by_resource_and_control(clock: Clock) -> None:
    """The same group fixed through Config and then named by Security Hub: one item, one record."""
    group = estate.create_open_security_group()
    engine, _ = engine_at(clock)
    config = engine.handle(load_event(CONFIG_SSH, {estate.SG_PLACEHOLDER: group}))
    assert config["findings"][0]["status"] == "remediated"
    table = boto3.client("dynamodb", region_name=estate.REGION)
    items = table.scan(TableName=TABLE)["Items"]
    state_items = [item for item in items if item["sk"]["S"] == STATE_SK]
    assert len(state_items) == 1 and f"security-group/{group}" in state_items[0]["pk"]["S"]


def test_a_retry_says_what_an_earlier_delivery_changed(clock: Clock) -> None:
    """Point 8: one finding of a custom action throttled; the retry must not rewrite its siblings' notes."""
    group = estate.create_open_security_group()
    estate.create_bucket()
    estate.set_weak_password_policy()
    event = load_event(MIXED, {estate.SG_PLACEHOLDER: group})
    estate.import_findings(event)
    engine, _ = engine_at(clock)
    inject_call_faults(engine.clients.session, fail("iam.UpdateAccountPasswordPolicy", "Throttling"))
    with pytest.raises(RetryLaterError):
        engine.handle(event)
    sg_finding = next(f["Id"] for f in event["detail"]["findings"] if "security-group" in str(f["Resources"]))
    first_note = estate.finding(sg_finding)["Note"]["Text"]
    assert "Remediated by" in first_note and "22" in first_note

    retry, _ = engine_at(clock)
    report = retry.handle(event)
    statuses = {line["finding"]: line["status"] for line in report["findings"]}
    assert statuses[sg_finding] == "already-compliant"
    note = estate.finding(sg_finding)["Note"]["Text"]
    assert "on an earlier delivery, changed by this engine at 2027-01-15T08:00:00Z" in note
    assert "Already compliant" not in note and "22" in note
