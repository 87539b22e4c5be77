"""Turn on a protective setting of an RDS DB instance: the one its rule names (RDS.8, RDS.13, RDS.17).

Controls: RDS.8 (`DeletionProtection`), RDS.13 (`AutoMinorVersionUpgrade`; CIS 3.0 2.3.2,
CIS 5.0 2.2.2), RDS.17 (`CopyTagsToSnapshot`). Each rule passes its `setting`.
Why: deletion protection makes DeleteDBInstance fail until someone switches it off; automatic
minor version upgrades bring engine security fixes in the maintenance window; tags copied to
snapshots keep their owner and classification on every backup.
Guarantee: one DescribeDBInstances, then, unless the setting is on already, one ModifyDBInstance
naming that setting alone (without `ApplyImmediately`: these settings apply at once anyway, see
`remediations/rds_settings.py`); no other setting is touched and none is ever switched off.
Revert switches off what the fix switched on, unless someone switched it off since.
Cluster members: deletion protection and copying tags to snapshots of an instance in a DB
cluster (Aurora, Multi-AZ DB clusters) are the cluster's (ModifyDBInstance: "This setting
doesn't apply to Amazon Aurora DB instances"; the cluster's are RDS.7 and RDS.16), so for such an
instance the fix fails with `UnsupportedResource` naming the cluster and makes no write. Automatic
minor version upgrades are each instance's own, in a cluster too; whether RDS.13 also wants an
Aurora cluster's own `AutoMinorVersionUpgrade` is unverified, and the fix touches only the
instance the finding names.
APIs: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.errors import UnsupportedResourceError
from model.finding import Resource, ResourceFormat
from model.outcome import Plan
from remediations.base import Params, Permissions, Remediation, Risk
from remediations.rds_settings import (
    CLUSTER_ID,
    DB_INSTANCE,
    INSTANCE_ID,
    STRICTEST,
    instance_resource_id,
    keeps,
    plan_setting,
    read_instance,
    revert_settings,
)

if TYPE_CHECKING:
    from mypy_boto3_rds import RDSClient

    from remediations.cases import Cases

SETTINGS = ("DeletionProtection", "AutoMinorVersionUpgrade", "CopyTagsToSnapshot")
#: Settings a DB cluster holds for its member instances.
CLUSTER_SETTINGS = {"DeletionProtection": "RDS.7", "CopyTagsToSnapshot": "RDS.16"}


def read(client: RDSClient, resource: Resource, params: Params) -> dict[str, Any]:
    return read_instance(client, resource, SETTINGS)


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    setting = params["setting"]
    if state[CLUSTER_ID] and setting in CLUSTER_SETTINGS:
        raise UnsupportedResourceError(
            f"DB instance {state[INSTANCE_ID]} is a member of DB cluster {state[CLUSTER_ID]}, which holds its "
            f"{setting}: fix the cluster ({CLUSTER_SETTINGS[setting]}); nothing was changed"
        )
    return plan_setting(state, setting)


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

    arn = f"arn:aws:rds:{REGION}:{ACCOUNT}:db:db1"
    resource_id = "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    off = {INSTANCE_ID: "db1", CLUSTER_ID: None, **dict.fromkeys(SETTINGS, False)}
    protected = {**off, "DeletionProtection": True}
    protect = {"setting": "DeletionProtection"}

    def setup(session: Any) -> Resource:
        session.client("rds").create_db_instance(
            DBInstanceIdentifier="case-db",
            DBInstanceClass="db.t3.micro",
            Engine="postgres",
            AllocatedStorage=20,
            MasterUsername="admin",
            MasterUserPassword="not-a-secret-1",
            **dict.fromkeys(SETTINGS, False),
        )
        return resource("AwsRdsDbInstance", f"arn:aws:rds:{REGION}:{ACCOUNT}:db:case-db")

    return Cases(
        plans=(
            PlanCase("deletion protection off", off, protect, ("DeletionProtection: false → true",)),
            PlanCase(
                "minor version upgrades off",
                off,
                {"setting": "AutoMinorVersionUpgrade"},
                ("AutoMinorVersionUpgrade: false → true",),
            ),
            PlanCase(
                "copy tags off", off, {"setting": "CopyTagsToSnapshot"}, ("CopyTagsToSnapshot: false → true",)
            ),
            PlanCase("deletion protection on already", protected, protect, ()),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsRdsDbInstance", arn),
            params=protect,
            calls=(
                Exchange(
                    "describe_db_instances",
                    {INSTANCE_ID: "db1"},
                    {"DBInstances": [{INSTANCE_ID: "db1", "DeletionProtection": False}]},
                ),
                Exchange(
                    "modify_db_instance",
                    {INSTANCE_ID: "db1", "DeletionProtection": True},
                    {"DBInstance": {INSTANCE_ID: "db1", "DeletionProtection": True}},
                ),
            ),
            refusals=(
                (0, "DBInstanceNotFound"),
                (0, "AccessDenied"),
                (1, "InvalidDBInstanceState"),
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
        live=LiveCase(setup, protect, id_in=instance_resource_id),
        keeps=keeps,
        identities=(
            (resource("AwsRdsDbInstance", arn), "db1"),
            (resource("AWS::RDS::DBInstance", resource_id, ResourceFormat.CONFIG), resource_id),
        ),
        strictest=STRICTEST,
        lookups=(
            LookupCase(
                resource("AWS::RDS::DBInstance", resource_id, ResourceFormat.CONFIG),
                Exchange(
                    "describe_db_instances",
                    {"Filters": [{"Name": "dbi-resource-id", "Values": [resource_id]}]},
                    {"DBInstances": [{INSTANCE_ID: "db1", "DbiResourceId": resource_id}]},
                ),
                "db1",
            ),
        ),
    )


REMEDIATION = Remediation(
    name="rds.enable-instance-setting",
    summary="Turn on an RDS DB instance's deletion protection, minor version upgrades or tag copying.",
    service="rds",
    identity=DB_INSTANCE,
    permissions=Permissions(
        read=("rds:DescribeDBInstances",),
        write=("rds:ModifyDBInstance",),
        revert=("rds:ModifyDBInstance",),
    ),
    risk=Risk.SAFE,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
    parameters={"setting": {"enum": list(SETTINGS)}},
    schema_extra={"required": ["setting"]},
)
