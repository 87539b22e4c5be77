"""Plans for encryption and S3 public access: what is kept, what is changed, what is sent.

Plans are pure functions of (state, parameters), so most of this file needs no AWS at all;
the SQS identifier forms are checked against moto, with the calls recorded.
"""

from __future__ import annotations

import itertools
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from engine.parse import short_name
from localaws import estate
from localaws.recorder import CallRecorder
from model.finding import Resource
from remediations import (
    ec2_ebs_default_encryption,
    s3_default_encryption,
    sns_topic_encryption,
    sqs_queue_encryption,
)
from remediations.public_access_block import FLAGS, plan_all_flags_on, read_flags

KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_KEY = "arn:aws:kms:us-east-1:123456789012:key/99999999-12ab-34cd-56ef-1234567890ab"
EBS_MANAGED = "arn:aws:kms:us-east-1:123456789012:alias/aws/ebs"


def bucket_state(
    algorithm: str | None, key: str | None = None, bucket_key: bool = False
) -> dict[str, Any] | None:
    if algorithm is None:
        return None
    return {"SSEAlgorithm": algorithm, "KMSMasterKeyID": key, "BucketKeyEnabled": bucket_key}


# S3 default encryption (S3.4, S3.17) ---------------------------------------------------------


@pytest.mark.parametrize("existing", ["aws:kms", "aws:kms:dsse"])
@pytest.mark.parametrize("params", [{"algorithm": "AES256"}, {"algorithm": "aws:kms", "kms_key_id": KEY}, {}])
def test_s3_bucket_with_kms_keeps_its_key(existing: str, params: dict[str, Any]) -> None:
    assert s3_default_encryption.plan(bucket_state(existing, OTHER_KEY), params).compliant


def test_s3_sse_s3_satisfies_s3_4_but_is_upgraded_for_s3_17() -> None:
    assert s3_default_encryption.plan(bucket_state("AES256"), {"algorithm": "AES256"}).compliant
    upgrade = s3_default_encryption.plan(bucket_state("AES256"), {"algorithm": "aws:kms", "kms_key_id": KEY})
    assert [c.describe() for c in upgrade.changes] == [
        "SSEAlgorithm: AES256 → aws:kms",
        f"KMSMasterKeyID: none → {KEY}",
        "BucketKeyEnabled: false → true",
    ]
    assert upgrade.undo == {
        "ServerSideEncryptionConfiguration": {
            "Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}
            ]
        }
    }


def test_s3_unencrypted_bucket_gets_sse_s3_by_default_and_undo_says_there_was_none() -> None:
    result = s3_default_encryption.plan(None, {})
    assert result.request == {
        "ServerSideEncryptionConfiguration": {
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        }
    }
    assert result.undo == {"ServerSideEncryptionConfiguration": None}


# EBS encryption by default (EC2.7) -----------------------------------------------------------


@pytest.mark.parametrize("key", [None, EBS_MANAGED, OTHER_KEY])
@pytest.mark.parametrize("params", [{}, {"kms_key_id": KEY}])
def test_ebs_already_on_is_compliant_whatever_the_key(key: str | None, params: dict[str, Any]) -> None:
    assert ec2_ebs_default_encryption.plan(
        {"EbsEncryptionByDefault": True, "KmsKeyId": key}, params
    ).compliant


@pytest.mark.parametrize(
    ("current_key", "params", "request_", "changes"),
    [
        (None, {}, {}, ["EbsEncryptionByDefault: false → true"]),
        (
            EBS_MANAGED,
            {"kms_key_id": KEY},
            {"KmsKeyId": KEY},
            ["EbsEncryptionByDefault: false → true", f"EbsDefaultKmsKeyId: {EBS_MANAGED} → {KEY}"],
        ),
        (OTHER_KEY, {"kms_key_id": KEY}, {}, ["EbsEncryptionByDefault: false → true"]),  # a chosen key stays
        (KEY, {"kms_key_id": KEY}, {}, ["EbsEncryptionByDefault: false → true"]),
    ],
)
def test_ebs_sets_the_rule_key_only_over_the_aws_managed_key(
    current_key: str | None, params: dict[str, Any], request_: dict[str, Any], changes: list[str]
) -> None:
    result = ec2_ebs_default_encryption.plan(
        {"EbsEncryptionByDefault": False, "KmsKeyId": current_key}, params
    )
    assert dict(result.request) == request_
    assert [c.describe() for c in result.changes] == changes
    assert result.undo["EbsEncryptionByDefault"] is False
    assert result.undo.get("KmsKeyId", current_key) == current_key


# SQS queue encryption (SQS.1) ----------------------------------------------------------------


def queue_state(key: str | None = None, sse_sqs: bool = False) -> dict[str, Any]:
    return {"QueueUrl": estate.QUEUE_URL, "KmsMasterKeyId": key, "SqsManagedSseEnabled": sse_sqs}


@pytest.mark.parametrize(
    "state", [queue_state(key="alias/aws/sqs"), queue_state(key=OTHER_KEY), queue_state(sse_sqs=True)]
)
@pytest.mark.parametrize("params", [{}, {"kms_key_id": KEY}])
def test_sqs_encrypted_queue_keeps_what_it_has(state: dict[str, Any], params: dict[str, Any]) -> None:
    assert sqs_queue_encryption.plan(state, params).compliant


def test_sqs_unencrypted_queue_gets_one_sse_option() -> None:
    sse_sqs = sqs_queue_encryption.plan(queue_state(), {})
    assert sse_sqs.request == {"QueueUrl": estate.QUEUE_URL, "Attributes": {"SqsManagedSseEnabled": "true"}}
    assert sse_sqs.undo == {"QueueUrl": estate.QUEUE_URL, "Attributes": {"SqsManagedSseEnabled": "false"}}
    kms = sqs_queue_encryption.plan(queue_state(), {"kms_key_id": KEY})
    assert kms.request == {"QueueUrl": estate.QUEUE_URL, "Attributes": {"KmsMasterKeyId": KEY}}
    assert [c.describe() for c in kms.changes] == [f"KmsMasterKeyId: none → {KEY}"]


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize(
    ("resource_id", "looks_up_url"),
    [
        (f"arn:aws:sqs:{estate.REGION}:{estate.ACCOUNT}:{estate.QUEUE}", True),  # Security Hub
        (estate.QUEUE_URL, False),  # AWS Config resource id
        (estate.QUEUE, True),  # a bare name
    ],
)
def test_sqs_queue_is_found_from_every_identifier_form(resource_id: str, looks_up_url: bool) -> None:
    url = estate.create_unencrypted_queue()[estate.QUEUE_URL]
    name = short_name("AwsSqsQueue", resource_id, estate.ACCOUNT)
    resource = Resource("AwsSqsQueue", resource_id, name, estate.ACCOUNT, estate.REGION)
    client = boto3.client("sqs", region_name=estate.REGION)
    recorder = CallRecorder()
    client.meta.events.register("before-call.*.*", recorder)

    state = sqs_queue_encryption.read(client, resource, {})

    assert state == {"QueueUrl": url, "KmsMasterKeyId": None, "SqsManagedSseEnabled": False}
    assert ("sqs.GetQueueUrl" in recorder.calls) is looks_up_url


# SNS topic encryption (SNS.1) ----------------------------------------------------------------


def test_sns_topic_with_a_key_keeps_it_and_others_get_the_aws_managed_key_or_the_rule_key() -> None:
    topic = {"TopicArn": estate.TOPIC_ARN, "KmsMasterKeyId": OTHER_KEY}
    assert sns_topic_encryption.plan(topic, {"kms_key_id": KEY}).compliant
    plain = {"TopicArn": estate.TOPIC_ARN, "KmsMasterKeyId": None}
    assert sns_topic_encryption.plan(plain, {}).request["AttributeValue"] == "alias/aws/sns"
    chosen = sns_topic_encryption.plan(plain, {"kms_key_id": KEY})
    assert chosen.request["AttributeValue"] == KEY
    assert chosen.undo == {
        "TopicArn": estate.TOPIC_ARN,
        "AttributeName": "KmsMasterKeyId",
        "AttributeValue": "",
    }


# S3 Block Public Access (S3.1, S3.2, S3.3, S3.8) -----------------------------------------------


@pytest.mark.parametrize("flags", list(itertools.product([False, True], repeat=4)))
def test_public_access_block_only_ever_switches_flags_on(flags: tuple[bool, ...]) -> None:
    state = dict(zip(FLAGS, flags, strict=True))
    result = plan_all_flags_on(state, {"Bucket": estate.BUCKET})
    if all(flags):
        assert result.compliant
        return
    assert result.request == {
        "Bucket": estate.BUCKET,
        "PublicAccessBlockConfiguration": dict.fromkeys(FLAGS, True),
    }
    assert [c.field for c in result.changes] == [flag for flag in FLAGS if not state[flag]]
    assert all(c.before is False and c.after is True for c in result.changes)
    assert result.undo == {"Bucket": estate.BUCKET, "PublicAccessBlockConfiguration": state}


def refusal(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, "GetPublicAccessBlock")


def test_missing_public_access_block_reads_as_all_off_and_other_errors_propagate() -> None:
    def missing() -> dict[str, Any]:
        raise refusal("NoSuchPublicAccessBlockConfiguration")

    def denied() -> dict[str, Any]:
        raise refusal("AccessDenied")

    assert read_flags(missing) == dict.fromkeys(FLAGS, False)
    with pytest.raises(ClientError):
        read_flags(denied)
    assert read_flags(lambda: {"PublicAccessBlockConfiguration": {"BlockPublicAcls": True}}) == {
        **dict.fromkeys(FLAGS, False),
        "BlockPublicAcls": True,
    }
