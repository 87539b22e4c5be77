"""Findings aggregated in the administrator account, fixed in member accounts and other regions.

The hub (123456789012, us-east-1) receives every event; the engine assumes the member role
in the finding's `AwsAccountId`, acts in the resource's region, and resolves the finding in
the hub. Account 444444444444 has no role the engine may assume (moto does not check trust
policies, so AssumeRole is refused there by an injected AccessDenied, as AWS would refuse it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from engine.settings import Settings
from localaws import estate
from localaws.engine_setup import make_engine
from localaws.events import EVENTS_DIR, load_event
from localaws.faults import inject_call_faults
from localaws.sessions import assume_role_session

HUB, M2, M3, M4 = "123456789012", "222222222222", "333333333333", "444444444444"
ROLE = "RemediatorMember"
CROSS = "cross-account"


#: SSH open to the internet beside SSH from a private range: only the first may go.
SSH_OPEN = (estate.Ingress(22, ("0.0.0.0/0",)), estate.Ingress(22, ("10.0.0.0/8",)))


@pytest.fixture
def fleet(aws: None) -> dict[str, Any]:
    """Four accounts, two regions: buckets, groups and weak password policies where the events say."""
    estate.enable_security_hub()
    sessions = {
        account: assume_role_session(account, ROLE, session_name="estate-setup") for account in (M2, M3, M4)
    }
    sessions[HUB] = boto3.Session(region_name="us-east-1")
    for account in (HUB, M2, M3):
        estate.set_weak_password_policy(session=sessions[account], policy={"MinimumPasswordLength": 8})
    estate.create_bucket("member-222-eu-bucket", "eu-west-1", session=sessions[M2])
    estate.create_bucket("member-222-us-bucket", "us-east-1", session=sessions[M2])
    estate.create_bucket("member-444-bucket", "us-east-1", session=sessions[M4])
    estate.create_bucket("hub-own-bucket", "us-east-1", session=sessions[HUB])
    groups = {
        "sg-0222222222222eu01": estate.create_open_security_group(
            "eu-west-1", session=sessions[M2], ingress=SSH_OPEN
        ),
        "sg-0333333333333eu01": estate.create_open_security_group(
            "eu-west-1", session=sessions[M3], ingress=SSH_OPEN
        ),
    }
    return {"sessions": sessions, "groups": groups}


def engine_for_fleet() -> tuple[Any, Any]:
    engine, recorder = make_engine(Settings(home_account_id=HUB, member_role_name=ROLE))
    inject_call_faults(
        engine.clients.session,
        lambda op, params: "AccessDenied" if op == "sts.AssumeRole" and M4 in str(params) else None,
    )
    return engine, recorder


def deliver(name: str, fleet: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], Any]:
    event = load_event(f"{CROSS}/{name}", fleet["groups"])
    estate.import_findings(event)  # aggregated: every finding lives in the hub's us-east-1
    engine, recorder = engine_for_fleet()
    return event, engine.handle(event), recorder


def test_every_cross_account_fixture_is_covered() -> None:
    names = {path.name for path in Path(EVENTS_DIR, CROSS).glob("*.json")}
    covered = {
        "imported-s3.17-member-222-eu-west-1.json",
        "imported-iam.7-member-333-us-east-1.json",
        "imported-ec2.13-member-222-eu-west-1.json",
        "imported-s3.17-member-444-role-cannot-be-assumed.json",
        "custom-action-four-accounts-two-regions.json",
    }
    assert names == covered


def test_member_bucket_in_another_region(fleet: dict[str, Any]) -> None:
    event, report, recorder = deliver("imported-s3.17-member-222-eu-west-1.json", fleet)
    assert report["findings"][0]["status"] == "remediated"
    assert estate.bucket_encryption("member-222-eu-bucket", session=fleet["sessions"][M2]) == "aws:kms"
    assert estate.finding(event["detail"]["findings"][0]["Id"])["Workflow"]["Status"] == "RESOLVED"
    assert recorder.count("sts.AssumeRole") == 1


def test_member_password_policy_leaves_the_hub_alone(fleet: dict[str, Any]) -> None:
    _, report, _ = deliver("imported-iam.7-member-333-us-east-1.json", fleet)
    assert report["findings"][0]["status"] == "remediated"
    member = fleet["sessions"][M3].client("iam").get_account_password_policy()["PasswordPolicy"]
    hub = boto3.client("iam").get_account_password_policy()["PasswordPolicy"]
    assert member["MinimumPasswordLength"] == 14
    assert hub["MinimumPasswordLength"] == 8


def test_member_security_group_in_another_region(fleet: dict[str, Any]) -> None:
    """EC2.13 is manual: the Imported event plans in the member's Region, an approval applies it there."""
    group = fleet["groups"]["sg-0222222222222eu01"]
    event, report, recorder = deliver("imported-ec2.13-member-222-eu-west-1.json", fleet)
    assert report["findings"][0]["status"] == "waiting"
    assert report["findings"][0]["changes"] == ["ingress: tcp 22 from 0.0.0.0/0 → revoked"]
    assert recorder.count("sts.AssumeRole") == 1 and "ec2.RevokeSecurityGroupIngress" not in recorder.calls
    assert "Waiting for a person" in estate.finding(event["detail"]["findings"][0]["Id"])["Note"]["Text"]
    assert len(estate.ingress_rules(group, "eu-west-1", session=fleet["sessions"][M2])) == 2

    approved, _ = make_engine(Settings(home_account_id=HUB, member_role_name=ROLE, manual_approved=True))
    assert approved.handle(event)["findings"][0]["status"] == "remediated"
    assert estate.ingress_rules(group, "eu-west-1", session=fleet["sessions"][M2]) == {
        ("tcp", 22, "10.0.0.0/8")
    }


def test_role_that_cannot_be_assumed_notifies_with_the_reason(fleet: dict[str, Any]) -> None:
    event, report, recorder = deliver("imported-s3.17-member-444-role-cannot-be-assumed.json", fleet)
    assert report["findings"][0]["status"] == "failed"
    assert report["findings"][0]["error_code"] == "AccessDenied"
    stored = estate.finding(event["detail"]["findings"][0]["Id"])
    assert stored["Workflow"]["Status"] == "NOTIFIED"
    assert f"cannot assume arn:aws:iam::{M4}:role/{ROLE}" in stored["Note"]["Text"]
    assert estate.bucket_encryption("member-444-bucket", session=fleet["sessions"][M4]) is None
    assert not [call for call in recorder.calls if call.startswith("s3.")]


def test_custom_action_across_four_accounts_reuses_one_session_per_account(fleet: dict[str, Any]) -> None:
    event, report, recorder = deliver("custom-action-four-accounts-two-regions.json", fleet)
    assert [f["status"] for f in report["findings"]] == [
        "remediated",
        "remediated",
        "remediated",
        "remediated",
        "remediated",
        "failed",
    ]
    sessions = fleet["sessions"]
    assert estate.bucket_encryption("member-222-eu-bucket", session=sessions[M2]) == "aws:kms"
    assert estate.bucket_encryption("member-222-us-bucket", session=sessions[M2]) == "AES256"
    assert estate.bucket_encryption("hub-own-bucket", session=sessions[HUB]) == "aws:kms"
    group = fleet["groups"]["sg-0333333333333eu01"]
    assert estate.ingress_rules(group, "eu-west-1", session=sessions[M3]) == {("tcp", 22, "10.0.0.0/8")}
    assert recorder.count("sts.AssumeRole") == 3, "one per member account (M2, M3 and the refused M4)"
    workflows = [estate.finding(f["Id"])["Workflow"]["Status"] for f in event["detail"]["findings"]]
    assert workflows == ["RESOLVED"] * 5 + ["NOTIFIED"]
