"""Stop every EBS snapshot the account owns in the region from being public (control EC2.1).

Controls: EC2.1 (PCI.EC2.1; Config rule `ebs-snapshot-public-restorable-check`). The finding
names the account, not a snapshot: the control fails while any snapshot the account owns in the
region may be restored by everyone.
Why: anyone with an AWS account can create a volume from a public snapshot and read its data.
Guarantee: only the group `all` is removed from each snapshot's `createVolumePermission`;
accounts a snapshot is shared with by id keep their permission, and no snapshot is ever made
public. Only snapshots the finding's account owns are listed (`OwnerIds` is that account, so a
client in any other account lists nothing it could change). The note lists every snapshot.
Calls: one paginated read (DescribeSnapshots with `RestorableByUserIds=["all"]` returns exactly
the public ones), then one ModifySnapshotAttribute per public snapshot: the API takes a single
snapshot id, so more than one write is unavoidable when several snapshots are public. A snapshot
deleted between the read and the write is no longer public: `InvalidSnapshot.NotFound` is taken
as done.
Revert makes public again the snapshots the fix made private; one someone made public again
since needs nothing (the note says so), one deleted since cannot be restored and is passed over.
APIs: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSnapshots.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySnapshotAttribute.html
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Params, Permissions, Remediation, Risk
from remediations.identities import ACCOUNT

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

    from remediations.cases import Cases

PUBLIC = "PublicSnapshots"
GONE = "InvalidSnapshot.NotFound"


def read(client: EC2Client, resource: Resource, params: Params) -> dict[str, Any]:
    """The ids of the account's snapshots that everyone may restore, sorted."""
    pages = client.get_paginator("describe_snapshots").paginate(
        OwnerIds=[resource.name], RestorableByUserIds=["all"]
    )
    return {PUBLIC: sorted(snapshot["SnapshotId"] for page in pages for snapshot in page["Snapshots"])}


def _permission(snapshot_id: str, operation: str) -> ApiCall:
    return ApiCall(
        "modify_snapshot_attribute",
        {
            "SnapshotId": snapshot_id,
            "Attribute": "createVolumePermission",
            "OperationType": operation,
            "GroupNames": ["all"],
        },
        tolerate=(GONE,),
    )


def _public(snapshots: Sequence[str], public: bool) -> Plan:
    return Plan(
        changes=tuple(Change(f"snapshot {snapshot} public", not public, public) for snapshot in snapshots),
        calls=tuple(_permission(snapshot, "add" if public else "remove") for snapshot in snapshots),
    )


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    public = list(state[PUBLIC])
    if not public:
        return Plan(after=dict(state))
    made = _public(public, False)
    return Plan(changes=made.changes, calls=made.calls, after={**state, PUBLIC: []})


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    made_private = [snapshot for snapshot in before[PUBLIC] if snapshot not in after[PUBLIC]]
    public_again = [snapshot for snapshot in made_private if snapshot in current[PUBLIC]]
    back = [snapshot for snapshot in made_private if snapshot not in current[PUBLIC]]
    notes = tuple(
        f"snapshot {snapshot} was made public again since: nothing to do" for snapshot in public_again
    )
    made = _public(back, True)
    return Plan(
        changes=made.changes,
        calls=made.calls,
        after={**current, PUBLIC: sorted({*current[PUBLIC], *back})},
        notes=notes,
    )


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """No snapshot is public after the fix that was not public before it."""
    return set(after[PUBLIC]) <= set(before[PUBLIC])


def cases() -> Cases:
    from remediations.cases import (
        ACCOUNT,
        Cases,
        Exchange,
        LiveCase,
        PlanCase,
        RevertCase,
        StubbedCase,
        resource,
    )

    one, two, other = "snap-0a1b2c3d4e5f60718", "snap-0f1e2d3c4b5a69788", "snap-0123456789abcdef0"
    account = resource("AwsAccount", f"AWS::::Account:{ACCOUNT}")

    def setup(session: Any) -> Resource:
        ec2 = session.client("ec2")
        volume = ec2.create_volume(Size=1, AvailabilityZone=f"{session.region_name}a")["VolumeId"]
        for shared in ("all", "private"):
            snapshot = ec2.create_snapshot(VolumeId=volume, Description=f"case {shared}")["SnapshotId"]
            ec2.modify_snapshot_attribute(
                SnapshotId=snapshot,
                Attribute="createVolumePermission",
                OperationType="add",
                UserIds=["111122223333"],
                **({"GroupNames": ["all"]} if shared == "all" else {}),
            )
        return account

    return Cases(
        plans=(
            PlanCase(
                "two public snapshots",
                {PUBLIC: [one, two]},
                {},
                (f"snapshot {one} public: true → false", f"snapshot {two} public: true → false"),
            ),
            PlanCase("no public snapshot", {PUBLIC: []}, {}, ()),
        ),
        stubbed=StubbedCase(
            resource=account,
            params={},
            calls=(
                Exchange(
                    "describe_snapshots",
                    {"OwnerIds": [ACCOUNT], "RestorableByUserIds": ["all"]},
                    {"Snapshots": [{"SnapshotId": two}, {"SnapshotId": one}]},
                ),
                Exchange("modify_snapshot_attribute", dict(_permission(one, "remove").params)),
                Exchange("modify_snapshot_attribute", dict(_permission(two, "remove").params)),
            ),
            refusals=(
                (0, "UnauthorizedOperation"),
                (1, "UnauthorizedOperation"),
                (2, "RequestLimitExceeded"),
            ),
        ),
        reverts=(
            RevertCase(
                "both public again",
                {PUBLIC: [one, two]},
                {PUBLIC: []},
                {PUBLIC: []},
                (f"snapshot {one} public: false → true", f"snapshot {two} public: false → true"),
            ),
            RevertCase(
                "another snapshot made public since is not the fix's: left as it is",
                {PUBLIC: [one]},
                {PUBLIC: []},
                {PUBLIC: [other]},
                (f"snapshot {one} public: false → true",),
            ),
            RevertCase(
                "changed by someone else since: one made public again already",
                {PUBLIC: [one, two]},
                {PUBLIC: []},
                {PUBLIC: [one]},
                (f"snapshot {two} public: false → true",),
                kept=one,
                since="changed",
            ),
        ),
        live=LiveCase(setup, {}),
        keeps=keeps,
        strictest="the fix leaves no snapshot public, the strictest state: nothing can be stricter since",
        identities=(
            (account, ACCOUNT),
            (resource("AWS::::Account", ACCOUNT, ResourceFormat.CONFIG), ACCOUNT),
        ),
    )


REMEDIATION = Remediation(
    name="ec2.make-snapshots-private",
    summary="Remove public restore (group all) from every EBS snapshot the account owns in the region.",
    service="ec2",
    identity=ACCOUNT,
    permissions=Permissions(
        read=("ec2:DescribeSnapshots",),
        write=("ec2:ModifySnapshotAttribute",),
        revert=("ec2:ModifySnapshotAttribute",),
    ),
    risk=Risk.SAFE,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
)
