"""Fuzz the engine with hypothesis-generated events.

The only failure allowed is the engine's own `InvalidEventError`; an event rejected as a
whole makes no AWS call, and a bad finding never stops the valid ones beside it.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localaws import estate
from localaws.engine_setup import make_engine
from localaws.events import event_names, load_event
from model.errors import InvalidEventError

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)
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
