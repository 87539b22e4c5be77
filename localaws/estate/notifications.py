"""The stack's notification topic with an SQS queue subscribed, to read what the engine published."""

from __future__ import annotations

import json
from typing import Any

import boto3

from localaws.estate.names import REGION


def create_notification_inbox(name: str = "remediator") -> tuple[str, str]:
    """(topic ARN, queue URL): each message published to the topic lands raw in the queue."""
    sns = boto3.client("sns", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    topic = sns.create_topic(Name=name)["TopicArn"]
    queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    return topic, queue


def notifications(queue: str) -> list[dict[str, Any]]:
    """The messages waiting in the inbox (up to 10), each the engine's JSON body."""
    sqs = boto3.client("sqs", region_name=REGION)
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]
