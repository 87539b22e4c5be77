"""Turn on server-side encryption for an SQS queue (control SQS.1).

Controls: SQS.1 (Config rule `sqs-queue-encrypted`, Security Hub's own).
Why: SQS.1 passes with SSE-SQS (SQS-owned keys, no cost, no key policy to get wrong) or
SSE-KMS; SSE-SQS is the default here, `kms_key_id` picks SSE-KMS instead.
Guarantee: a queue that already uses SSE-SQS or a KMS key is compliant and keeps what it
has; an existing KMS key is never replaced. A queue has one SSE option at a time, so the
request sets exactly one of `SqsManagedSseEnabled` / `KmsMasterKeyId`.
Queue identifiers: the finding's ARN gives the queue URL (the regional endpoint, the
account and the name); AWS Config reports `AWS::SQS::Queue` with the queue URL as resource
id (CloudFormation's physical id). GetQueueUrl is called only when all we have is a name.
APIs: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueUrl.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.finding import Resource
from model.outcome import Change, Plan
from remediations.base import Params, Remediation, object_schema

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

ENCRYPTION_ATTRIBUTES = ("KmsMasterKeyId", "SqsManagedSseEnabled")


def queue_url(client: SQSClient, resource: Resource) -> str:
    """The queue URL: given (Config), built from the ARN (Security Hub), or looked up by name."""
    if resource.name.startswith("https://"):
        return resource.name
    name = resource.name.rpartition("/")[2]
    if resource.arn:  # arn:…:sqs:<region>:<account>:<name>: the URL follows, no call needed
        return f"{client.meta.endpoint_url}/{resource.arn.split(':')[4]}/{name}"
    return client.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=resource.account_id)["QueueUrl"]


def read(client: SQSClient, resource: Resource, params: Params) -> dict[str, Any]:
    url = queue_url(client, resource)
    attributes = client.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=list(ENCRYPTION_ATTRIBUTES),  # type: ignore[arg-type]
    ).get("Attributes", {})
    return {
        "QueueUrl": url,
        "KmsMasterKeyId": attributes.get("KmsMasterKeyId") or None,
        "SqsManagedSseEnabled": attributes.get("SqsManagedSseEnabled", "false").lower() == "true",
    }


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    if state["KmsMasterKeyId"] or state["SqsManagedSseEnabled"]:
        return Plan()
    url = state["QueueUrl"]
    if params.get("kms_key_id"):
        key = params["kms_key_id"]
        return Plan(
            changes=(Change("KmsMasterKeyId", None, key),),
            request={"QueueUrl": url, "Attributes": {"KmsMasterKeyId": key}},
            undo={"QueueUrl": url, "Attributes": {"KmsMasterKeyId": ""}},
        )
    return Plan(
        changes=(Change("SqsManagedSseEnabled", False, True),),
        request={"QueueUrl": url, "Attributes": {"SqsManagedSseEnabled": "true"}},
        undo={"QueueUrl": url, "Attributes": {"SqsManagedSseEnabled": "false"}},
    )


def apply(client: SQSClient, resource: Resource, plan: Plan) -> None:
    client.set_queue_attributes(
        QueueUrl=plan.request["QueueUrl"], Attributes=dict(plan.request["Attributes"])
    )


REMEDIATION = Remediation(
    name="sqs.enable-queue-encryption",
    summary="Turn on SQS queue encryption: SSE-SQS, or SSE-KMS with a key; an existing key is kept.",
    service="sqs",
    resource_types=frozenset({"AwsSqsQueue"}),
    permissions=("sqs:GetQueueUrl", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes"),
    parameters_schema=object_schema({"kms_key_id": {"type": "string", "minLength": 1, "maxLength": 2048}}),
    read=read,
    plan=plan,
    apply=apply,
)
