"""EC2 ``DescribeSnapshots`` for moto 5.x that honours ``OwnerIds`` and ``RestorableByUserIds``.

moto 5.2 ignores both parameters: every snapshot of the Region comes back, among them some 1,300
it preloads from its AMI catalogue and owns by other accounts. A remediation that lists an
account's public snapshots (control EC2.1) would then act on snapshots it must never touch, so
the test double filters as the API reference documents
(https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSnapshots.html):

* ``OwnerIds``: only snapshots owned by one of the listed owners; ``self`` is the caller's
  account. The aliases ``amazon`` and ``aws-marketplace`` name no account moto models, so they
  match no snapshot here.
* ``RestorableByUserIds``: only snapshots with create-volume permission for one of the listed
  users: ``all`` for public snapshots (group ``all``), ``self`` for snapshots the caller owns or
  was given permission to, an account id for snapshots shared with that account explicitly.
* Both given: a snapshot must pass both.

Everything else (snapshot ids, filters, the answer's shape) stays moto's own. Not modelled:
paging (moto answers in one page, which the paginator accepts) and the snapshots of other
accounts that are public or shared with the caller (moto keeps each account's snapshots apart).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from moto.core.responses import ActionResult

if TYPE_CHECKING:
    from moto.ec2.models.elastic_block_store import Snapshot
    from moto.ec2.responses import EC2Response

PUBLIC_GROUP = "all"
SELF = "self"


def owned_by(snapshot: Snapshot, owners: Sequence[str], caller: str) -> bool:
    return any(snapshot.owner_id == (caller if owner == SELF else owner) for owner in owners)


def restorable_by(snapshot: Snapshot, users: Sequence[str], caller: str) -> bool:
    for user in users:
        if user == PUBLIC_GROUP and PUBLIC_GROUP in snapshot.create_volume_permission_groups:
            return True
        if user == SELF and (
            snapshot.owner_id == caller or caller in snapshot.create_volume_permission_userids
        ):
            return True
        if user in snapshot.create_volume_permission_userids:
            return True
    return False


def select_snapshots(
    snapshots: Iterable[Snapshot], owners: Sequence[str], users: Sequence[str], caller: str
) -> list[Snapshot]:
    """The snapshots both scopes let through; an empty scope lets every snapshot through."""
    return [
        snapshot
        for snapshot in snapshots
        if (not owners or owned_by(snapshot, owners, caller))
        and (not users or restorable_by(snapshot, users, caller))
    ]


def respond_describe_snapshots(response: EC2Response) -> ActionResult:
    """moto's own answer, narrowed by ``OwnerIds`` and ``RestorableByUserIds``."""
    backend: Any = response.ec2_backend
    snapshots = backend.describe_snapshots(
        snapshot_ids=response._get_param("SnapshotIds", []),
        filters=response._filters_from_querystring(),
    )
    selected = select_snapshots(
        snapshots,
        owners=response._get_param("OwnerIds", []),
        users=response._get_param("RestorableByUserIds", []),
        caller=backend.account_id,
    )
    return ActionResult({"Snapshots": selected})
