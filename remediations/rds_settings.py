"""What the RDS remediations share: who a DB instance or cluster is, one read, boolean settings.

Identity. Security Hub names a DB instance or cluster by its ARN (`…:db:<identifier>`,
`…:cluster:<identifier>`), whose last segment is the identifier every RDS call takes. AWS Config
names it by its resource id instead (`DbiResourceId` `db-…`, `DbClusterResourceId` `cluster-…`),
which no Modify call takes and no ARN is built from: the engine looks the identifier up first
(`Identity.lookups`), with one DescribeDBInstances / DescribeDBClusters call filtered on
`dbi-resource-id` / `db-cluster-resource-id`, as AWS's own Config remediation runbooks do
(AWSConfigRemediation-EnableRDSInstanceDeletionProtection takes `DbInstanceResourceId` and
gathers the identifier from it). A resource id is unique in its Region, so anything but exactly
one answer fails the finding.

Settings. Each setting these remediations fix is a boolean with one compliant value (`STRICT`),
read with the identifier in one Describe call and set with one Modify call naming only that
setting. No call sends `ApplyImmediately`: the RDS user guide's "Settings for DB instances"
table says DeletionProtection, AutoMinorVersionUpgrade, CopyTagsToSnapshot and
PubliclyAccessible "occur immediately" and ignore it, and `ApplyImmediately=True` would also apply
every pending modification at once (an instance class change waiting for the maintenance window
would reboot the database now). A revert sets back only what the fix changed, and only while it
still reads as the fix left it. AWS refuses a Modify call in some states (stopped, creating,
deleting: `InvalidDBInstanceState` / `InvalidDBClusterStateFault`); the finding then fails with
that code and the resource is unchanged.
APIs: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusters.html
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.DBInstance.Modifying.html#USER_ModifyInstance.Settings
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from model.errors import RemediationFailedError
from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Identity
from remediations.revert import refuse_unless_forced

#: The compliant value of each setting the RDS remediations fix.
STRICT: Mapping[str, bool] = {
    "DeletionProtection": True,
    "AutoMinorVersionUpgrade": True,
    "CopyTagsToSnapshot": True,
    "PubliclyAccessible": False,
}
INSTANCE_ID, CLUSTER_ID = "DBInstanceIdentifier", "DBClusterIdentifier"


def instance_identifier(client: Any, resource: Resource) -> str:
    """The identifier of the DB instance AWS Config names by its `db-…` resource id."""
    found = client.describe_db_instances(Filters=[{"Name": "dbi-resource-id", "Values": [resource.id]}])
    return _only(found["DBInstances"], INSTANCE_ID, resource, "DescribeDBInstances", "DBInstanceNotFound")


def cluster_identifier(client: Any, resource: Resource) -> str:
    """The identifier of the DB cluster AWS Config names by its `cluster-…` resource id."""
    found = client.describe_db_clusters(Filters=[{"Name": "db-cluster-resource-id", "Values": [resource.id]}])
    return _only(found["DBClusters"], CLUSTER_ID, resource, "DescribeDBClusters", "DBClusterNotFoundFault")


def _only(found: list[Any], key: str, resource: Resource, operation: str, missing: str) -> str:
    if len(found) == 1:
        return str(found[0][key])
    noun = "DB instance" if key == INSTANCE_ID else "DB cluster"
    raise RemediationFailedError(
        f"{len(found) or 'no'} {noun}(s) in {resource.account_id}/{resource.region} answer to resource id "
        f"{resource.id!r}, expected one: nothing was changed",
        error_code=missing if not found else "AmbiguousResourceId",
        operation=operation,
    )


#: A DB instance: by ARN in Security Hub, by its `db-…` resource id in AWS Config (looked up).
DB_INSTANCE = Identity(
    {
        ResourceFormat.ASFF: frozenset({"AwsRdsDbInstance"}),
        ResourceFormat.CONFIG: frozenset({"AWS::RDS::DBInstance"}),
    },
    arn="arn:{partition}:rds:{region}:{account}:db:{name}",
    lookups={ResourceFormat.CONFIG: instance_identifier},
)
#: A DB cluster: by ARN in Security Hub, by its `cluster-…` resource id in AWS Config (looked up).
DB_CLUSTER = Identity(
    {
        ResourceFormat.ASFF: frozenset({"AwsRdsDbCluster"}),
        ResourceFormat.CONFIG: frozenset({"AWS::RDS::DBCluster"}),
    },
    arn="arn:{partition}:rds:{region}:{account}:cluster:{name}",
    lookups={ResourceFormat.CONFIG: cluster_identifier},
)


def read_instance(client: Any, resource: Resource, settings: tuple[str, ...]) -> dict[str, Any]:
    """The instance's identifier, its cluster (None when it is in none) and the settings named."""
    instance = client.describe_db_instances(DBInstanceIdentifier=resource.name)["DBInstances"][0]
    return {
        INSTANCE_ID: instance[INSTANCE_ID],
        CLUSTER_ID: instance.get(CLUSTER_ID) or None,
        **{setting: bool(instance.get(setting)) for setting in settings},
    }


def read_cluster(client: Any, resource: Resource, settings: tuple[str, ...]) -> dict[str, Any]:
    cluster = client.describe_db_clusters(DBClusterIdentifier=resource.name)["DBClusters"][0]
    return {CLUSTER_ID: cluster[CLUSTER_ID], **{setting: bool(cluster.get(setting)) for setting in settings}}


def modify(state: Mapping[str, Any], values: Mapping[str, bool]) -> ApiCall:
    """The one Modify call for what `state` names (an instance, else a cluster), these values only."""
    if INSTANCE_ID in state:
        return ApiCall("modify_db_instance", {INSTANCE_ID: state[INSTANCE_ID], **values})
    return ApiCall("modify_db_cluster", {CLUSTER_ID: state[CLUSTER_ID], **values})


def plan_setting(state: Mapping[str, Any], setting: str) -> Plan:
    """Set `setting` to its compliant value; nothing when it has it already."""
    strict = STRICT[setting]
    if state[setting] == strict:
        return Plan(after=dict(state))
    return Plan(
        changes=(Change(setting, state[setting], strict),),
        calls=(modify(state, {setting: strict}),),
        after={**state, setting: strict},
    )


def revert_settings(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    """Set back what the fix changed and still reads as it left it; a setting switched back since is someone's change."""
    changed = [setting for setting in STRICT if setting in after and after[setting] != before.get(setting)]
    back, changes = dict(current), []
    for setting in changed:
        if current.get(setting) != after[setting]:
            what = f"{setting} of {current.get(INSTANCE_ID) or current.get(CLUSTER_ID)}"
            refuse_unless_forced(force, what, current.get(setting), after[setting])
            continue
        changes.append(Change(setting, current[setting], before[setting]))
        back[setting] = before[setting]
    values = {change.field: before[change.field] for change in changes}
    return Plan(changes=tuple(changes), calls=(modify(current, values),) if values else (), after=back)


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Every setting compliant before is compliant after."""
    return all(after.get(s) == strict for s, strict in STRICT.items() if s in before and before[s] == strict)


def instance_resource_id(session: Any, made: Resource, format_: ResourceFormat) -> str:
    """For the sample events: the `db-…` resource id AWS Config names a made instance by."""
    instances = session.client("rds").describe_db_instances(DBInstanceIdentifier=made.name)["DBInstances"]
    return str(instances[0]["DbiResourceId"])


def cluster_resource_id(session: Any, made: Resource, format_: ResourceFormat) -> str:
    """For the sample events: the `cluster-…` resource id AWS Config names a made cluster by."""
    clusters = session.client("rds").describe_db_clusters(DBClusterIdentifier=made.name)["DBClusters"]
    return str(clusters[0]["DbClusterResourceId"])


#: Why no revert case starts from a state stricter than the fix left.
STRICTEST = "each setting is a boolean and the fix leaves it compliant: nothing is stricter than that"
