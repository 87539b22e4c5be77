"""200 events with throttling, AccessDenied, deleted resources and duplicate deliveries."""

from __future__ import annotations

import pytest

from localaws.reliability import run_burst


@pytest.mark.usefixtures("aws")
def test_burst_loses_nothing_and_changes_nothing_twice() -> None:
    _, counts = run_burst(200, seed=7)
    assert counts["resolved"] + counts["notified"] + counts.get("dead-letter", 0) == 200
    assert counts["throttled_attempts"] > 0 and counts["duplicates"] > 0
    assert counts["denied"] > 0 and counts["deleted"] > 0
    assert counts["notified"] >= counts["denied"] + counts["deleted"] - counts.get("dead-letter", 0)
    assert counts["changed"] == counts["resolved"], "every resolved finding was one change, no more"
