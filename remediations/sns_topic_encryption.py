"""Encrypt an SNS topic at rest with a KMS key (control SNS.1).

Controls: SNS.1 (Config rule `sns-encrypted-kms`).
Why: SNS.1 passes only when the topic names a KMS key; the AWS managed key
`alias/aws/sns` is the default because it needs no key policy work. With a customer
managed key, its key policy must let SNS and every publisher (e.g. EventBridge,
CloudWatch alarms) use it, or their deliveries start failing: choose it deliberately.
Guarantee: a topic that already has a key keeps it; only unencrypted topics change.
The resource id is the topic ARN in both Security Hub findings and Config events.
APIs: https://docs.aws.amazon.com/sns/latest/api/API_GetTopicAttributes.html
https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.finding import Resource
from model.outcome import Change, Plan
from remediations.base import Params, Remediation, object_schema

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient

AWS_MANAGED_KEY = "alias/aws/sns"
ATTRIBUTE = "KmsMasterKeyId"


def read(client: SNSClient, resource: Resource, params: Params) -> dict[str, Any]:
    attributes = client.get_topic_attributes(TopicArn=resource.name)["Attributes"]
    return {"TopicArn": resource.name, ATTRIBUTE: attributes.get(ATTRIBUTE) or None}


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    if state[ATTRIBUTE]:
        return Plan()
    key = params.get("kms_key_id", AWS_MANAGED_KEY)
    topic = state["TopicArn"]
    return Plan(
        changes=(Change(ATTRIBUTE, None, key),),
        request={"TopicArn": topic, "AttributeName": ATTRIBUTE, "AttributeValue": key},
        undo={"TopicArn": topic, "AttributeName": ATTRIBUTE, "AttributeValue": ""},
    )


def apply(client: SNSClient, resource: Resource, plan: Plan) -> None:
    client.set_topic_attributes(
        TopicArn=plan.request["TopicArn"],
        AttributeName=plan.request["AttributeName"],
        AttributeValue=plan.request["AttributeValue"],
    )


REMEDIATION = Remediation(
    name="sns.enable-topic-encryption",
    summary="Encrypt an SNS topic with a KMS key (alias/aws/sns unless the rule names one); a key is kept.",
    service="sns",
    resource_types=frozenset({"AwsSnsTopic"}),
    permissions=("sns:GetTopicAttributes", "sns:SetTopicAttributes"),
    parameters_schema=object_schema({"kms_key_id": {"type": "string", "minLength": 1, "maxLength": 2048}}),
    read=read,
    plan=plan,
    apply=apply,
)
