"""The live exclusion-tag check reads tags with the remediation's own client where its service
gives them (engine/tag_readers.py), and with the Resource Groups Tagging API only otherwise."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from engine.clients import ClientFactory
from engine.exclusions import live_tag_exclusion
from engine.settings import Settings
from engine.tag_readers import tag_reader_for
from localaws import estate
from localaws.engine_setup import make_engine
from localaws.events import load_event
from model.finding import Resource, ResourceFormat
from remediations import catalog

TAG = "remediation:exclude"
S3_EVENT = "securityhub-imported-s3.17-consolidated.json"
TAGGING = "resourcegroupstaggingapi.GetResources"


def never(resource: Resource) -> dict[str, str] | None:
    raise AssertionError(f"the Tagging API was asked for {resource.arn}")


def resource(remediation: str, resource_type: str, resource_id: str) -> Resource:
    located = catalog()[remediation].identity.locate(
        [
            Resource(
                type=resource_type,
                id=resource_id,
                name="",
                account_id=estate.ACCOUNT,
                region=estate.REGION,
                format=ResourceFormat.ASFF,
            )
        ]
    )
    assert located is not None
    return located


def tags_of(remediation: str, located: Resource) -> dict[str, str] | None:
    clients = ClientFactory(boto3.Session(region_name=estate.REGION), home_account_id=estate.ACCOUNT)
    return tag_reader_for(catalog()[remediation], clients, never)(located)


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize("tagged", [True, False], ids=["tagged", "untagged"])
def test_a_bucket_s_tags_come_from_s3_and_the_engine_makes_no_tagging_client(tagged: bool) -> None:
    estate.enable_security_hub()
    estate.create_bucket()
    if tagged:
        boto3.client("s3", region_name=estate.REGION).put_bucket_tagging(
            Bucket=estate.BUCKET, Tagging={"TagSet": [{"Key": TAG, "Value": "owner said so"}]}
        )
    event = load_event(S3_EVENT)
    estate.import_findings(event)
    engine, recorder = make_engine(Settings(home_account_id=estate.ACCOUNT, exclusion_tag=TAG))
    report = engine.handle(event)
    assert report["findings"][0]["status"] == ("skipped" if tagged else "remediated")
    assert recorder.count("s3.GetBucketTagging") == 1 and TAGGING not in recorder.calls
    assert not any(service == "resourcegroupstaggingapi" for service, *_ in engine.clients._clients)


@pytest.mark.usefixtures("aws")
def test_a_security_group_s_tags_come_from_describe_security_groups() -> None:
    group = estate.create_open_security_group()
    boto3.client("ec2", region_name=estate.REGION).create_tags(
        Resources=[group], Tags=[{"Key": TAG, "Value": "x"}]
    )
    arn = f"arn:aws:ec2:{estate.REGION}:{estate.ACCOUNT}:security-group/{group}"
    located = resource("ec2.revoke-public-ingress", "AwsEc2SecurityGroup", arn)
    assert tags_of("ec2.revoke-public-ingress", located) == {TAG: "x"}


@pytest.mark.usefixtures("aws")
def test_a_queue_s_and_a_topic_s_tags_come_from_their_own_service() -> None:
    urls = estate.create_unencrypted_queue()
    boto3.client("sqs", region_name=estate.REGION).tag_queue(QueueUrl=urls[estate.QUEUE_URL], Tags={TAG: "q"})
    queue_arn = f"arn:aws:sqs:{estate.REGION}:{estate.ACCOUNT}:{estate.QUEUE}"
    queue = resource("sqs.enable-queue-encryption", "AwsSqsQueue", queue_arn)
    assert tags_of("sqs.enable-queue-encryption", queue) == {TAG: "q"}
    topic_arn = estate.create_unencrypted_topic()[estate.TOPIC_ARN]
    boto3.client("sns", region_name=estate.REGION).tag_resource(
        ResourceArn=topic_arn, Tags=[{"Key": TAG, "Value": "t"}]
    )
    topic = resource("sns.enable-topic-encryption", "AwsSnsTopic", topic_arn)
    assert tags_of("sns.enable-topic-encryption", topic) == {TAG: "t"}


def test_tags_the_service_refuses_exclude_the_resource() -> None:
    """AccessDenied on GetBucketTagging reads as unreadable tags, never as "no tags"."""
    remediation = catalog()["s3.enable-default-encryption"]
    client = boto3.client("s3", region_name=estate.REGION)
    located = resource("s3.enable-default-encryption", "AwsS3Bucket", f"arn:aws:s3:::{estate.BUCKET}")
    clients: Any = type("Clients", (), {"client": lambda self, *args, **kwargs: client})()
    with Stubber(client) as stubber:
        stubber.add_client_error("get_bucket_tagging", "AccessDenied", http_status_code=403)
        verdict = live_tag_exclusion(located, TAG, tag_reader_for(remediation, clients, never), now=0.0)
    assert verdict.skip.startswith("could not read the tags")


def test_remediations_without_a_tag_source_keep_the_tagging_api() -> None:
    def fallback(resource: Resource) -> dict[str, str] | None:
        return {}

    for remediation in catalog().values():
        reader = tag_reader_for(remediation, ClientFactory(), fallback)
        assert (reader is fallback) == (remediation.identity.tags is None)
        if remediation.identity.tags:
            assert remediation.identity.tags.action in remediation.actions


@pytest.mark.parametrize(
    ("code", "tags"),
    [
        ("NoSuchBucket", {}),
        ("InvalidGroup.NotFound", {}),
        ("AWS.SimpleQueueService.NonExistentQueue", {}),
        ("AccessDenied", None),
        ("Throttling", None),
    ],
)
def test_a_resource_that_is_gone_has_no_tags_and_one_that_cannot_be_read_has_none_known(
    code: str, tags: dict[str, str] | None
) -> None:
    """Gone reads as the Tagging API answers (no tags: the fix's own read says it is gone);
    refused or throttled reads as unreadable, which excludes the resource."""
    remediation = catalog()["s3.enable-default-encryption"]
    client = boto3.client("s3", region_name=estate.REGION)
    located = resource("s3.enable-default-encryption", "AwsS3Bucket", f"arn:aws:s3:::{estate.BUCKET}")
    clients: Any = type("Clients", (), {"client": lambda self, *args, **kwargs: client})()
    with Stubber(client) as stubber:
        stubber.add_client_error("get_bucket_tagging", code, http_status_code=404)
        assert tag_reader_for(remediation, clients, never)(located) == tags
