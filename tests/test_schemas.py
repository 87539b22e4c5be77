"""The event schemas: checked with the reference validator, and the fast one agrees with it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localaws.events import event_names, findings_of, load_event
from model.errors import SchemaViolationError
from model.schema import check, compile_schema

SCHEMAS = sorted(Path("engine/schemas").glob("*.json"))
ASFF = json.loads(Path("engine/schemas/asff_finding.json").read_text(encoding="utf-8"))
FAST_ASFF = compile_schema(ASFF)
OCSF = json.loads(Path("engine/schemas/ocsf_finding.json").read_text(encoding="utf-8"))
FAST_OCSF = compile_schema(OCSF)


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_schemas_are_valid_draft_7(path: Path) -> None:
    jsonschema.Draft7Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", [n for n in event_names() if n.startswith("securityhub-")])
def test_sample_findings_satisfy_the_finding_schema(name: str) -> None:
    event = load_event(name)
    for finding in findings_of(event):
        jsonschema.validate(finding, OCSF if event["detail-type"] == "Findings Imported V2" else ASFF)


def test_violation_names_the_field() -> None:
    finding = findings_of(load_event("securityhub-imported-iam.7-consolidated.json"))[0]
    finding["Resources"] = "not a list"
    with pytest.raises(SchemaViolationError) as raised:
        check(FAST_ASFF, finding, "event.detail.findings[0]")
    assert raised.value.path == "event.detail.findings[0].Resources"


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        (("cloud", "account", "uid"), "12345", "cloud.account.uid"),
        (("status_id",), 7, "status_id"),
        (("compliance", "status_id"), "3", "compliance.status_id"),
        (
            ("metadata", "product", "uid"),
            "arn:aws:guardduty:us-east-1::product/aws/guardduty",
            "metadata.product.uid",
        ),
        (("finding_info", "uid"), " ", "finding_info.uid"),
    ],
)
def test_ocsf_violation_names_the_field(path: tuple[str, ...], value: Any, named: str) -> None:
    """As for ASFF: the error names the OCSF field, relative to the finding in the event."""
    finding = findings_of(load_event("securityhub-imported-v2-s3.17-consolidated.json"))[0]
    parent = finding
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    with pytest.raises(SchemaViolationError) as raised:
        check(FAST_OCSF, finding, "event.detail.findings[0]")
    assert raised.value.path == f"event.detail.findings[0].{named}"


LEAVES = st.none() | st.booleans() | st.integers() | st.text(max_size=12)
VALUES = st.recursive(
    LEAVES, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3)
)
FIELDS = st.sampled_from(
    ["Id", "ProductArn", "AwsAccountId", "Resources", "Compliance", "Workflow", "RecordState"]
)


@settings(max_examples=200, deadline=None)
@given(FIELDS, VALUES)
def test_fast_validator_agrees_with_jsonschema(field: str, value: Any) -> None:
    finding = findings_of(load_event("securityhub-imported-iam.7-consolidated.json"))[0]
    finding[field] = value
    reference = jsonschema.Draft7Validator(ASFF).is_valid(finding)
    try:
        check(FAST_ASFF, finding, "f")
        fast = True
    except SchemaViolationError:
        fast = False
    assert fast == reference
