"""The PutBucketLogging target check (localaws/doubles/s3_logging_target.py): policies as AWS reads them.

S3 turns server access logging on only when the target admits log delivery; moto crashed (a 500)
on a target policy with a string principal, such as the deny-insecure-transport statement of the
baseline's access log bucket.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

REGION = "us-east-1"
TARGET = "double-access-logs"
DENY_PLAIN_HTTP = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": [f"arn:aws:s3:::{TARGET}", f"arn:aws:s3:::{TARGET}/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
LOG_DELIVERY = {
    "Sid": "S3ServerAccessLogs",
    "Effect": "Allow",
    "Principal": {"Service": "logging.s3.amazonaws.com"},
    "Action": ["s3:PutObject"],
    "Resource": f"arn:aws:s3:::{TARGET}/*",
    "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
}


def _log_to_target(*statements: dict[str, Any]) -> Any:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=TARGET)
    s3.create_bucket(Bucket="double-source")
    s3.put_bucket_policy(Bucket=TARGET, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    s3.put_bucket_logging(
        Bucket="double-source",
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": TARGET, "TargetPrefix": "double-source/"}},
    )
    return s3.get_bucket_logging(Bucket="double-source").get("LoggingEnabled")


@pytest.mark.usefixtures("aws")
def test_a_target_that_also_denies_plain_http_to_everyone_admits_log_delivery() -> None:
    assert _log_to_target(DENY_PLAIN_HTTP, LOG_DELIVERY) == {
        "TargetBucket": TARGET,
        "TargetPrefix": "double-source/",
    }


@pytest.mark.usefixtures("aws")
def test_a_target_whose_policy_does_not_admit_the_logging_service_is_refused() -> None:
    everyone_reads = {**DENY_PLAIN_HTTP, "Effect": "Allow", "Action": "s3:GetObject", "Condition": {}}
    with pytest.raises(ClientError) as raised:
        _log_to_target(DENY_PLAIN_HTTP, everyone_reads, {**LOG_DELIVERY, "Effect": "Deny"})
    assert raised.value.response["Error"]["Code"] == "InvalidTargetBucketForLogging"
