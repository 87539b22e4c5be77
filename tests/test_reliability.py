"""200 events with throttling, AccessDenied, deleted resources and duplicate deliveries, and
findings the engine must leave alone: forged, with stale tags, naming a resource elsewhere."""

from __future__ import annotations

import pytest

from localaws.reliability import Mix, run_burst


@pytest.mark.usefixtures("aws")
def test_burst_loses_nothing_changes_nothing_twice_and_leaves_alone_what_it_must() -> None:
    burst, counts = run_burst(200, seed=7)
    assert burst.problems == []
    ended = ("resolved", "notified", "left-alone", "dead-letter")
    assert sum(counts.get(key, 0) for key in ended) == 200
    assert counts["throttled_attempts"] > 0 and counts["duplicates"] > 0
    assert counts["denied"] > 0 and counts["deleted"] > 0
    assert counts["forged"] > 0 and counts["stale_tags"] > 0 and counts["foreign"] > 0
    never = ("forged_acted_on", "excluded_changed", "foreign_acted_on", "changed_twice")
    assert {key: counts[key] for key in never} == dict.fromkeys(never, 0)
    dead = counts.get("dead-letter", 0)
    assert counts["notified"] >= counts["denied"] + counts["deleted"] + counts["foreign"] - dead
    assert counts["left-alone"] >= counts["forged"] + counts["stale_tags"] - dead
    assert counts["changed"] == counts["resolved"], "every resolved finding was one change, no more"


@pytest.mark.usefixtures("aws")
def test_the_audit_counts_the_writes_not_the_engines_word(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the producer and resource checks switched off, the forged and foreign findings of a
    small burst show as acted on: the figures above come from the write calls themselves."""
    monkeypatch.setattr("engine.decide.foreign_producer", lambda finding: "")
    monkeypatch.setattr("engine.decide.foreign_resource", lambda finding, resource: "")
    burst, counts = run_burst(30, seed=7, mix=Mix(forged=0.3, stale_tags=0.0, foreign=0.3))
    assert counts["forged_acted_on"] == counts["forged"] > 0
    assert counts["foreign_acted_on"] == counts["foreign"] > 0
    assert any("forged finding" in problem and "resolved" in problem for problem in burst.problems)
