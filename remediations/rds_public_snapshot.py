"""Stop a manual RDS DB snapshot or DB cluster snapshot from being public (control RDS.1).

Controls: RDS.1 (PCI.RDS.1; Config rule `rds-snapshots-public-prohibited`, which also fails
Aurora, Neptune and DocumentDB cluster snapshots: the same RDS API serves them).
Why: anyone with an AWS account can copy or restore a public snapshot and read the database.
Guarantee: only `all` is removed from the snapshot's `restore` attribute; accounts it is shared
with by id keep their permission, and no snapshot is ever shared wider. The finding's resource
type says which kind of snapshot it is, and so which API serves it (DB snapshot or DB cluster
snapshot) and which ARN the exclusion check reads the tags of. Revert adds `all` again, unless
someone made the snapshot public again since (then nothing is needed, and the note says so).
Calls: one read (Describe…SnapshotAttributes), one write (Modify…SnapshotAttribute).
AWS Config names the snapshot by its identifier or ARN (which one is unverified): both are
read the same way, the identifier being the ARN's last segment.
APIs: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBSnapshotAttributes.html
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBSnapshotAttribute.html
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusterSnapshotAttributes.html
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBClusterSnapshotAttribute.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Identity, Params, Permissions, Remediation, Risk

if TYPE_CHECKING:
    from remediations.cases import Cases

DB, CLUSTER = "snapshot", "cluster-snapshot"  # as the ARNs spell the kinds
KIND_OF_TYPE = {
    "AwsRdsDbSnapshot": DB,
    "AWS::RDS::DBSnapshot": DB,
    "AwsRdsDbClusterSnapshot": CLUSTER,
    "AWS::RDS::DBClusterSnapshot": CLUSTER,
}


@dataclass(frozen=True)
class Api:
    """The calls and names one kind of snapshot uses."""

    describe: str
    modify: str
    identifier: str  # the request's parameter naming the snapshot
    result: str  # the describe answer's result key
    attributes: str  # the list of attributes in that result


API = {
    DB: Api(
        "describe_db_snapshot_attributes",
        "modify_db_snapshot_attribute",
        "DBSnapshotIdentifier",
        "DBSnapshotAttributesResult",
        "DBSnapshotAttributes",
    ),
    CLUSTER: Api(
        "describe_db_cluster_snapshot_attributes",
        "modify_db_cluster_snapshot_attribute",
        "DBClusterSnapshotIdentifier",
        "DBClusterSnapshotAttributesResult",
        "DBClusterSnapshotAttributes",
    ),
}
RESTORE, PUBLIC = "restore", "all"


class SnapshotIdentity(Identity):
    """An `Identity` whose ARN follows the snapshot's kind: `…:snapshot:<id>` or `…:cluster-snapshot:<id>`."""

    __slots__ = ()

    def identify(self, resource: Resource) -> Resource:
        located = Identity.identify(self, resource)
        kind = KIND_OF_TYPE[resource.type]
        return located._replace(
            arn=f"arn:{resource.partition}:rds:{resource.region}:{resource.account_id}:{kind}:{located.name}",
        )


def read(client: Any, resource: Resource, params: Params) -> dict[str, Any]:
    kind = KIND_OF_TYPE[resource.type]
    api = API[kind]
    answer = getattr(client, api.describe)(**{api.identifier: resource.name})
    values: list[str] = next(
        (
            attribute.get("AttributeValues", [])
            for attribute in answer.get(api.result, {}).get(api.attributes, [])
            if attribute.get("AttributeName") == RESTORE
        ),
        [],
    )
    return {"Kind": kind, "Identifier": resource.name, RESTORE: sorted(values)}


def _restore(state: Mapping[str, Any], operation: str) -> ApiCall:
    api = API[state["Kind"]]
    return ApiCall(
        api.modify,
        {api.identifier: state["Identifier"], "AttributeName": RESTORE, operation: [PUBLIC]},
    )


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    if PUBLIC not in state[RESTORE]:
        return Plan(after=dict(state))
    private = [value for value in state[RESTORE] if value != PUBLIC]
    return Plan(
        changes=(Change(RESTORE, list(state[RESTORE]), private),),
        calls=(_restore(state, "ValuesToRemove"),),
        after={**state, RESTORE: private},
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    if PUBLIC not in before[RESTORE] or PUBLIC in after[RESTORE]:
        return Plan(after=dict(current))  # the fix removed nothing
    if PUBLIC in current[RESTORE]:
        return Plan(after=dict(current), notes=("the snapshot was made public again since: nothing to do",))
    public = sorted([*current[RESTORE], PUBLIC])
    return Plan(
        changes=(Change(RESTORE, list(current[RESTORE]), public),),
        calls=(_restore(current, "ValuesToAdd"),),
        after={**current, RESTORE: public},
    )


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Never shared wider: no account added, never public unless it was."""
    return set(after[RESTORE]) <= set(before[RESTORE])


def cases() -> Cases:
    from remediations.cases import (
        ACCOUNT,
        REGION,
        Cases,
        Exchange,
        LiveCase,
        PlanCase,
        RevertCase,
        StubbedCase,
        resource,
    )

    partner = "111122223333"
    db_arn = f"arn:aws:rds:{REGION}:{ACCOUNT}:snapshot:nightly"
    cluster_arn = f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster-snapshot:aurora-nightly"

    def state(*values: str, kind: str = DB) -> dict[str, Any]:
        return {"Kind": kind, "Identifier": "nightly", RESTORE: sorted(values)}

    def setup(session: Any) -> Resource:
        rds = session.client("rds")
        rds.create_db_instance(
            DBInstanceIdentifier="case-db",
            DBInstanceClass="db.t3.micro",
            Engine="postgres",
            MasterUsername="admin",
            MasterUserPassword="case-password-1",
            AllocatedStorage=20,
        )
        rds.create_db_snapshot(DBInstanceIdentifier="case-db", DBSnapshotIdentifier="case-public-snapshot")
        rds.modify_db_snapshot_attribute(
            DBSnapshotIdentifier="case-public-snapshot",
            AttributeName=RESTORE,
            ValuesToAdd=[PUBLIC, partner],
        )
        return resource("AwsRdsDbSnapshot", f"arn:aws:rds:{REGION}:{ACCOUNT}:snapshot:case-public-snapshot")

    return Cases(
        plans=(
            PlanCase(
                "public and shared with a partner",
                state(PUBLIC, partner),
                {},
                (f'restore: ["{partner}","all"] → ["{partner}"]',),
            ),
            PlanCase(
                "a public cluster snapshot", state(PUBLIC, kind=CLUSTER), {}, ('restore: ["all"] → []',)
            ),
            PlanCase("shared with a partner only", state(partner), {}, ()),
            PlanCase("private", state(), {}, ()),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsRdsDbClusterSnapshot", cluster_arn),
            params={},
            calls=(
                Exchange(
                    "describe_db_cluster_snapshot_attributes",
                    {"DBClusterSnapshotIdentifier": "aurora-nightly"},
                    {
                        "DBClusterSnapshotAttributesResult": {
                            "DBClusterSnapshotIdentifier": "aurora-nightly",
                            "DBClusterSnapshotAttributes": [
                                {"AttributeName": RESTORE, "AttributeValues": [PUBLIC, partner]}
                            ],
                        }
                    },
                ),
                Exchange(
                    "modify_db_cluster_snapshot_attribute",
                    {
                        "DBClusterSnapshotIdentifier": "aurora-nightly",
                        "AttributeName": RESTORE,
                        "ValuesToRemove": [PUBLIC],
                    },
                ),
            ),
            refusals=(
                (0, "DBClusterSnapshotNotFoundFault"),
                (1, "InvalidDBClusterSnapshotStateFault"),
                (1, "AccessDenied"),
            ),
            # the DB snapshot calls: the same path for a snapshot of the other kind
            optional_actions=frozenset({"rds:DescribeDBSnapshotAttributes", "rds:ModifyDBSnapshotAttribute"}),
        ),
        reverts=(
            RevertCase(
                "public again, the partner kept",
                state(PUBLIC, partner),
                state(partner),
                state(partner),
                (f'restore: ["{partner}"] → ["{partner}","all"]',),
            ),
            RevertCase(
                "a cluster snapshot public again",
                state(PUBLIC, kind=CLUSTER),
                state(kind=CLUSTER),
                state(kind=CLUSTER),
                ('restore: [] → ["all"]',),
            ),
            RevertCase(
                "changed by someone else since: public again already",
                state(PUBLIC),
                state(),
                state(PUBLIC, partner),
                kept="made public again since",
                since="changed",
            ),
        ),
        live=LiveCase(setup, {}),
        keeps=keeps,
        strictest="the fix only removes `all`; nothing stricter about it can happen since",
        identities=(
            (resource("AwsRdsDbSnapshot", db_arn), "nightly"),
            (resource("AwsRdsDbClusterSnapshot", cluster_arn), "aurora-nightly"),
            (resource("AWS::RDS::DBSnapshot", "nightly", ResourceFormat.CONFIG), "nightly"),
            (resource("AWS::RDS::DBClusterSnapshot", cluster_arn, ResourceFormat.CONFIG), "aurora-nightly"),
        ),
    )


REMEDIATION = Remediation(
    name="rds.make-snapshot-private",
    summary="Remove public restore (`all`) from a manual DB or DB cluster snapshot; named accounts keep it.",
    service="rds",
    identity=SnapshotIdentity(
        {
            ResourceFormat.ASFF: frozenset({"AwsRdsDbSnapshot", "AwsRdsDbClusterSnapshot"}),
            ResourceFormat.CONFIG: frozenset({"AWS::RDS::DBSnapshot", "AWS::RDS::DBClusterSnapshot"}),
        },
        arn="arn:{partition}:rds:{region}:{account}:snapshot:{name}",  # replaced per kind
    ),
    permissions=Permissions(
        read=("rds:DescribeDBSnapshotAttributes", "rds:DescribeDBClusterSnapshotAttributes"),
        write=("rds:ModifyDBSnapshotAttribute", "rds:ModifyDBClusterSnapshotAttribute"),
        revert=("rds:ModifyDBSnapshotAttribute", "rds:ModifyDBClusterSnapshotAttribute"),
    ),
    risk=Risk.SAFE,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
)
