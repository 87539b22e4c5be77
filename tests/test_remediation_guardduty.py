"""GuardDuty.1 beyond the meta-tests: never a second detector, never a paid extra, an undo that
deletes only a detector the fix made and nothing uses, and a managed member left to its administrator.

On moto with the GuardDuty double (one detector a Region; findings, filters, members and
publishing destinations a detector holds).
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from localaws import estate
from localaws.engine_setup import make_engine
from localaws.events import load_event
from model.errors import UnsupportedResourceError
from remediations.cases import ACCOUNT, resource
from remediations.guardduty_detector import NEW_DETECTOR, NONE, OPTIONAL_FEATURES, REMEDIATION, keeps

EVENT = "securityhub-custom-action-guardduty.1-consolidated.json"
ADMINISTRATOR = "210987654321"
USES = ("findings", "filters", "member accounts", "publishing destinations")

states = st.one_of(
    st.just(dict(NONE)),
    st.builds(
        lambda status, administrator, uses: {
            "DetectorId": "d" * 32,
            "Status": status,
            "Administrator": administrator,
            "InUse": uses if status == "ENABLED" and not administrator else [],
        },
        st.sampled_from(["ENABLED", "DISABLED"]),
        st.sampled_from([None, ADMINISTRATOR]),
        st.lists(st.sampled_from(USES), unique=True),
    ),
)


@given(state=states)
def test_the_fix_never_makes_a_second_detector_nor_turns_on_a_paid_extra(state: dict[str, Any]) -> None:
    try:
        plan = REMEDIATION.plan(state, {})
    except UnsupportedResourceError:
        assert state["Status"] == "DISABLED" and state["Administrator"]
        return
    assert keeps(state, plan.after)
    for call in plan.calls:
        assert call.method in ("create_detector", "update_detector")
        if call.method == "create_detector":
            assert state["DetectorId"] is None
            features = call.params["Features"]
            assert {f["Name"] for f in features} == set(OPTIONAL_FEATURES)
            assert all(f["Status"] == "DISABLED" for f in features)
            assert "RUNTIME_MONITORING" not in OPTIONAL_FEATURES  # off unless named; naming both fails
        else:
            assert call.params == {"DetectorId": state["DetectorId"], "Enable": True}


@given(current=states, created=st.booleans())
def test_undo_deletes_only_a_detector_the_fix_made_that_nothing_uses(
    current: dict[str, Any], created: bool
) -> None:
    before = dict(NONE) if created else {**NONE, "DetectorId": "d" * 32, "Status": "DISABLED"}
    after = {**NONE, "DetectorId": NEW_DETECTOR if created else "d" * 32, "Status": "ENABLED"}
    plan = REMEDIATION.undo(current, before, after, force=True)
    for call in plan.calls:
        if call.method == "delete_detector":
            assert created and current["Status"] == "ENABLED"
            assert not current["Administrator"] and not current["InUse"]
        else:
            assert call.params == {"DetectorId": current["DetectorId"], "Enable": False}
            assert not current["Administrator"]


def guardduty() -> Any:
    return boto3.client("guardduty", region_name=estate.REGION)


def deliver() -> tuple[dict[str, Any], Any, dict[str, Any]]:
    estate.enable_security_hub()
    event = json.loads(json.dumps(load_event(EVENT)))
    estate.import_findings(event)
    engine, recorder = make_engine()
    return engine.handle(event), recorder, event


@pytest.mark.usefixtures("aws")
def test_a_suspended_detector_is_enabled_again_never_a_second_one() -> None:
    detector = guardduty().create_detector(Enable=False)["DetectorId"]
    report, recorder, _ = deliver()
    assert [line["status"] for line in report["findings"]] == ["remediated"]
    assert guardduty().list_detectors()["DetectorIds"] == [detector]
    assert guardduty().get_detector(DetectorId=detector)["Status"] == "ENABLED"
    assert "guardduty.CreateDetector" not in recorder.calls


@pytest.mark.usefixtures("aws")
def test_a_suspended_member_of_an_administrator_is_notified_and_nothing_is_written() -> None:
    detector = guardduty().create_detector(Enable=False)["DetectorId"]
    guardduty().accept_administrator_invitation(
        DetectorId=detector, AdministratorId=ADMINISTRATOR, InvitationId="invitation"
    )
    report, recorder, event = deliver()
    (line,) = report["findings"]
    assert (line["status"], line["error_code"]) == ("failed", "UnsupportedResource"), line
    stored = estate.finding(event["detail"]["findings"][0]["Id"])
    assert stored["Workflow"]["Status"] == "NOTIFIED" and ADMINISTRATOR in stored["Note"]["Text"]
    assert [call for call in recorder.writes if call != "securityhub.BatchUpdateFindings"] == []
    assert guardduty().get_detector(DetectorId=detector)["Status"] == "DISABLED"


@pytest.mark.usefixtures("aws")
def test_undo_suspends_rather_than_deletes_a_created_detector_that_holds_findings() -> None:
    client = guardduty()
    account = REMEDIATION.identity.locate([resource("AwsAccount", f"AWS::::Account:{ACCOUNT}")])
    assert account is not None
    before = REMEDIATION.read(client, account, {})
    plan = REMEDIATION.plan(before, {})
    REMEDIATION.apply(client, plan)
    (detector,) = client.list_detectors()["DetectorIds"]
    client.create_sample_findings(DetectorId=detector)
    current = REMEDIATION.read(client, account, {})
    assert current["InUse"] == ["findings"]
    back = REMEDIATION.undo(current, before, plan.after)
    assert [call.method for call in back.calls] == ["update_detector"]
    assert any("not deleted" in note for note in back.notes)
    REMEDIATION.apply(client, back)
    assert client.list_detectors()["DetectorIds"] == [detector]
    assert client.get_detector(DetectorId=detector)["Status"] == "DISABLED"
    assert client.list_findings(DetectorId=detector)["FindingIds"], "its findings are kept"
