"""Destinations (remediations/destinations.py) through the engine, on moto.

A remediation never creates what it points a resource at: without the baseline's parameter in
the resource's account and Region the finding is NOTIFIED with a note naming the parameter and
the template; a compliant resource costs no destination read; a destination the rule names is
used as given; the log bucket never logs to itself.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from engine.clients import ClientFactory
from engine.remediate import remediate
from localaws.estate.baseline import create_log_bucket
from model.outcome import Status
from remediations import catalog
from remediations.cases import ACCOUNT, REGION, resource
from remediations.destinations import BASELINE_TEMPLATE, PREFIX
from tests.test_remediation_cases import decision_for, finding_for

LOGGING = catalog()["s3.enable-server-access-logging"]
BUCKET = "workload-bucket"


class CountingClients(ClientFactory):
    """moto's clients, counting the SSM ones handed out."""

    def __init__(self) -> None:
        super().__init__(boto3.Session(region_name=REGION), home_account_id=ACCOUNT)
        self.ssm_reads = 0
        self.stubbed_ssm: Any = None

    def client(self, service: str, account_id: str, region: str, *, home: bool = False) -> Any:
        if service == "ssm":
            self.ssm_reads += 1
            if self.stubbed_ssm is not None:
                return self.stubbed_ssm
        return super().client(service, account_id, region, home=home)


def run(params: dict[str, Any], clients: ClientFactory, bucket: str = BUCKET) -> Any:
    named = resource("AwsS3Bucket", f"arn:aws:s3:::{bucket}")
    return remediate(finding_for(named), decision_for(LOGGING, named, params), clients)


def logging_of(bucket: str) -> Any:
    return boto3.client("s3", region_name=REGION).get_bucket_logging(Bucket=bucket).get("LoggingEnabled")


@pytest.fixture
def bucket(aws: None) -> str:
    boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
    return BUCKET


def test_missing_baseline_notifies_naming_the_parameter_and_the_template(bucket: str) -> None:
    outcome = run({}, CountingClients())
    assert outcome.status is Status.FAILED and outcome.workflow_status == "NOTIFIED"
    assert outcome.error_code == "MissingDestination"
    assert f"{PREFIX}access-log-bucket" in outcome.reason and BASELINE_TEMPLATE in outcome.reason
    assert "nothing was changed" in outcome.reason
    assert logging_of(bucket) is None


def test_baseline_bucket_is_read_once_and_logged_to(bucket: str) -> None:
    create_log_bucket(boto3.Session(region_name=REGION), "baseline-access-logs")
    clients = CountingClients()
    outcome = run({}, clients)
    assert outcome.status is Status.REMEDIATED, outcome.reason
    assert clients.ssm_reads == 1
    assert logging_of(bucket) == {"TargetBucket": "baseline-access-logs", "TargetPrefix": f"{bucket}/"}


def test_a_compliant_bucket_needs_no_baseline_and_reads_none(bucket: str) -> None:
    session = boto3.Session(region_name=REGION)
    create_log_bucket(session, "own-access-logs")
    session.client("ssm").delete_parameter(Name=f"{PREFIX}access-log-bucket")
    session.client("s3").put_bucket_logging(
        Bucket=bucket,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "own-access-logs", "TargetPrefix": "x/"}},
    )
    clients = CountingClients()
    outcome = run({}, clients)
    assert outcome.status is Status.ALREADY_COMPLIANT
    assert clients.ssm_reads == 0
    assert logging_of(bucket) == {"TargetBucket": "own-access-logs", "TargetPrefix": "x/"}


def test_a_destination_the_rule_names_is_used_without_reading_ssm(bucket: str) -> None:
    create_log_bucket(boto3.Session(region_name=REGION), "rule-access-logs")
    clients = CountingClients()
    clients.stubbed_ssm = boto3.client("ssm", region_name=REGION)
    with Stubber(clients.stubbed_ssm) as stubber:  # no response queued: any SSM call fails the test
        outcome = run({"log_bucket": "rule-access-logs"}, clients)
        stubber.assert_no_pending_responses()
    assert outcome.status is Status.REMEDIATED, outcome.reason
    assert logging_of(bucket)["TargetBucket"] == "rule-access-logs"


def test_the_log_bucket_never_logs_to_itself(aws: None) -> None:
    create_log_bucket(boto3.Session(region_name=REGION), "baseline-access-logs")
    outcome = run({}, CountingClients(), bucket="baseline-access-logs")
    assert outcome.status is Status.FAILED and outcome.workflow_status == "NOTIFIED"
    assert "never logs to itself" in outcome.reason
    assert logging_of("baseline-access-logs") is None


def test_pass_role_is_never_declared_as_a_plain_permission() -> None:
    """Granted on any role it would let a fix hand any role to a service: only a role destination may."""

    from model.errors import RegistryError
    from remediations.base import Permissions, build_catalog

    wide = LOGGING._replace(
        permissions=Permissions(read=("s3:GetBucketLogging",), write=("s3:PutBucketLogging", "iam:PassRole")),
    )
    with pytest.raises(RegistryError, match="declare the role as a Destination"):
        build_catalog([wide])
