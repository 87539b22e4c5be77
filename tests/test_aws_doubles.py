"""Tests of the moto test doubles in ``localaws/doubles``, through boto3 as the engine will call them.

Every behaviour test runs twice through the ``aws`` fixture: in-process under ``mock_aws`` and
against a ``ThreadedMotoServer`` via ``endpoint_url``, because the doubles patch moto's server
side and both routes (botocore stubber, Flask app) must see the same calls. Fixtures live here,
not in a shared conftest, so the file stands alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import boto3
import pytest
from botocore.awsrequest import AWSRequest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.securityhub.models import securityhub_backends

from localaws.doubles.config_double import started_config_evaluation_records, started_config_evaluations
from localaws.doubles.moto_patches import install_aws_doubles
from localaws.doubles.securityhub_errors import InvalidInputError
from localaws.doubles.securityhub_findings import batch_update_findings
from localaws.server import start_server

if TYPE_CHECKING:
    from mypy_boto3_config import ConfigServiceClient
    from mypy_boto3_securityhub import SecurityHubClient
    from mypy_boto3_securityhub.literals import MapFilterComparisonType, StringFilterComparisonType
    from mypy_boto3_securityhub.type_defs import (
        AwsSecurityFindingFiltersTypeDef,
        AwsSecurityFindingIdentifierTypeDef,
        MapFilterTypeDef,
        StringFilterTypeDef,
    )

REPO_ROOT = Path(__file__).resolve().parents[1]
REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"  # moto's account for credentials it did not issue
ADMIN_ACCOUNT = "111111111111"
MEMBER_ACCOUNT = "222222222222"
PRODUCT_ARN = f"arn:aws:securityhub:{REGION}::product/aws/securityhub"


def make_finding(
    number: int,
    *,
    account_id: str = DEFAULT_ACCOUNT,
    control_id: str = "S3.8",
    compliance: str = "FAILED",
    resources: Sequence[tuple[str, str]] = (("AwsS3Bucket", "arn:aws:s3:::bucket-1"),),
    product_fields: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A minimal valid consolidated control finding (asff.md §1-§2), deterministic per ``number``."""
    return {
        "SchemaVersion": "2018-10-08",
        "Id": f"arn:aws:securityhub:{REGION}:{account_id}:security-control/{control_id}"
        f"/finding/00000000-0000-0000-0000-{number:012d}",
        "ProductArn": PRODUCT_ARN,
        "GeneratorId": f"security-control/{control_id}",
        "AwsAccountId": account_id,
        "Region": REGION,
        "CreatedAt": "2024-05-01T10:00:00.000Z",
        "UpdatedAt": "2024-05-01T10:00:00.000Z",
        "Title": f"Control {control_id}",
        "Description": "Test finding",
        "Resources": [
            {"Type": kind, "Id": rid, "Partition": "aws", "Region": REGION} for kind, rid in resources
        ],
        "Compliance": {"Status": compliance, "SecurityControlId": control_id},
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE",
        "ProductFields": product_fields or {},
        "UserDefinedFields": {"team": "platform"},
    }


def key(finding: dict[str, Any]) -> AwsSecurityFindingIdentifierTypeDef:
    """The BatchUpdateFindings identifier of a finding."""
    return {"Id": finding["Id"], "ProductArn": finding["ProductArn"]}


@dataclass
class Aws:
    """Makes boto3 clients for one test, in-process (``endpoint_url`` None) or against the server.

    One boto3 session is shared by the module so service models load once; each client gets
    explicit credentials, so no client depends on the session's resolved credentials.
    """

    boto_session: boto3.Session
    endpoint_url: str | None

    def credentials(self, account_id: str) -> tuple[str, str, str | None]:
        """Fake credentials in ``account_id``: moto maps STS AssumeRole keys to the role's account."""
        if account_id == DEFAULT_ACCOUNT:
            return "testing", "testing", None
        sts = self.boto_session.client(
            "sts",
            endpoint_url=self.endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        role_arn = f"arn:aws:iam::{account_id}:role/remediation-test"
        assumed = sts.assume_role(RoleArn=role_arn, RoleSessionName="doubles-test")["Credentials"]
        return assumed["AccessKeyId"], assumed["SecretAccessKey"], assumed["SessionToken"]

    def securityhub(self, account_id: str = DEFAULT_ACCOUNT) -> SecurityHubClient:
        key_id, secret, token = self.credentials(account_id)
        return self.boto_session.client(
            "securityhub",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            aws_session_token=token,
        )

    def config(self, account_id: str = DEFAULT_ACCOUNT) -> ConfigServiceClient:
        key_id, secret, token = self.credentials(account_id)
        return self.boto_session.client(
            "config",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            aws_session_token=token,
        )


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and no ambient AWS configuration, so nothing can reach a real account."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    for name in ("AWS_PROFILE", "MOTO_ACCOUNT_ID", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def server_endpoint() -> Iterator[str]:
    server, endpoint_url = start_server()
    yield endpoint_url
    server.stop()


@pytest.fixture(scope="module")
def boto_session() -> boto3.Session:
    return boto3.Session(region_name=REGION)


@pytest.fixture(params=["in-process", "server"])
def aws(request: pytest.FixtureRequest, boto_session: boto3.Session) -> Iterator[Aws]:
    """Both routes into moto; the server's state is reset so tests stay independent."""
    if request.param == "in-process":
        install_aws_doubles()
        with mock_aws():
            yield Aws(boto_session, endpoint_url=None)
        return
    endpoint_url: str = request.getfixturevalue("server_endpoint")
    urllib.request.urlopen(urllib.request.Request(f"{endpoint_url}/moto-api/reset", method="POST")).close()
    yield Aws(boto_session, endpoint_url=endpoint_url)


def error_of(call: Any, *args: Any, **kwargs: Any) -> tuple[str, int]:
    """Call a client method expected to fail; return the AWS error code and HTTP status."""
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]


def import_findings(client: SecurityHubClient, *findings: dict[str, Any]) -> None:
    response = client.batch_import_findings(Findings=list(findings))  # type: ignore[arg-type]
    assert response["FailedCount"] == 0


def get_ids(client: SecurityHubClient, filters: AwsSecurityFindingFiltersTypeDef) -> set[str]:
    return {finding["Id"] for finding in client.get_findings(Filters=filters)["Findings"]}


# BatchUpdateFindings


def test_batch_update_applies_updatable_fields_and_keeps_updated_at(aws: Aws) -> None:
    client = aws.securityhub()
    finding = make_finding(1)
    import_findings(client, finding)

    response = client.batch_update_findings(
        FindingIdentifiers=[key(finding)],
        Workflow={"Status": "RESOLVED"},
        Note={"Text": "Remediated by engine: put-public-access-block", "UpdatedBy": "remediation-engine"},
        UserDefinedFields={"remediation": "done"},
        Severity={"Normalized": 75},
        VerificationState="TRUE_POSITIVE",
        Confidence=100,
    )

    assert response["ProcessedFindings"] == [key(finding)]
    assert response["UnprocessedFindings"] == []
    stored = client.get_findings()["Findings"][0]
    assert stored["Workflow"]["Status"] == "RESOLVED"
    assert stored["Note"]["Text"] == "Remediated by engine: put-public-access-block"
    assert stored["Note"]["UpdatedBy"] == "remediation-engine"
    assert stored["Note"]["UpdatedAt"].endswith("Z")
    assert stored["UserDefinedFields"] == {"team": "platform", "remediation": "done"}
    assert stored["Severity"] == {"Normalized": 75, "Label": "HIGH"}
    assert (stored["VerificationState"], stored["Confidence"]) == ("TRUE_POSITIVE", 100)
    assert stored["UpdatedAt"] == finding["UpdatedAt"]


def test_batch_update_rejects_more_than_100_findings(aws: Aws) -> None:
    identifiers = [key(make_finding(n)) for n in range(101)]
    call = aws.securityhub().batch_update_findings
    assert error_of(call, FindingIdentifiers=identifiers, Workflow={"Status": "NEW"}) == (
        "InvalidInputException",
        400,
    )


@pytest.mark.parametrize(
    "update",
    [
        {"Note": {"Text": "x" * 513, "UpdatedBy": "engine"}},
        {"Note": {"Text": "   ", "UpdatedBy": "engine"}},
        {"Note": {"Text": "ok", "UpdatedBy": "y" * 513}},
        {"Workflow": {"Status": "CLOSED"}},
        {"Confidence": 101},
        {"Criticality": 150},
        {"Severity": {"Label": "SEVERE"}},
    ],
    ids=["note-513", "note-blank", "updated-by-513", "workflow", "confidence", "criticality", "severity"],
)
def test_batch_update_rejects_out_of_limit_values_and_changes_nothing(
    aws: Aws, update: dict[str, Any]
) -> None:
    client = aws.securityhub()
    finding = make_finding(1)
    import_findings(client, finding)

    assert error_of(client.batch_update_findings, FindingIdentifiers=[key(finding)], **update) == (
        "InvalidInputException",
        400,
    )
    assert client.get_findings()["Findings"][0]["Workflow"] == {"Status": "NEW"}


@pytest.mark.parametrize(
    "tamper",
    [
        lambda body: body.update(RecordState="ARCHIVED"),
        lambda body: body["Note"].pop("UpdatedBy"),
        lambda body: body.update(FindingIdentifiers=[]),
    ],
    ids=["not-updatable", "note-without-updated-by", "no-identifiers"],
)
def test_batch_update_rejects_bodies_botocore_would_not_send(aws: Aws, tamper: Any) -> None:
    """Edit the serialised body before signing, so the server-side checks are reached over HTTP."""
    client = aws.securityhub()
    finding = make_finding(1)
    import_findings(client, finding)

    def edit_body(request: AWSRequest, **_: Any) -> None:
        body = json.loads(cast(bytes, request.data))
        tamper(body)
        request.data = json.dumps(body).encode()

    client.meta.events.register("before-sign.securityhub.BatchUpdateFindings", edit_body)
    assert error_of(
        client.batch_update_findings,
        FindingIdentifiers=[key(finding)],
        Note={"Text": "note", "UpdatedBy": "engine"},
    ) == ("InvalidInputException", 400)


def test_batch_update_reports_unknown_and_duplicated_findings(aws: Aws) -> None:
    client = aws.securityhub()
    finding = make_finding(1)
    import_findings(client, finding)
    unknown = key(make_finding(2))

    response = client.batch_update_findings(
        FindingIdentifiers=[key(finding), unknown, key(finding)], Workflow={"Status": "NOTIFIED"}
    )

    assert response["ProcessedFindings"] == [key(finding)]
    assert [(u["FindingIdentifier"], u["ErrorCode"]) for u in response["UnprocessedFindings"]] == [
        (unknown, "FindingNotFound"),
        (key(finding), "DuplicatedFindingIdentifier"),
    ]
    wrong_product: AwsSecurityFindingIdentifierTypeDef = {
        "Id": finding["Id"],
        "ProductArn": f"arn:aws:securityhub:{REGION}:{DEFAULT_ACCOUNT}:product/x/y",
    }
    response = client.batch_update_findings(FindingIdentifiers=[wrong_product], Workflow={"Status": "NEW"})
    assert response["UnprocessedFindings"][0]["ErrorCode"] == "FindingNotFound"


def test_administrator_updates_member_finding_found_through_its_id(aws: Aws) -> None:
    member_finding = make_finding(1, account_id=MEMBER_ACCOUNT)
    member = aws.securityhub(MEMBER_ACCOUNT)
    import_findings(member, member_finding)

    admin = aws.securityhub(ADMIN_ACCOUNT)
    response = admin.batch_update_findings(
        FindingIdentifiers=[key(member_finding)], Workflow={"Status": "RESOLVED"}
    )

    assert response["ProcessedFindings"] == [key(member_finding)]
    assert member.get_findings()["Findings"][0]["Workflow"]["Status"] == "RESOLVED"
    assert admin.get_findings()["Findings"] == []  # GetFindings stays per account, as in moto


def test_backend_function_validates_like_the_api() -> None:
    """The function attached to the backend is the same code path, usable without HTTP."""
    with mock_aws():
        backend = securityhub_backends[DEFAULT_ACCOUNT][REGION]
        with pytest.raises(InvalidInputError):
            batch_update_findings(backend, {"FindingIdentifiers": [key(make_finding(1))], "Title": "x"})
        result = batch_update_findings(backend, {"FindingIdentifiers": [key(make_finding(1))]})
        assert result["ProcessedFindings"] == []
        assert result["UnprocessedFindings"][0]["ErrorCode"] == "FindingNotFound"


# GetFindings filters and pagination


@pytest.fixture
def filter_findings(aws: Aws) -> dict[str, dict[str, Any]]:
    """Four findings that differ in control, compliance, resources and product fields."""
    findings = {
        "s3-8-failed": make_finding(
            1, control_id="S3.8", product_fields={"ControlId": "S3.8", "Std": "fsbp"}
        ),
        "s3-1-passed": make_finding(
            2, control_id="S3.1", compliance="PASSED", product_fields={"ControlId": "S3.1"}
        ),
        "ec2-2-mixed": make_finding(
            3,
            control_id="EC2.2",
            resources=(("AwsEc2SecurityGroup", "arn:aws:ec2:::sg-1"), ("AwsS3Bucket", "arn:aws:s3:::logs")),
        ),
        "iam-7-failed": make_finding(4, control_id="IAM.7", resources=(("AwsAccount", "AWS::::Account:1"),)),
    }
    import_findings(aws.securityhub(), *findings.values())
    return findings


def ids_of(findings: dict[str, dict[str, Any]], *names: str) -> set[str]:
    return {findings[name]["Id"] for name in names}


def where(comparison: StringFilterComparisonType, *values: str) -> list[StringFilterTypeDef]:
    """StringFilter conditions: one per value, all with the same comparison."""
    return [{"Value": value, "Comparison": comparison} for value in values]


def where_key(comparison: MapFilterComparisonType, map_key: str, value: str) -> list[MapFilterTypeDef]:
    """One MapFilter condition."""
    return [{"Key": map_key, "Value": value, "Comparison": comparison}]


ALL_FOUR = ("s3-8-failed", "s3-1-passed", "ec2-2-mixed", "iam-7-failed")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param(
            {"ComplianceSecurityControlId": where("EQUALS", "S3.8", "IAM.7")},
            ("s3-8-failed", "iam-7-failed"),
            id="equals-ored",
        ),
        pytest.param(
            {"ComplianceSecurityControlId": where("NOT_EQUALS", "S3.8", "IAM.7")},
            ("s3-1-passed", "ec2-2-mixed"),
            id="not-equals-anded",
        ),
        pytest.param(
            {"GeneratorId": where("PREFIX", "security-control/S3.")},
            ("s3-8-failed", "s3-1-passed"),
            id="prefix",
        ),
        pytest.param(
            {
                "GeneratorId": where("PREFIX", "security-control/S3"),
                "ComplianceStatus": where("EQUALS", "FAILED"),
            },
            ("s3-8-failed",),
            id="fields-anded",
        ),
        pytest.param(
            {
                "GeneratorId": where("PREFIX", "security-control/"),
                "ComplianceSecurityControlId": where("NOT_EQUALS", "S3.1"),
            },
            ("s3-8-failed", "ec2-2-mixed", "iam-7-failed"),
            id="prefix-then-not-equals",
        ),
        pytest.param(
            {"ResourceType": where("EQUALS", "AwsS3Bucket")},
            ("s3-8-failed", "s3-1-passed", "ec2-2-mixed"),
            id="resource-any-element",
        ),
        pytest.param(
            {"ResourceType": where("NOT_EQUALS", "AwsS3Bucket")},
            ("iam-7-failed",),
            id="resource-no-element",
        ),
        pytest.param(
            {"ResourceId": where("PREFIX_NOT_EQUALS", "AWS::::Account:")},
            ("s3-8-failed", "s3-1-passed", "ec2-2-mixed"),
            id="prefix-not-equals",
        ),
        pytest.param(
            {"ProductFields": where_key("EQUALS", "ControlId", "S3.8")},
            ("s3-8-failed",),
            id="map-equals",
        ),
        pytest.param(
            {"ProductFields": where_key("NOT_EQUALS", "ControlId", "S3.8")},
            ("s3-1-passed", "ec2-2-mixed", "iam-7-failed"),
            id="map-not-equals-matches-missing-key",
        ),
        pytest.param(
            {
                "WorkflowStatus": where("EQUALS", "NEW"),
                "RecordState": where("EQUALS", "ACTIVE"),
                "AwsAccountId": where("EQUALS", DEFAULT_ACCOUNT),
                "Region": where("EQUALS", REGION),
                "ProductArn": where("EQUALS", PRODUCT_ARN),
            },
            ALL_FOUR,
            id="top-level-fields",
        ),
    ],
)
def test_get_findings_filters_with_aws_semantics(
    aws: Aws, filter_findings: dict[str, dict[str, Any]], filters: Any, expected: tuple[str, ...]
) -> None:
    assert get_ids(aws.securityhub(), filters) == ids_of(filter_findings, *expected)


def test_get_findings_filters_by_id_and_workflow_after_update(
    aws: Aws, filter_findings: dict[str, dict[str, Any]]
) -> None:
    client = aws.securityhub()
    client.batch_update_findings(
        FindingIdentifiers=[key(filter_findings["s3-8-failed"])], Workflow={"Status": "RESOLVED"}
    )
    resolved = get_ids(client, {"WorkflowStatus": where("EQUALS", "RESOLVED")})
    by_id = get_ids(client, {"Id": where("EQUALS", filter_findings["s3-8-failed"]["Id"])})
    assert resolved == by_id == ids_of(filter_findings, "s3-8-failed")


@pytest.mark.parametrize(
    "filters",
    [
        pytest.param({"NetworkSourceIpV4": [{"Cidr": "10.0.0.0/8"}]}, id="unsupported-key"),
        pytest.param({"SeverityNormalized": [{"Gte": 40}]}, id="number-filter"),
        pytest.param({"Title": where("CONTAINS", "S3")}, id="contains"),
        pytest.param(
            {"ComplianceStatus": where("EQUALS", "FAILED") + where("NOT_EQUALS", "PASSED")},
            id="equals-with-not-equals",
        ),
        pytest.param({"Id": [{"Comparison": "EQUALS"}]}, id="no-value"),
    ],
)
def test_get_findings_rejects_filters_it_cannot_apply(aws: Aws, filters: Any) -> None:
    assert error_of(aws.securityhub().get_findings, Filters=filters) == ("InvalidInputException", 400)


def test_get_findings_paginates_filtered_results(aws: Aws) -> None:
    client = aws.securityhub()
    import_findings(
        client, *(make_finding(n, compliance="FAILED" if n % 2 else "PASSED") for n in range(1, 12))
    )
    failed: AwsSecurityFindingFiltersTypeDef = {
        "ComplianceStatus": [{"Value": "FAILED", "Comparison": "EQUALS"}]
    }

    pages = list(
        client.get_paginator("get_findings").paginate(Filters=failed, PaginationConfig={"PageSize": 2})
    )

    assert [len(page["Findings"]) for page in pages] == [2, 2, 2]
    assert "NextToken" not in pages[-1]
    seen = [finding["Id"] for page in pages for finding in page["Findings"]]
    assert sorted(seen) == sorted(make_finding(n)["Id"] for n in range(1, 12, 2))
    assert error_of(client.get_findings, MaxResults=101) == ("InvalidInputException", 400)


def test_get_findings_sorts(aws: Aws, filter_findings: dict[str, dict[str, Any]]) -> None:
    findings = aws.securityhub().get_findings(SortCriteria=[{"Field": "GeneratorId", "SortOrder": "desc"}])[
        "Findings"
    ]
    assert [f["GeneratorId"] for f in findings] == sorted(
        (f["GeneratorId"] for f in filter_findings.values()), reverse=True
    )


# Action targets


def test_action_targets_create_describe_update_delete(aws: Aws) -> None:
    client = aws.securityhub()
    arn = client.create_action_target(Name="Remediate", Description="Run the engine", Id="Remediation")[
        "ActionTargetArn"
    ]
    other = client.create_action_target(Name="Suppress", Description="Suppress it", Id="Suppress1")[
        "ActionTargetArn"
    ]

    assert arn == f"arn:aws:securityhub:{REGION}:{DEFAULT_ACCOUNT}:action/custom/Remediation"
    assert [t["ActionTargetArn"] for t in client.describe_action_targets()["ActionTargets"]] == [arn, other]
    client.update_action_target(ActionTargetArn=arn, Name="Fix now")
    assert client.describe_action_targets(ActionTargetArns=[arn])["ActionTargets"] == [
        {"ActionTargetArn": arn, "Name": "Fix now", "Description": "Run the engine"}
    ]
    assert client.delete_action_target(ActionTargetArn=arn)["ActionTargetArn"] == arn
    assert error_of(client.delete_action_target, ActionTargetArn=arn) == ("ResourceNotFoundException", 404)
    assert [t["ActionTargetArn"] for t in client.describe_action_targets()["ActionTargets"]] == [other]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (
            {"Name": "Remediate", "Description": "again", "Id": "Remediation"},
            ("ResourceConflictException", 409),
        ),
        ({"Name": "n" * 21, "Description": "d", "Id": "LongName"}, ("InvalidInputException", 400)),
        ({"Name": "n", "Description": "d", "Id": "not-alphanumeric"}, ("InvalidInputException", 400)),
        ({"Name": "n", "Description": "d", "Id": "A" * 21}, ("InvalidInputException", 400)),
    ],
    ids=["duplicate-id", "name-21", "id-punctuation", "id-21"],
)
def test_create_action_target_limits(aws: Aws, target: dict[str, str], expected: tuple[str, int]) -> None:
    client = aws.securityhub()
    client.create_action_target(Name="Remediate", Description="Run the engine", Id="Remediation")
    assert error_of(client.create_action_target, **target) == expected


# Config StartConfigRulesEvaluation


def put_rule(client: ConfigServiceClient, name: str) -> None:
    client.put_config_rule(
        ConfigRule={
            "ConfigRuleName": name,
            "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"},
        }
    )


def test_start_config_rules_evaluation_is_recorded_per_account_and_region(aws: Aws) -> None:
    client = aws.config(MEMBER_ACCOUNT)
    put_rule(client, "securityhub-s3-bucket-versioning")
    put_rule(client, "custom-rule")

    client.start_config_rules_evaluation(ConfigRuleNames=["securityhub-s3-bucket-versioning"])
    client.start_config_rules_evaluation(ConfigRuleNames=["custom-rule", "securityhub-s3-bucket-versioning"])

    assert started_config_evaluations(MEMBER_ACCOUNT, REGION) == [
        "securityhub-s3-bucket-versioning",
        "custom-rule",
        "securityhub-s3-bucket-versioning",
    ]
    assert {r.account_id for r in started_config_evaluation_records(MEMBER_ACCOUNT, REGION)} == {
        MEMBER_ACCOUNT
    }
    assert started_config_evaluations(DEFAULT_ACCOUNT, REGION) == []
    assert started_config_evaluations(MEMBER_ACCOUNT, "eu-west-1") == []


def test_start_config_rules_evaluation_rejects_unknown_rules_and_too_many(aws: Aws) -> None:
    client = aws.config()
    put_rule(client, "known")

    call = client.start_config_rules_evaluation
    assert error_of(call, ConfigRuleNames=["known", "unknown"]) == ("NoSuchConfigRuleException", 400)
    assert error_of(call, ConfigRuleNames=["known"] * 26) == ("InvalidParameterValueException", 400)
    assert started_config_evaluations(DEFAULT_ACCOUNT, REGION) == []


# Installation and the server entry point


def test_install_is_idempotent() -> None:
    install_aws_doubles()
    install_aws_doubles()
    with mock_aws():
        client = boto3.client("securityhub", region_name=REGION)
        assert client.describe_action_targets()["ActionTargets"] == []


def test_server_module_serves_doubles_until_terminated() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "localaws.server", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=REPO_ROOT,
    )
    try:
        assert process.stdout is not None
        endpoint_url = process.stdout.readline().strip()
        client = boto3.client("securityhub", region_name=REGION, endpoint_url=endpoint_url)
        assert client.create_action_target(Name="n", Description="d", Id="Cli")["ActionTargetArn"].endswith(
            "/Cli"
        )
    finally:
        process.terminate()
    assert process.wait(timeout=10) == 0
