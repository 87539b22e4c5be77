"""Turn on a protective setting of an RDS DB cluster: the one its rule names (RDS.7, RDS.16).

Controls: RDS.7 (`DeletionProtection`), RDS.16 (`CopyTagsToSnapshot`). Each rule passes its
`setting`.
Why: deletion protection makes DeleteDBCluster fail until someone switches it off (the member
instances can still be deleted one by one); tags copied to cluster snapshots keep their owner and
classification on every backup. Both are the cluster's settings for all its instances.
Guarantee: one DescribeDBClusters, then, unless the setting is on already, one ModifyDBCluster
naming that setting alone (without `ApplyImmediately`, which would also apply the cluster's
pending modifications at once; see `remediations/rds_settings.py`); no other setting is touched
and none is ever switched off. Revert switches off what the fix switched on, unless someone
switched it off since. A cluster AWS will not modify in its state fails with
`InvalidDBClusterStateFault`.
APIs: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusters.html
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBCluster.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.finding import Resource, ResourceFormat
from model.outcome import Plan
from remediations.base import Params, Permissions, Remediation, Risk
from remediations.rds_settings import (
    CLUSTER_ID,
    DB_CLUSTER,
    STRICTEST,
    cluster_resource_id,
    keeps,
    plan_setting,
    read_cluster,
    revert_settings,
)

if TYPE_CHECKING:
    from mypy_boto3_rds import RDSClient

    from remediations.cases import Cases

SETTINGS = ("DeletionProtection", "CopyTagsToSnapshot")


def read(client: RDSClient, resource: Resource, params: Params) -> dict[str, Any]:
    return read_cluster(client, resource, SETTINGS)


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    return plan_setting(state, params["setting"])


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    return revert_settings(current, before, after, force)


def cases() -> Cases:
    from remediations.cases import (
        ACCOUNT,
        REGION,
        Cases,
        Exchange,
        LiveCase,
        LookupCase,
        PlanCase,
        RevertCase,
        StubbedCase,
        resource,
    )

    arn = f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:aurora-1"
    resource_id = "cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    off = {CLUSTER_ID: "aurora-1", **dict.fromkeys(SETTINGS, False)}
    protected = {**off, "DeletionProtection": True}
    protect = {"setting": "DeletionProtection"}

    def setup(session: Any) -> Resource:
        session.client("rds").create_db_cluster(
            DBClusterIdentifier="case-cluster",
            Engine="aurora-postgresql",
            MasterUsername="admin",
            MasterUserPassword="not-a-secret-1",
            **dict.fromkeys(SETTINGS, False),
        )
        return resource("AwsRdsDbCluster", f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:case-cluster")

    return Cases(
        plans=(
            PlanCase("deletion protection off", off, protect, ("DeletionProtection: false → true",)),
            PlanCase(
                "copy tags off", off, {"setting": "CopyTagsToSnapshot"}, ("CopyTagsToSnapshot: false → true",)
            ),
            PlanCase("deletion protection on already", protected, protect, ()),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsRdsDbCluster", arn),
            params=protect,
            calls=(
                Exchange(
                    "describe_db_clusters",
                    {CLUSTER_ID: "aurora-1"},
                    {"DBClusters": [{CLUSTER_ID: "aurora-1", "DeletionProtection": False}]},
                ),
                Exchange(
                    "modify_db_cluster",
                    {CLUSTER_ID: "aurora-1", "DeletionProtection": True},
                    {"DBCluster": {CLUSTER_ID: "aurora-1", "DeletionProtection": True}},
                ),
            ),
            refusals=(
                (0, "DBClusterNotFoundFault"),
                (0, "AccessDenied"),
                (1, "InvalidDBClusterStateFault"),
                (1, "Throttling"),
            ),
        ),
        reverts=(
            RevertCase(
                "deletion protection off again",
                off,
                protected,
                protected,
                ("DeletionProtection: true → false",),
            ),
            RevertCase(
                "copy tags switched on since: kept, only deletion protection goes back",
                off,
                protected,
                {**protected, "CopyTagsToSnapshot": True},
                ("DeletionProtection: true → false",),
            ),
            RevertCase(
                "changed by someone else since: deletion protection off",
                off,
                protected,
                off,
                conflict=True,
                since="changed",
            ),
        ),
        live=LiveCase(setup, protect, id_in=cluster_resource_id),
        keeps=keeps,
        identities=(
            (resource("AwsRdsDbCluster", arn), "aurora-1"),
            (resource("AWS::RDS::DBCluster", resource_id, ResourceFormat.CONFIG), resource_id),
        ),
        strictest=STRICTEST,
        lookups=(
            LookupCase(
                resource("AWS::RDS::DBCluster", resource_id, ResourceFormat.CONFIG),
                Exchange(
                    "describe_db_clusters",
                    {"Filters": [{"Name": "db-cluster-resource-id", "Values": [resource_id]}]},
                    {"DBClusters": [{CLUSTER_ID: "aurora-1", "DbClusterResourceId": resource_id}]},
                ),
                "aurora-1",
            ),
        ),
    )


REMEDIATION = Remediation(
    name="rds.enable-cluster-setting",
    summary="Turn on an RDS DB cluster's deletion protection or copying of tags to snapshots.",
    service="rds",
    identity=DB_CLUSTER,
    permissions=Permissions(
        read=("rds:DescribeDBClusters",),
        write=("rds:ModifyDBCluster",),
        revert=("rds:ModifyDBCluster",),
    ),
    risk=Risk.SAFE,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
    parameters={"setting": {"enum": list(SETTINGS)}},
    schema_extra={"required": ["setting"]},
)
