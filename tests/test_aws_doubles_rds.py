"""The RDS double: resource ids as AWS gives them (unique per instance), and the cluster filter."""

from __future__ import annotations

import re

import boto3
import pytest

REGION = "us-east-1"


def create_instance(rds: object, identifier: str) -> None:
    rds.create_db_instance(  # type: ignore[attr-defined]
        DBInstanceIdentifier=identifier,
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
    )


@pytest.mark.usefixtures("aws")
def test_each_instance_has_its_own_resource_id_and_the_filter_finds_it_alone() -> None:
    rds = boto3.client("rds", region_name=REGION)
    for identifier in ("one", "two", "three"):
        create_instance(rds, identifier)
    ids = {i["DBInstanceIdentifier"]: i["DbiResourceId"] for i in rds.describe_db_instances()["DBInstances"]}
    assert len(set(ids.values())) == 3
    assert all(re.fullmatch(r"db-[A-Z0-9]{26}", resource_id) for resource_id in ids.values())
    for identifier, resource_id in ids.items():
        found = rds.describe_db_instances(Filters=[{"Name": "dbi-resource-id", "Values": [resource_id]}])
        assert [i["DBInstanceIdentifier"] for i in found["DBInstances"]] == [identifier]


@pytest.mark.usefixtures("aws")
def test_a_resource_id_stays_with_its_instance() -> None:
    rds = boto3.client("rds", region_name=REGION)
    create_instance(rds, "one")
    before = rds.describe_db_instances(DBInstanceIdentifier="one")["DBInstances"][0]["DbiResourceId"]
    rds.modify_db_instance(DBInstanceIdentifier="one", DeletionProtection=True)
    assert rds.describe_db_instances(DBInstanceIdentifier="one")["DBInstances"][0]["DbiResourceId"] == before


@pytest.mark.usefixtures("aws")
def test_clusters_are_filtered_by_their_resource_id() -> None:
    rds = boto3.client("rds", region_name=REGION)
    for identifier in ("c-one", "c-two"):
        rds.create_db_cluster(
            DBClusterIdentifier=identifier,
            Engine="aurora-postgresql",
            MasterUsername="admin",
            MasterUserPassword="not-a-secret-1",
        )
    ids = {
        c["DBClusterIdentifier"]: c["DbClusterResourceId"] for c in rds.describe_db_clusters()["DBClusters"]
    }
    assert len(set(ids.values())) == 2
    for identifier, resource_id in ids.items():
        found = rds.describe_db_clusters(
            Filters=[{"Name": "db-cluster-resource-id", "Values": [resource_id]}]
        )
        assert [c["DBClusterIdentifier"] for c in found["DBClusters"]] == [identifier]
    nothing = rds.describe_db_clusters(
        Filters=[{"Name": "db-cluster-resource-id", "Values": ["cluster-NONE"]}]
    )
    assert nothing["DBClusters"] == []
