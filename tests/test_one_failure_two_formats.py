"""One control failure reported twice, as an ASFF finding (Security Hub CSPM) and as an OCSF finding
(AWS Security Hub): the resource is changed once, and each finding is resolved through its own API.

In AWS both findings carry the same finding id (`finding_info.uid` is the ASFF `Id`; ocsf.md §3),
so the OCSF sample is given the ASFF finding's id here. The claim on the resource and control
(engine/state.py) serialises the two deliveries, whichever format comes first.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine.process import Engine
from engine.settings import Settings
from localaws import estate
from localaws.engine_setup import create_state_table, make_engine
from localaws.events import findings_of, load_event
from localaws.recorder import CallRecorder
from model.errors import RetryLaterError

TABLE = "remediator-state"
ASFF_EVENT = "securityhub-imported-s3.17-consolidated.json"
OCSF_EVENT = "securityhub-imported-v2-s3.17-consolidated.json"


@pytest.fixture
def events(aws: None) -> dict[str, dict[str, Any]]:
    estate.enable_security_hub()
    estate.create_bucket()
    create_state_table(TABLE)
    asff, ocsf = load_event(ASFF_EVENT), load_event(OCSF_EVENT)
    findings_of(ocsf)[0]["finding_info"]["uid"] = findings_of(asff)[0]["Id"]
    for loaded in (asff, ocsf):
        estate.import_findings(loaded)
    return {"asff": asff, "ocsf": ocsf}


def engine() -> tuple[Engine, CallRecorder]:
    return make_engine(Settings(home_account_id=estate.ACCOUNT, state_table=TABLE))


def asff_finding(events: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return estate.finding(findings_of(events["asff"])[0]["Id"])


def ocsf_finding(events: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return estate.ocsf_finding(findings_of(events["ocsf"])[0]["finding_info"]["uid"])


@pytest.mark.parametrize("first", ["asff", "ocsf"])
def test_one_after_the_other_one_change_and_both_findings_resolved(
    events: dict[str, dict[str, Any]], first: str
) -> None:
    second = "ocsf" if first == "asff" else "asff"
    handler, recorder = engine()
    reports = {name: handler.handle(events[name]) for name in (first, second)}
    assert reports[first]["findings"][0]["status"] == "remediated"
    assert reports[second]["findings"][0]["status"] == "already-compliant"
    assert recorder.count("s3.PutBucketEncryption") == 1
    assert recorder.count("securityhub.BatchUpdateFindings") == 1
    assert recorder.count("securityhub.BatchUpdateFindingsV2") == 1
    assert estate.bucket_encryption() == "aws:kms"
    asff, ocsf = asff_finding(events), ocsf_finding(events)
    assert asff["Workflow"]["Status"] == "RESOLVED" and ocsf["status"] == "Resolved"
    later = asff["Note"]["Text"] if second == "asff" else ocsf["comment"]
    assert "on an earlier delivery" in later and "SSEAlgorithm: none → aws:kms" in later


def test_concurrently_the_second_waits_for_the_claim_then_resolves_its_finding(
    events: dict[str, dict[str, Any]],
) -> None:
    handler, recorder = engine()
    store = handler.state
    assert store is not None
    original, during = store.claim, list[bool]()

    def claim_and_hold(key: str, owner: str) -> Any:
        held = original(key, owner)
        if not during:  # the OCSF delivery arrives while the ASFF one holds the claim
            during.append(True)
            with pytest.raises(RetryLaterError):
                handler.handle(events["ocsf"])
            assert "comment" not in ocsf_finding(events), "a finding left to the retry is not noted yet"
        return held

    store.claim = claim_and_hold  # type: ignore[method-assign]
    assert handler.handle(events["asff"])["findings"][0]["status"] == "remediated"
    store.claim = original  # type: ignore[method-assign]
    retried = handler.handle(events["ocsf"])  # EventBridge delivers it again
    assert retried["findings"][0]["status"] == "already-compliant"
    assert recorder.count("s3.PutBucketEncryption") == 1
    assert asff_finding(events)["Workflow"]["Status"] == "RESOLVED"
    assert ocsf_finding(events)["status"] == "Resolved"
