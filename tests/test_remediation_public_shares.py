"""EC2.1, RDS.1 and SSM.4 take away only the public share: properties over any starting state.

For every state the reads can return: the plan removes the public grant and nothing else (no call
names an account, accounts shared with by id stay), never shares wider, plans nothing once
applied, and the revert of an untouched fix gives back exactly the state read before it.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from remediations import ec2_public_snapshots, rds_public_snapshot, ssm_public_document

accounts = st.from_regex(r"[0-9]{12}", fullmatch=True)
snapshot_ids = st.lists(st.from_regex(r"snap-[0-9a-f]{17}", fullmatch=True), unique=True, max_size=6)
rds_states = st.builds(
    lambda kind, shared, public: {
        "Kind": kind,
        "Identifier": "nightly",
        "restore": sorted({*shared, *(["all"] if public else [])}),
    },
    st.sampled_from([rds_public_snapshot.DB, rds_public_snapshot.CLUSTER]),
    st.lists(accounts, unique=True, max_size=4),
    st.booleans(),
)
versions = st.sampled_from([None, "$DEFAULT", "$LATEST", "1", "7"])
ssm_states = st.builds(
    lambda shared, everyone: {
        "Name": "runbook",
        "Shares": dict(sorted({**shared, **({everyone[0]: everyone[1]} if everyone else {})}.items())),
    },
    st.dictionaries(accounts, versions, max_size=4),
    st.none() | st.tuples(st.sampled_from(["All", "all", "ALL"]), versions),
)


def undo_of_untouched_fix(remediation: Any, before: dict[str, Any]) -> dict[str, Any]:
    """Apply the fix's plan on paper, then the revert planned from that state: the state it leads to."""
    fixed = remediation.plan(before, {})
    back = remediation.revert(fixed.after, before, fixed.after, False)
    return dict(back.after)


@given(snapshot_ids)
def test_ec2_snapshots_lose_only_group_all(public: list[str]) -> None:
    before = {"PublicSnapshots": sorted(public)}
    plan = ec2_public_snapshots.plan(before, {})
    assert plan.after == {"PublicSnapshots": []}
    assert ec2_public_snapshots.keeps(before, plan.after)
    assert sorted(call.params["SnapshotId"] for call in plan.calls) == sorted(public)
    assert all(
        call.params["OperationType"] == "remove"
        and call.params["GroupNames"] == ["all"]
        and "UserIds" not in call.params
        for call in plan.calls
    )
    assert [change.field for change in plan.changes] == [f"snapshot {s} public" for s in sorted(public)]
    assert ec2_public_snapshots.plan(plan.after, {}).compliant
    assert undo_of_untouched_fix(ec2_public_snapshots, before) == before


@given(snapshot_ids, snapshot_ids)
def test_ec2_revert_never_touches_a_snapshot_the_fix_did_not(
    made_private: list[str], others: list[str]
) -> None:
    before = {"PublicSnapshots": sorted(made_private)}
    current = {"PublicSnapshots": sorted(set(others))}
    back = ec2_public_snapshots.revert(current, before, {"PublicSnapshots": []}, False)
    touched = {call.params["SnapshotId"] for call in back.calls}
    assert touched == set(made_private) - set(others)
    assert all(call.params["OperationType"] == "add" for call in back.calls)


@given(rds_states)
def test_rds_snapshot_loses_only_all(before: dict[str, Any]) -> None:
    plan = rds_public_snapshot.plan(before, {})
    assert plan.after["restore"] == [value for value in before["restore"] if value != "all"]
    assert rds_public_snapshot.keeps(before, plan.after)
    for call in plan.calls:
        assert call.params["ValuesToRemove"] == ["all"] and "ValuesToAdd" not in call.params
        assert call.method.startswith(
            "modify_db_cluster" if before["Kind"] == "cluster-snapshot" else "modify_db_snap"
        )
    assert plan.compliant == ("all" not in before["restore"])
    assert rds_public_snapshot.plan(plan.after, {}).compliant
    assert undo_of_untouched_fix(rds_public_snapshot, before) == before


@given(ssm_states)
def test_ssm_document_loses_only_the_share_with_all(before: dict[str, Any]) -> None:
    plan = ssm_public_document.plan(before, {})
    named = {account: version for account, version in before["Shares"].items() if account.lower() != "all"}
    assert plan.after["Shares"] == named
    assert ssm_public_document.keeps(before, plan.after)
    for call in plan.calls:
        assert [token.lower() for token in call.params["AccountIdsToRemove"]] == ["all"]
        assert "AccountIdsToAdd" not in call.params
    assert ssm_public_document.plan(plan.after, {}).compliant
    assert undo_of_untouched_fix(ssm_public_document, before) == before


@given(ssm_states, st.dictionaries(accounts, versions, max_size=3))
def test_ssm_revert_adds_back_only_all(before: dict[str, Any], current_named: dict[str, Any]) -> None:
    fixed = ssm_public_document.plan(before, {})
    current = {"Name": "runbook", "Shares": current_named}
    back = ssm_public_document.revert(current, before, fixed.after, False)
    for call in back.calls:
        assert [token.lower() for token in call.params["AccountIdsToAdd"]] == ["all"]
        assert "AccountIdsToRemove" not in call.params
    assert set(back.after["Shares"]) - set(current_named) <= {
        account for account in before["Shares"] if account.lower() == "all"
    }
