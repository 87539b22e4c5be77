"""DynamoDB.6 and CloudTrail.4 switch one flag on: a property over every state they can read.

Never weaken: the flag is only ever switched on, by a request that names exactly the resource
read and that flag; a revert only ever switches off what reads as the fix left it.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.errors import RevertConflictError
from remediations import catalog

#: remediation → (state key of the resource, state key of the flag, request's resource key, request's flag key)
FLAGS = {
    "dynamodb.enable-deletion-protection": (
        "TableName",
        "DeletionProtectionEnabled",
        "TableName",
        "DeletionProtectionEnabled",
    ),
    "cloudtrail.enable-log-file-validation": (
        "TrailARN",
        "LogFileValidationEnabled",
        "Name",
        "EnableLogFileValidation",
    ),
}
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=3, max_size=40)


@pytest.mark.parametrize("name", sorted(FLAGS))
def test_the_flag_is_only_ever_switched_on_and_only_on_the_resource_read(name: str) -> None:
    remediation, (key, field, request_key, request_field) = catalog()[name], FLAGS[name]

    @given(resource=names, on=st.booleans())
    def check(resource: str, on: bool) -> None:
        state = {key: resource, field: on}
        plan = remediation.plan(state, {})
        assert plan.after[field] and plan.compliant == on
        for call in plan.calls:
            assert dict(call.params) == {request_key: resource, request_field: True}

    check()


@pytest.mark.parametrize("name", sorted(FLAGS))
def test_a_revert_switches_off_only_what_reads_as_the_fix_left_it(name: str) -> None:
    remediation, (key, field, _, _) = catalog()[name], FLAGS[name]

    @given(current=st.booleans(), force=st.booleans())
    def check(current: bool, force: bool) -> None:
        before, after = {key: "r", field: False}, {key: "r", field: True}
        now: dict[str, Any] = {key: "r", field: current}
        try:
            plan = remediation.undo(now, before, after, force=force)
        except RevertConflictError:
            assert not current and not force
            return
        assert plan.after[field] is False
        assert len(plan.calls) == (1 if current else 0)

    check()
