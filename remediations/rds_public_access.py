"""Make an RDS DB instance not publicly accessible (control RDS.2).

Controls: RDS.2; CIS 3.0 2.3.3, CIS 5.0 2.2.3, PCI.RDS.2.
Why: a publicly accessible instance gets a DNS name that resolves to a public IP address from
outside its VPC, so only its security groups stand between the database and the internet.
Guarantee: one DescribeDBInstances, then, unless `PubliclyAccessible` is false already, one
ModifyDBInstance with `PubliclyAccessible=False` alone. No `ApplyImmediately`: the RDS user guide
says this change "occurs immediately" and ignores that flag, which would also apply every pending
modification at once (see `remediations/rds_settings.py`). Nothing else is touched. Revert makes
the instance publicly accessible again, unless someone did so since. A Multi-AZ DB cluster holds
this setting for its instances: AWS refuses the call for them, and the finding fails with AWS's
code; Aurora instances have it each.
Risk: clients outside the VPC (an application, a BI tool, an administrator's laptop) can no
longer reach the database: `workload-affecting`.
APIs: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

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

SETTING = "PubliclyAccessible"


def read(client: RDSClient, resource: Resource, params: Params) -> dict[str, Any]:
    return read_instance(client, resource, (SETTING,))


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    return plan_setting(state, SETTING)


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
    public = {INSTANCE_ID: "db1", CLUSTER_ID: None, SETTING: True}
    private = {**public, SETTING: False}

    def setup(session: Any) -> Resource:
        session.client("rds").create_db_instance(
            DBInstanceIdentifier="case-public-db",
            DBInstanceClass="db.t3.micro",
            Engine="postgres",
            AllocatedStorage=20,
            MasterUsername="admin",
            MasterUserPassword="not-a-secret-1",
            PubliclyAccessible=True,
        )
        return resource("AwsRdsDbInstance", f"arn:aws:rds:{REGION}:{ACCOUNT}:db:case-public-db")

    return Cases(
        plans=(
            PlanCase("publicly accessible", public, {}, ("PubliclyAccessible: true → false",)),
            PlanCase("private already", private, {}, ()),
            PlanCase(
                "an Aurora instance's own setting",
                {**public, CLUSTER_ID: "aurora-1"},
                {},
                ("PubliclyAccessible: true → false",),
            ),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsRdsDbInstance", arn),
            params={},
            calls=(
                Exchange(
                    "describe_db_instances",
                    {INSTANCE_ID: "db1"},
                    {"DBInstances": [{INSTANCE_ID: "db1", SETTING: True}]},
                ),
                Exchange(
                    "modify_db_instance",
                    {INSTANCE_ID: "db1", SETTING: False},
                    {"DBInstance": {INSTANCE_ID: "db1", SETTING: False}},
                ),
            ),
            refusals=(
                (0, "DBInstanceNotFound"),
                (1, "InvalidDBInstanceState"),
                (1, "InvalidParameterCombination"),
                (1, "Throttling"),
            ),
        ),
        reverts=(
            RevertCase("public again", public, private, private, ("PubliclyAccessible: false → true",)),
            RevertCase(
                "changed by someone else since: public again",
                public,
                private,
                public,
                conflict=True,
                since="changed",
            ),
        ),
        live=LiveCase(setup, {}, id_in=instance_resource_id),
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
    name="rds.disable-public-access",
    summary="Make an RDS DB instance not publicly accessible (PubliclyAccessible false).",
    service="rds",
    identity=DB_INSTANCE,
    permissions=Permissions(
        read=("rds:DescribeDBInstances",),
        write=("rds:ModifyDBInstance",),
        revert=("rds:ModifyDBInstance",),
    ),
    risk=Risk.WORKLOAD_AFFECTING,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
)
