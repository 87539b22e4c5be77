"""`remediator sweep --ocsf`: the backlog as AWS Security Hub's OCSF findings, read with GetFindingsV2.

The same sweep as for ASFF findings (`cli.sweep`), through the V2 API and its filter syntax:
failed Compliance Findings in status New or In Progress, narrowed to controls and accounts (each
list an OR of up to 20 values, the lists ANDed). There is no custom action for OCSF findings, so
a batch is shaped as the `Findings Imported V2` event Security Hub would send (up to 100 findings,
which the engine resolves with BatchUpdateFindingsV2); the sweep, a person's explicit request,
approves manual rules for its own run, as the custom action does for ASFF.
API: https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetFindingsV2.html
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from cli.errors import CommandError
from engine.parse import IMPORTED_V2
from model.workflow import ACTIONABLE_OCSF_STATUS_IDS, OCSF_COMPLIANCE_STATUS

BATCH_SIZE = 100
MAX_FILTER_VALUES = 20  # GetFindingsV2 takes at most 20 filters of a kind in one composite filter


def _equals(field: str, value: str) -> dict[str, Any]:
    return {"FieldName": field, "Filter": {"Value": value, "Comparison": "EQUALS"}}


def ocsf_sweep_filters(controls: Sequence[str] = (), accounts: Sequence[str] = ()) -> dict[str, Any]:
    """Failed Compliance Findings in status New or In Progress, narrowed to controls and accounts."""
    composites: list[dict[str, Any]] = [
        {
            "Operator": "AND",
            "StringFilters": [
                _equals("class_name", "Compliance Finding"),
                _equals("compliance.status", OCSF_COMPLIANCE_STATUS[3]),
            ],
            "NumberFilters": [
                {
                    "FieldName": "status_id",
                    "Filter": {
                        "Gte": min(ACTIONABLE_OCSF_STATUS_IDS),
                        "Lte": max(ACTIONABLE_OCSF_STATUS_IDS),
                    },
                }
            ],
        }
    ]
    for field, values in (("compliance.control", controls), ("cloud.account.uid", accounts)):
        if len(values) > MAX_FILTER_VALUES:
            raise CommandError(f"at most {MAX_FILTER_VALUES} values for {field}; run several sweeps")
        if values:
            composites.append(
                {"Operator": "OR", "StringFilters": [_equals(field, value) for value in values]}
            )
    return {"CompositeOperator": "AND", "CompositeFilters": composites}


def list_ocsf_findings(securityhub: Any, filters: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for page in securityhub.get_paginator("get_findings_v2").paginate(
        Filters=filters, PaginationConfig={"PageSize": BATCH_SIZE}
    ):
        yield from page["Findings"]


def ocsf_batch_event(findings: Sequence[Mapping[str, Any]], hub_account: str, region: str) -> dict[str, Any]:
    """A `Findings Imported V2` event over `findings`, as Security Hub sends one per finding."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": IMPORTED_V2,
        "source": "aws.securityhub",
        "account": hub_account,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [str((f.get("metadata") or {}).get("uid", "")) for f in findings],
        "detail": {"findings": list(findings)},
    }
