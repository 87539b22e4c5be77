"""localaws.estate.baseline.deploy_baseline: the committed baseline template, created in moto as deployed.

The demo and tests point remediations at these destinations, so they must be the template's
own: every SSM parameter it publishes, with the names, policies and settings it declares.
"""

from __future__ import annotations

import json

import boto3
import pytest
import yaml

from localaws.estate.baseline import deploy_baseline
from localaws.project import project_path
from remediations import catalog
from remediations.destinations import BASELINE_TEMPLATE, PREFIX

REGION = "us-east-1"
ACCOUNT = "123456789012"


@pytest.mark.usefixtures("aws")
def test_every_destination_a_remediation_reads_is_published_and_exists() -> None:
    session = boto3.Session(region_name=REGION)
    published = deploy_baseline(session)
    declared = {d.name for r in catalog().values() for d in r.destinations}
    assert declared <= set(published)
    stored = session.client("ssm").get_parameters_by_path(Path=PREFIX)["Parameters"]
    assert {p["Name"].removeprefix(PREFIX): p["Value"] for p in stored} == published
    assert published["log-bucket"] == f"sechub-baseline-logs-{ACCOUNT}-{REGION}"
    # CloudFormation's Arn of a log group, the form CloudTrail takes.
    assert published["cloudtrail-log-group-arn"] == (
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:sechub-baseline/cloudtrail:*"
    )
    assert published["cloudtrail-logs-role-arn"].endswith(f":role/sechub-baseline-cloudtrail-logs-{REGION}")
    key = session.client("kms").describe_key(KeyId=published["cloudtrail-key-arn"])["KeyMetadata"]
    assert key["Enabled"]
    assert session.client("kms").get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"]


@pytest.mark.usefixtures("aws")
def test_the_buckets_carry_the_templates_policies_and_settings() -> None:
    session = boto3.Session(region_name=REGION)
    published = deploy_baseline(session)
    s3 = session.client("s3")
    template = yaml.safe_load(project_path(BASELINE_TEMPLATE).read_text(encoding="utf-8"))
    declared = template["Resources"]["LogBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    policy = json.loads(s3.get_bucket_policy(Bucket=published["log-bucket"])["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == [s["Sid"] for s in declared]
    logging = s3.get_bucket_logging(Bucket=published["log-bucket"])["LoggingEnabled"]
    assert logging["TargetBucket"] == published["access-log-bucket"]
    block = s3.get_public_access_block(Bucket=published["access-log-bucket"])[
        "PublicAccessBlockConfiguration"
    ]
    assert all(block.values())
    topic = session.client("sns").get_topic_attributes(TopicArn=published["alarm-topic-arn"])["Attributes"]
    assert json.loads(topic["Policy"])["Statement"][0]["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
