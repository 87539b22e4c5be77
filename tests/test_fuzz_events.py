"""Fuzz the engine with hypothesis-generated events.

The only failures allowed are the engine's own `InvalidEventError` and `RetryLaterError` (see
`Engine.handle`); an event rejected as a whole makes no AWS call, a bad finding never stops the
valid ones beside it, every finding ends in exactly one outcome or in the `invalid` list, and a
finding Security Hub did not produce, or that names another account or a resource elsewhere, is
never acted on (issue 12). The finding-level strategies are in `tests/fuzz_findings.py`.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import event as label
from hypothesis import strategies as st

from engine.parse import CUSTOM_ACTION, IMPORTED
from localaws import estate
from localaws.engine_setup import make_engine
from localaws.events import event_names, load_event
from model.errors import InvalidEventError
from tests.fuzz_findings import (
    ASFF_FIELDS,
    CONFIG_FIELDS,
    JSON,
    elsewhere,
    foreign,
    forged,
    spoiled,
    untrusted_config_rule,
    untrusted_findings,
)
from tests.fuzz_harness import Mixed, assert_accounted, deliver, notable, outcome_of, statuses

FIXTURES = [name for name in event_names() if not name.startswith("invalid-")]
FUZZ_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


@st.composite
def mutated_events(draw: st.DrawFn) -> dict[str, Any]:
    """A sample event with one field deleted or replaced by arbitrary JSON."""
    event = copy.deepcopy(load_event(draw(st.sampled_from(FIXTURES))))
    path = draw(st.sampled_from(paths(event)))
    parent = event
    for step in path[:-1]:
        parent = parent[step]
    if isinstance(parent, dict) and draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(JSON)
    return event


def run(engine: Any, event: Any) -> str:
    try:
        engine.handle(event)
    except InvalidEventError as error:
        return error.path
    return ""


@pytest.mark.usefixtures("aws")
def test_arbitrary_json_is_rejected_without_aws_calls() -> None:
    engine, recorder = make_engine()

    @FUZZ_SETTINGS
    @given(JSON)
    def check(event: Any) -> None:
        recorder.calls.clear()
        path = run(engine, event)
        assert path, "arbitrary JSON is never a valid event"
        assert recorder.calls == []

    check()


@pytest.mark.usefixtures("aws")
def test_mutated_events_fail_only_with_invalid_event_errors() -> None:
    estate.enable_security_hub()
    estate.create_bucket()
    estate.create_open_security_group()
    engine, recorder = make_engine()

    @FUZZ_SETTINGS
    @given(mutated_events())
    def check(event: dict[str, Any]) -> None:
        recorder.calls.clear()
        path = run(engine, event)  # any other exception fails the test
        if path and not path.startswith("event.detail.findings"):
            assert recorder.calls == [], f"rejected at {path} but called AWS"

    check()


@pytest.mark.usefixtures("aws")
def test_a_bad_finding_never_stops_the_valid_one_beside_it() -> None:
    estate.enable_security_hub()
    base = load_event("securityhub-custom-action-mixed.json")
    valid = base["detail"]["findings"][1]  # IAM.7
    engine, _ = make_engine()

    @FUZZ_SETTINGS
    @given(JSON, st.sampled_from(["Id", "Resources", "AwsAccountId", "ProductArn", "Compliance", "Workflow"]))
    def check(junk: Any, field: str) -> None:
        estate.set_weak_password_policy()
        bad = copy.deepcopy(valid)
        bad["Id"] = valid["Id"].replace("/finding/", "/finding/fuzzed-")  # another finding, not a copy
        bad[field] = junk
        event = copy.deepcopy(base)
        event["detail"]["findings"] = [bad, valid]
        estate.import_findings({"detail": {"findings": [valid]}})
        run(engine, event)
        assert estate.password_policy()["MinimumPasswordLength"] == 14
        assert estate.finding(valid["Id"])["Workflow"]["Status"] == "RESOLVED"

    check()


SPOIL_SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CONFIG_SETTINGS = settings(SPOIL_SETTINGS, max_examples=150)  # one finding an event: cheaper, more refused
DETAIL_TYPES = (IMPORTED, CUSTOM_ACTION)
SG_EVENT = "securityhub-imported-ec2.13-consolidated.json"
FORGED_SG_EVENT = "forged-securityhub-imported-ec2.2-member-product.json"


@pytest.mark.usefixtures("aws")
def test_a_spoiled_finding_never_stops_its_siblings() -> None:
    """One finding of the mixed event has its own fields spoiled; the others end as they do without it."""
    mixed = Mixed.build()
    engine, _ = make_engine()
    baseline = {}
    for detail_type in DETAIL_TYPES:
        mixed.reset()
        report, _ = deliver(engine, mixed.event(detail_type, mixed.findings))
        assert report is not None
        baseline[detail_type] = (statuses(report), mixed.changed(), mixed.recorded())
    assert all(baseline[CUSTOM_ACTION][1][:3]), "the unspoiled event fixes its three resources"

    @SPOIL_SETTINGS
    @given(st.sampled_from(DETAIL_TYPES), st.integers(0, len(mixed.findings) - 1), st.data())
    def check(detail_type: str, index: int, data: st.DataObject) -> None:
        findings: list[Any] = list(mixed.findings)
        findings[index] = data.draw(spoiled(findings[index], ASFF_FIELDS), label="spoiled")
        siblings = [i for i in range(len(findings)) if i != index]
        assume(all(findings[index].get("Id") != findings[i]["Id"] for i in siblings))
        mixed.reset()
        report, path = deliver(engine, mixed.event(detail_type, findings))
        expected, was_changed, was_recorded = baseline[detail_type]
        label(f"spoiled finding: {outcome_of(findings[index], report)}")
        if report is None:
            assert path == "event.detail.findings" and not notable(findings[index]), path
        else:
            assert_accounted(findings, report)
            got = statuses(report)
            assert all(got[findings[i]["Id"]] == expected[findings[i]["Id"]] for i in siblings), got
        changed, recorded = mixed.changed(), mixed.recorded()
        assert all(changed[i] or not was_changed[i] for i in siblings), changed
        assert all(recorded[i] == was_recorded[i] for i in siblings), recorded

    check()


@pytest.mark.usefixtures("aws")
def test_findings_to_leave_alone_make_no_change() -> None:
    """Forged (not Security Hub's), elsewhere (another account) or foreign (a resource elsewhere):
    whatever else is spoiled, the only write is the note, and the estate is as it was."""
    mixed = Mixed.build()
    default_group = estate.create_default_security_group()
    bases = [
        *mixed.findings[:3],
        *load_event(SG_EVENT, {estate.SG_PLACEHOLDER: mixed.group})["detail"]["findings"],
        *load_event(FORGED_SG_EVENT, default_group)["detail"]["findings"],
    ]
    engine, recorder = make_engine()

    @SPOIL_SETTINGS
    @given(st.sampled_from(DETAIL_TYPES), st.lists(untrusted_findings(bases), min_size=1, max_size=3))
    def check(detail_type: str, findings: list[dict[str, Any]]) -> None:
        assume(
            all(forged(f) or elsewhere(f.get("AwsAccountId")) or foreign(f, estate.REGION) for f in findings)
        )
        ids = [str(finding.get("Id")) for finding in findings]
        assume(len(set(ids)) == len(ids))
        mixed.reset()
        recorder.calls.clear()
        report, path = deliver(engine, mixed.event(detail_type, findings))
        for finding in findings:
            label(f"left alone: {outcome_of(finding, report)}")
        assert set(recorder.writes) <= {"securityhub.BatchUpdateFindings"}, recorder.writes
        assert not any(mixed.changed()), mixed.changed()
        if report is None:
            assert path == "event.detail.findings" and not all(notable(f) for f in findings), path
        else:
            assert_accounted(findings, report)

    check()


CONFIG_EVENTS = (
    "config-restricted-ssh-securityhub-rule.json",
    "forged-config-restricted-ssh-custom-rule.json",  # a member's own rule named like AWS's
    "config-s3-bucket-server-side-encryption-enabled-managed.json",
    "config-iam-password-policy-conformance-pack.json",
)
#: Rules AWS owns in the estate's account and Region (DescribeConfigRules says Source.Owner AWS).
AWS_RULES = {
    "securityhub-restricted-ssh-1399bc40": "INCOMING_SSH_DISABLED",
    "s3-bucket-server-side-encryption-enabled": "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
    "iam-password-policy-conformance-pack-x7k2m9p4q": "IAM_PASSWORD_POLICY",
}


@pytest.mark.usefixtures("aws")
def test_a_spoiled_config_event_is_refused_whole_or_acted_on_only_under_an_aws_rule() -> None:
    """A Config event holds one finding: refused with no AWS call, or one outcome; and nothing is
    changed unless the rule is AWS's, in the account and Region the event names."""
    mixed = Mixed.build()
    estate.create_custom_config_rule("restricted-ssh")
    for name, source in AWS_RULES.items():
        estate.create_config_rule(name, source)
    events = [load_event(name, {estate.SG_PLACEHOLDER: mixed.group}) for name in CONFIG_EVENTS]
    engine, recorder = make_engine()

    def with_detail(event: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
        return spoiled(event["detail"], CONFIG_FIELDS, most=2).map(lambda detail: {**event, "detail": detail})

    @CONFIG_SETTINGS
    @given(st.sampled_from(events).flatmap(with_detail))
    def check(event: dict[str, Any]) -> None:
        mixed.reset()
        recorder.calls.clear()
        report, path = deliver(engine, event)
        label(f"config event: {report['findings'][0]['status'] if report else 'refused whole'}")
        if report is None:
            assert path.startswith("event.detail.") and recorder.calls == [], (path, recorder.calls)
            return
        assert len(report["findings"]) == 1 and not report["invalid"], report
        detail = event["detail"]
        if untrusted_config_rule(detail, frozenset(AWS_RULES)) or elsewhere(detail.get("awsAccountId")):
            assert recorder.writes == [] and not any(mixed.changed()), (recorder.writes, mixed.changed())

    check()
