"""RDS resource ids as AWS gives them: the ids AWS Config names DB instances and clusters by.

AWS Config names an RDS DB instance by its `DbiResourceId` (`db-…`) and a DB cluster by its
`DbClusterResourceId` (`cluster-…`), unique in the Region and never changed; the RDS
remediations look the identifier up with DescribeDBInstances / DescribeDBClusters filtered on
`dbi-resource-id` / `db-cluster-resource-id` (both documented filters). moto 5 gives every DB
instance the same `db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U`, so the filter answers with every instance of
the Region, and it refuses the `db-cluster-resource-id` filter ("Unrecognized filter name").
`install` gives each new instance an id of its own (same shape: `db-` and 26 upper-case letters
and digits, as moto makes cluster ids) and lets clusters be filtered by theirs.
"""

from __future__ import annotations

import functools
import random
import string
from typing import Any

from moto.rds.models import DBCluster, DBInstance
from moto.rds.utils import FilterDef

CLUSTER_RESOURCE_ID_FILTER = "db-cluster-resource-id"


def new_instance_resource_id() -> str:
    return "db-" + "".join(random.choice(string.ascii_uppercase + string.digits) for _ in range(26))


def install() -> None:
    """Patch moto's DB instances and clusters; idempotent (the caller holds the install lock)."""
    original = DBInstance.__init__
    if getattr(original, "unique_resource_id", False):
        return

    @functools.wraps(original)
    def init(self: DBInstance, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.dbi_resource_id = new_instance_resource_id()

    init.unique_resource_id = True  # type: ignore[attr-defined]
    DBInstance.__init__ = init  # type: ignore[method-assign]
    DBCluster.SUPPORTED_FILTERS = {
        **DBCluster.SUPPORTED_FILTERS,
        CLUSTER_RESOURCE_ID_FILTER: FilterDef(["db_cluster_resource_id"], "DB Cluster Resource Ids"),
    }
