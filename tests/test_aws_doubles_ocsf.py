# ruff: noqa: F811  (the fixtures of tests/test_aws_doubles.py are imported, then named as arguments)
"""Tests of the moto double for AWS Security Hub's V2 APIs: BatchUpdateFindingsV2 and GetFindingsV2.

Every behaviour test runs in-process (``mock_aws``) and against a ``ThreadedMotoServer`` through
``tests/test_aws_doubles.py``'s ``aws`` fixture, since the double is patched into moto's server
side and both routes must answer alike.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import pytest
from moto.securityhub.models import securityhub_backends

from localaws.doubles.securityhub_ocsf import batch_update_findings_v2, import_ocsf_findings, ocsf_findings
from localaws.doubles.securityhub_ocsf_filters import OcsfFilterError, matches, validate, values_at
from localaws.events import findings_of, load_event
from tests.test_aws_doubles import (  # noqa: F401  (fixtures: both routes into moto)
    DEFAULT_ACCOUNT,
    MEMBER_ACCOUNT,
    REGION,
    Aws,
    aws,
    boto_session,
    error_of,
    fake_credentials,
    server_endpoint,
)

if TYPE_CHECKING:
    from mypy_boto3_securityhub.type_defs import OcsfFindingIdentifierTypeDef

SAMPLE = findings_of(load_event("securityhub-imported-v2-s3.17-consolidated.json"))[0]


def ocsf(
    number: int, *, account: str = DEFAULT_ACCOUNT, control: str = "S3.17", **changes: Any
) -> dict[str, Any]:
    """The sample finding with its own ids, in ``account``, for ``control``."""
    finding = copy.deepcopy(SAMPLE)
    uid = f"arn:aws:securityhub:{REGION}:{account}:security-control/{control}/finding/0000-{number:04d}"
    finding["finding_info"]["uid"] = uid
    finding["metadata"]["uid"] = f"{number:064x}"
    finding["cloud"]["account"]["uid"] = account
    finding["compliance"]["control"] = control
    finding.update(changes)
    return finding


def identifier(finding: dict[str, Any]) -> OcsfFindingIdentifierTypeDef:
    return {
        "CloudAccountUid": finding["cloud"]["account"]["uid"],
        "FindingInfoUid": finding["finding_info"]["uid"],
        "MetadataProductUid": finding["metadata"]["product"]["uid"],
    }


def stored(account: str = DEFAULT_ACCOUNT) -> dict[str, dict[str, Any]]:
    return {f["finding_info"]["uid"]: f for f in ocsf_findings(securityhub_backends[account][REGION])}


def by_uid(uid: str) -> dict[str, Any]:
    return {
        "CompositeFilters": [
            {
                "StringFilters": [
                    {"FieldName": "finding_info.uid", "Filter": {"Value": uid, "Comparison": "EQUALS"}}
                ]
            }
        ]
    }


# BatchUpdateFindingsV2


def test_update_sets_status_comment_and_severity_and_keeps_times(aws: Aws) -> None:
    finding = ocsf(1)
    import_ocsf_findings(DEFAULT_ACCOUNT, REGION, [finding])
    response = aws.securityhub().batch_update_findings_v2(
        FindingIdentifiers=[identifier(finding)], StatusId=4, SeverityId=1, Comment="fixed"
    )
    assert response["ProcessedFindings"] == [{"FindingIdentifier": identifier(finding)}]
    assert response["UnprocessedFindings"] == []
    after = stored()[finding["finding_info"]["uid"]]
    assert (after["status_id"], after["status"], after["comment"]) == (4, "Resolved", "fixed")
    assert (after["severity_id"], after["severity"]) == (1, "Informational")
    assert after["finding_info"]["modified_time_dt"] == finding["finding_info"]["modified_time_dt"]
    assert after["time_dt"] == finding["time_dt"]


def test_update_by_metadata_uid(aws: Aws) -> None:
    finding = ocsf(2)
    import_ocsf_findings(DEFAULT_ACCOUNT, REGION, [finding])
    response = aws.securityhub().batch_update_findings_v2(
        MetadataUids=[finding["metadata"]["uid"]], StatusId=2
    )
    assert response["ProcessedFindings"] == [{"MetadataUid": finding["metadata"]["uid"]}]
    assert stored()[finding["finding_info"]["uid"]]["status"] == "In Progress"


def test_unknown_and_repeated_findings_are_unprocessed_with_their_error_code(aws: Aws) -> None:
    known = ocsf(3)
    import_ocsf_findings(DEFAULT_ACCOUNT, REGION, [known])
    unknown = identifier(ocsf(4))
    response = aws.securityhub().batch_update_findings_v2(
        FindingIdentifiers=[identifier(known), unknown, identifier(known)], Comment="x"
    )
    assert response["ProcessedFindings"] == [{"FindingIdentifier": identifier(known)}]
    codes = [(u["FindingIdentifier"], u["ErrorCode"]) for u in response["UnprocessedFindings"]]
    assert codes == [(unknown, "ResourceNotFoundException"), (identifier(known), "ValidationException")]


def test_administrator_updates_a_member_finding_stored_in_the_member_account(aws: Aws) -> None:
    member = ocsf(5, account=MEMBER_ACCOUNT)
    import_ocsf_findings(MEMBER_ACCOUNT, REGION, [member])
    response = aws.securityhub().batch_update_findings_v2(FindingIdentifiers=[identifier(member)], StatusId=4)
    assert response["UnprocessedFindings"] == []
    assert stored(MEMBER_ACCOUNT)[member["finding_info"]["uid"]]["status"] == "Resolved"


@pytest.mark.parametrize(
    "request_",
    [
        {"StatusId": 4},  # no finding named
        {"FindingIdentifiers": "ALL", "MetadataUids": ["a"], "StatusId": 4},  # both
        {"MetadataUids": [str(n) for n in range(101)], "StatusId": 4},  # over 100
        {"MetadataUids": ["a"]},  # nothing to change
        {"MetadataUids": ["a"], "Comment": "x" * 513},
        {"MetadataUids": ["a"], "Comment": "   "},
        {"MetadataUids": ["a"], "StatusId": 6},
        {"MetadataUids": ["a"], "SeverityId": 7},
        {
            "FindingIdentifiers": [
                {"CloudAccountUid": "1", "FindingInfoUid": " ", "MetadataProductUid": "p"}
            ],
            "StatusId": 1,
        },
    ],
)
def test_invalid_requests_are_refused_whole_and_change_nothing(request_: dict[str, Any]) -> None:
    from localaws.doubles.securityhub_errors import ValidationError

    backend = securityhub_backends[DEFAULT_ACCOUNT]["eu-north-1"]
    import_ocsf_findings(DEFAULT_ACCOUNT, "eu-north-1", [ocsf(6)])
    before = copy.deepcopy(ocsf_findings(backend))
    if request_.get("FindingIdentifiers") == "ALL":
        request_ = {**request_, "FindingIdentifiers": [identifier(ocsf(6))]}
    with pytest.raises(ValidationError):
        batch_update_findings_v2(backend, request_)
    assert ocsf_findings(backend) == before


def test_invalid_request_over_http_is_a_validation_exception(aws: Aws) -> None:
    client = aws.securityhub()
    assert error_of(client.batch_update_findings_v2, MetadataUids=["a"], StatusId=6) == (
        "ValidationException",
        400,
    )
    over = [identifier(ocsf(n)) for n in range(101)]
    assert error_of(client.batch_update_findings_v2, FindingIdentifiers=over, StatusId=4) == (
        "ValidationException",
        400,
    )


# GetFindingsV2


def test_get_findings_v2_filters_by_control_status_and_account(aws: Aws) -> None:
    findings = [
        ocsf(10),
        ocsf(11, control="S3.8"),
        ocsf(12, status_id=4, status="Resolved"),
        ocsf(13, compliance={**SAMPLE["compliance"], "status": "Pass", "status_id": 1}),
    ]
    import_ocsf_findings(DEFAULT_ACCOUNT, REGION, findings)
    filters = {
        "CompositeFilters": [
            {
                "Operator": "AND",
                "StringFilters": [
                    {"FieldName": "compliance.control", "Filter": {"Value": "S3.17", "Comparison": "EQUALS"}},
                    {"FieldName": "compliance.status", "Filter": {"Value": "Fail", "Comparison": "EQUALS"}},
                    {
                        "FieldName": "cloud.account.uid",
                        "Filter": {"Value": DEFAULT_ACCOUNT, "Comparison": "EQUALS"},
                    },
                ],
                "NumberFilters": [{"FieldName": "status_id", "Filter": {"Lte": 2}}],
            }
        ]
    }
    found = aws.securityhub().get_findings_v2(Filters=filters)["Findings"]  # type: ignore[arg-type]
    assert [f["finding_info"]["uid"] for f in found] == [findings[0]["finding_info"]["uid"]]


def test_get_findings_v2_paginates_and_omits_the_last_token(aws: Aws) -> None:
    import_ocsf_findings(DEFAULT_ACCOUNT, REGION, [ocsf(n) for n in range(20, 25)])
    client = aws.securityhub()
    first = client.get_findings_v2(MaxResults=3)
    second = client.get_findings_v2(MaxResults=3, NextToken=first["NextToken"])
    assert len(first["Findings"]) == 3 and len(second["Findings"]) == 2 and "NextToken" not in second
    paged = [
        f["finding_info"]["uid"]
        for f in client.get_paginator("get_findings_v2").paginate().build_full_result()["Findings"]
    ]
    assert len(paged) == 5
    assert error_of(client.get_findings_v2, NextToken="nonsense") == ("ValidationException", 400)
    assert error_of(client.get_findings_v2, MaxResults=101) == ("ValidationException", 400)


def test_get_findings_v2_sees_an_update(aws: Aws) -> None:
    finding = ocsf(30)
    import_ocsf_findings(DEFAULT_ACCOUNT, REGION, [finding])
    client = aws.securityhub()
    client.batch_update_findings_v2(FindingIdentifiers=[identifier(finding)], StatusId=4, Comment="done")
    (found,) = client.get_findings_v2(Filters=by_uid(finding["finding_info"]["uid"]))["Findings"]  # type: ignore[arg-type]
    assert (found["status"], found["comment"]) == ("Resolved", "done")


@pytest.mark.parametrize(
    "filters",
    [
        {
            "CompositeFilters": [
                {"StringFilters": [{"FieldName": "Id", "Filter": {"Value": "x", "Comparison": "EQUALS"}}]}
            ]
        },
        {
            "CompositeFilters": [
                {"StringFilters": [{"FieldName": "status", "Filter": {"Value": "x", "Comparison": "LIKE"}}]}
            ]
        },
        {"CompositeFilters": [{"IpFilters": [{"FieldName": "x", "Filter": {"Cidr": "10.0.0.0/8"}}]}]},
        {"CompositeFilters": [{}] * 11},
        {"CompositeFilters": [{"NumberFilters": [{"FieldName": "status_id", "Filter": {}}]}]},
    ],
)
def test_get_findings_v2_refuses_filters_it_cannot_apply(filters: dict[str, Any]) -> None:
    with pytest.raises(OcsfFilterError):
        validate(filters)


def test_filter_semantics_over_lists_negations_maps_and_operators() -> None:
    finding = ocsf(40)
    assert values_at(finding, "resources.uid") == ["example-unencrypted-bucket"]
    assert values_at(finding, "compliance.standards") == SAMPLE["compliance"]["standards"]

    def string(field: str, value: str, comparison: str) -> dict[str, Any]:
        return {"FieldName": field, "Filter": {"Value": value, "Comparison": comparison}}

    def one(**composite: Any) -> bool:
        return matches(finding, {"CompositeFilters": [composite]})

    assert one(StringFilters=[string("compliance.standards", "standards/aws-foundational", "PREFIX")])
    assert not one(StringFilters=[string("resources.uid", "example-unencrypted-bucket", "NOT_EQUALS")])
    assert one(StringFilters=[string("comment", "anything", "NOT_CONTAINS")])  # absent field
    assert one(StringFilters=[string("finding_info.title", "encrypted", "CONTAINS_WORD")])
    assert one(
        MapFilters=[
            {"FieldName": "resources.tags", "Filter": {"Key": "env", "Value": "prod", "Comparison": "EQUALS"}}
        ]
    )
    assert one(
        Operator="OR",
        StringFilters=[
            string("compliance.control", "S3.8", "EQUALS"),
            string("compliance.control", "S3.17", "EQUALS"),
        ],
    )
    assert one(
        DateFilters=[
            {"FieldName": "finding_info.created_time_dt", "Filter": {"Start": "2026-11-30T00:00:00Z"}}
        ]
    )
    assert not matches(
        finding,
        {
            "CompositeOperator": "AND",
            "CompositeFilters": [
                {"StringFilters": [string("status", "New", "EQUALS")]},
                {"StringFilters": [string("status", "Resolved", "EQUALS")]},
            ],
        },
    )


def test_get_findings_v2_sorts_and_caps_filters_per_kind(aws: Aws) -> None:
    findings = [ocsf(50, control="S3.8"), ocsf(51, control="S3.17"), ocsf(52, control="IAM.7")]
    import_ocsf_findings(DEFAULT_ACCOUNT, REGION, findings)
    client = aws.securityhub()
    ordered = client.get_findings_v2(SortCriteria=[{"Field": "compliance.control", "SortOrder": "desc"}])
    assert [f["compliance"]["control"] for f in ordered["Findings"]] == ["S3.8", "S3.17", "IAM.7"]
    many = [
        {"FieldName": "compliance.control", "Filter": {"Value": f"S3.{n}", "Comparison": "EQUALS"}}
        for n in range(21)
    ]
    filters: Any = {"CompositeFilters": [{"Operator": "OR", "StringFilters": many}]}
    assert error_of(client.get_findings_v2, Filters=filters) == ("ValidationException", 400)
    filters["CompositeFilters"][0]["StringFilters"] = many[:20]
    assert len(client.get_findings_v2(Filters=filters)["Findings"]) == 2
