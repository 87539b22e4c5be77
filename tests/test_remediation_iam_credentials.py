"""IAM.3 / IAM.8 / IAM.22 beyond the meta-tests: thresholds, passwords, the user a finding names.

The meta-tests (`test_remediation_cases.py`) walk these remediations' own cases. Here: the
never-weaken and only-what-is-stale properties over generated users; a password the rule may
not delete (noted beside the keys, or failing the finding when it is all there is); the rule
thresholds against their controls'; the read's clock; a Config user id found, or not, among
several users in moto; and an approved engine run end to end, twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.settings import Settings
from localaws import estate
from localaws.engine_setup import make_engine
from localaws.estate import iam_users
from localaws.events import load_event
from model.errors import ActionNotAllowedError, RemediationFailedError
from model.finding import Resource, ResourceFormat
from remediations import catalog, iam_access_key_rotation, iam_unused_credentials
from remediations.cases import ACCOUNT, REGION
from rules.registry import load_registry

NOW = datetime(2026, 12, 1, tzinfo=UTC)
ROTATION, UNUSED = "iam.deactivate-old-access-keys", "iam.revoke-unused-credentials"
CONTROL_THRESHOLD = {"IAM.3": 90, "IAM.8": 90, "IAM.22": 45}


def ago(days: int) -> str:
    return (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


key_entries = st.builds(
    lambda index, status, created, used: {
        "AccessKeyId": f"AKIAEXAMPLEKEY{index:06d}",
        "Status": status,
        "CreateDate": ago(created),
        "LastUsedDate": None if used is None else ago(min(used, created)),
    },
    st.integers(0, 999_999),
    st.sampled_from(["Active", "Inactive"]),
    st.integers(0, 1000),
    st.none() | st.integers(0, 1000),
)
passwords = st.none() | st.builds(
    lambda created, used: {
        "CreateDate": ago(created),
        "LastUsed": None if used is None else ago(min(used, created)),
    },
    st.integers(0, 1000),
    st.none() | st.integers(0, 1000),
)
users = st.builds(
    lambda keys, password: {
        "UserName": "alice",
        "ReadAt": ago(0),
        "Password": password,
        "AccessKeys": sorted({k["AccessKeyId"]: k for k in keys}.values(), key=lambda k: k["AccessKeyId"]),
    },
    st.lists(key_entries, max_size=2),
    passwords,
)


def unused_days(last: str | None, created: str) -> timedelta:
    return NOW - datetime.strptime(last or created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@given(users, st.integers(1, 90), st.booleans())
def test_unused_credentials_deactivates_exactly_the_stale_active_keys(
    user: dict[str, Any], days: int, delete_password: bool
) -> None:
    params = {"max_unused_days": days, "delete_unused_password": delete_password}
    stale = {
        k["AccessKeyId"]
        for k in user["AccessKeys"]
        if k["Status"] == "Active" and unused_days(k["LastUsedDate"], k["CreateDate"]) >= timedelta(days=days)
    }
    password = user["Password"]
    stale_password = bool(password) and unused_days(
        password["LastUsed"], password["CreateDate"]
    ) >= timedelta(days=days)
    if stale_password and not delete_password and not stale:
        with pytest.raises(ActionNotAllowedError, match="delete_unused_password is false"):
            iam_unused_credentials.plan(user, params)
        return
    plan = iam_unused_credentials.plan(user, params)
    assert iam_unused_credentials.keeps(user, plan.after)
    deactivated = {c.params["AccessKeyId"] for c in plan.calls if c.method == "update_access_key"}
    assert deactivated == stale
    assert all(c.params["Status"] == "Inactive" for c in plan.calls if c.method == "update_access_key")
    deletes = [c for c in plan.calls if c.method == "delete_login_profile"]
    assert len(deletes) == (1 if stale_password and delete_password else 0)
    assert {c.method for c in plan.calls} <= {"update_access_key", "delete_login_profile"}, (
        "never deletes a key"
    )


@given(users, st.integers(1, 90))
def test_rotation_deactivates_exactly_the_active_keys_older_than_the_limit(
    user: dict[str, Any], days: int
) -> None:
    plan = iam_access_key_rotation.plan(user, {"max_key_age_days": days})
    old = {
        k["AccessKeyId"]
        for k in user["AccessKeys"]
        if k["Status"] == "Active" and unused_days(None, k["CreateDate"]) > timedelta(days=days)
    }
    assert {c.params["AccessKeyId"] for c in plan.calls} == old
    assert all(c.method == "update_access_key" and c.params["Status"] == "Inactive" for c in plan.calls)
    assert iam_access_key_rotation.keeps(user, plan.after)
    assert iam_access_key_rotation.plan(plan.after, {"max_key_age_days": days}).compliant


def user_state(*keys: dict[str, Any], password: dict[str, Any] | None) -> dict[str, Any]:
    return {"UserName": "alice", "ReadAt": ago(0), "Password": password, "AccessKeys": list(keys)}


OLD_KEY = {
    "AccessKeyId": "AKIAEXAMPLEOLDKEY001",
    "Status": "Active",
    "CreateDate": ago(400),
    "LastUsedDate": ago(200),
}
OLD_PASSWORD = {"CreateDate": ago(400), "LastUsed": ago(100)}


def test_a_password_the_rule_may_not_delete_is_left_and_the_note_says_so() -> None:
    plan = iam_unused_credentials.plan(user_state(OLD_KEY, password=OLD_PASSWORD), {"max_unused_days": 90})
    assert [c.method for c in plan.calls] == ["update_access_key"]
    assert plan.changes[-1].describe() == (
        f"ConsolePassword (last used {ago(100)[:10]}, 100 days ago): present → left: the rule does not delete passwords"
    )
    assert plan.after["Password"] == OLD_PASSWORD


def test_a_password_alone_the_rule_may_not_delete_fails_the_finding_with_the_reason() -> None:
    with pytest.raises(ActionNotAllowedError) as error:
        iam_unused_credentials.plan(user_state(password=OLD_PASSWORD), {"max_unused_days": 45})
    assert error.value.code == "NotAllowedByRule"
    assert "left for a person" in str(error.value) and "cannot be restored by undo" in str(error.value)


def test_a_deleted_password_is_never_restored_by_undo() -> None:
    before = user_state(OLD_KEY, password=OLD_PASSWORD)
    fix = iam_unused_credentials.plan(before, {"max_unused_days": 90, "delete_unused_password": True})
    assert "cannot be restored by undo" in fix.changes[-1].describe()
    back = iam_unused_credentials.revert(fix.after, before, fix.after, True)
    assert [c.method for c in back.calls] == ["update_access_key"], "no call can bring a password back"
    assert any("cannot be restored by undo" in note for note in back.notes)


@pytest.mark.parametrize(
    "rule", [r for r in load_registry().rules if r.remediation.name in (ROTATION, UNUSED)]
)
def test_each_rule_threshold_is_its_controls_never_laxer(rule: Any) -> None:
    assert rule.control in CONTROL_THRESHOLD
    value = rule.parameters.get("max_key_age_days", rule.parameters.get("max_unused_days"))
    assert value == CONTROL_THRESHOLD[rule.control]
    assert not rule.parameters.get("delete_unused_password"), (
        "deleting passwords is a team's choice, not a default"
    )
    assert not rule.automatic


@pytest.mark.parametrize(("name", "field"), [(ROTATION, "max_key_age_days"), (UNUSED, "max_unused_days")])
@pytest.mark.parametrize("value", [0, 91, "90"])
def test_a_threshold_outside_the_controls_is_refused_by_the_schema(name: str, field: str, value: Any) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({field: value}, catalog()[name].parameters_schema)


def test_the_unused_threshold_must_be_given() -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"delete_unused_password": True}, catalog()[UNUSED].parameters_schema)


def config_user(user_id: str) -> Resource:
    return Resource("AWS::IAM::User", user_id, user_id, ACCOUNT, REGION, format=ResourceFormat.CONFIG)


@pytest.mark.usefixtures("aws")
def test_the_read_takes_its_time_from_the_clock_it_is_given() -> None:
    """A key created today is old on a clock 100 days on: the state says when it was read."""
    session = boto3.Session(region_name=REGION)
    arn = iam_users.create_user_with_credentials(session, key_ages=(0,))
    user = Resource("AwsIamUser", arn, "case-user", ACCOUNT, REGION)
    iam = session.client("iam")
    later = datetime.now(UTC) + timedelta(days=100)
    assert iam_access_key_rotation.plan(iam_access_key_rotation.read(iam, user, {}), {}).compliant
    state = iam_access_key_rotation.read(iam, user, {}, clock=lambda: later)
    assert state["ReadAt"] == later.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len(iam_access_key_rotation.plan(state, {}).calls) == 1


@pytest.mark.usefixtures("aws")
def test_a_config_user_id_finds_that_user_and_only_its_keys_change() -> None:
    session = boto3.Session(region_name=REGION)
    iam_users.create_user_with_credentials(session, "someone-else", key_ages=(200,))
    target = iam_users.user_id_replacement(session, key_ages=(200, 1))[iam_users.USER_ID_PLACEHOLDER]
    iam = session.client("iam")
    resource = catalog()[UNUSED].identity.locate([config_user(target)])
    assert resource is not None and resource.name == target
    state = iam_unused_credentials.read(iam, resource, {"max_unused_days": 90})
    assert state["UserName"] == "case-user"
    plan = iam_unused_credentials.plan(state, {"max_unused_days": 90})
    catalog()[UNUSED].apply(iam, plan)
    assert iam_users.access_key_statuses(session) == ["Inactive", "Active"]
    assert iam_users.access_key_statuses(session, "someone-else") == ["Active"]


@pytest.mark.usefixtures("aws")
def test_an_old_password_used_lately_is_kept_even_where_the_rule_deletes_unused_ones() -> None:
    session = boto3.Session(region_name=REGION)
    arn = iam_users.create_user_with_credentials(
        session, key_ages=(200,), password=True, password_last_used=10, user_age=400
    )
    user = catalog()[UNUSED].identity.locate([Resource("AwsIamUser", arn, arn, ACCOUNT, REGION)])
    assert user is not None
    params = {"max_unused_days": 45, "delete_unused_password": True}
    state = iam_unused_credentials.read(session.client("iam"), user, params)
    assert state["Password"]["LastUsed"] is not None
    assert [c.method for c in iam_unused_credentials.plan(state, params).calls] == ["update_access_key"]


@pytest.mark.usefixtures("aws")
def test_an_unknown_config_user_id_fails_with_no_such_entity() -> None:
    iam_users.create_user_with_credentials()
    iam = boto3.client("iam", region_name=REGION)
    with pytest.raises(RemediationFailedError) as error:
        iam_access_key_rotation.read(iam, config_user("AIDAZ4EXAMPLENOBODY12"), {})
    assert error.value.error_code == "NoSuchEntity"


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize(
    ("event", "credentials", "fragment"),
    [
        (
            "securityhub-imported-iam.3-consolidated.json",
            {"key_ages": (120, 3)},
            "days old): Active → Inactive",
        ),
        (
            "securityhub-imported-iam.8-cis-1.2.0-legacy.json",
            {"key_ages": (120, 3), "key_last_used": (95, 1), "password": True},
            "left: the rule does not delete passwords",
        ),
    ],
)
def test_an_approved_run_deactivates_the_old_key_notes_it_and_a_second_run_changes_nothing(
    event: str, credentials: dict[str, Any], fragment: str
) -> None:
    estate.enable_security_hub()
    iam_users.create_user_with_credentials(**credentials)
    loaded = load_event(event)
    estate.import_findings(loaded)
    settings = Settings(home_account_id=ACCOUNT, manual_approved=True)
    engine, _ = make_engine(settings)
    assert [f["status"] for f in engine.handle(loaded)["findings"]] == ["remediated"]
    assert iam_users.access_key_statuses() == ["Inactive", "Active"]
    stored = estate.finding(loaded["detail"]["findings"][0]["Id"])
    assert stored["Workflow"]["Status"] == "RESOLVED" and fragment in stored["Note"]["Text"]
    again, recorder = make_engine(settings)
    second = again.handle(loaded)["findings"]
    if "password" in credentials:  # only the password the rule may not delete is left: a person's call
        assert [(f["status"], f["error_code"]) for f in second] == [("failed", "NotAllowedByRule")]
    else:
        assert [f["status"] for f in second] == ["already-compliant"]
    assert [call for call in recorder.writes if call != "securityhub.BatchUpdateFindings"] == []
