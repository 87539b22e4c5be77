"""Encrypt an SNS topic at rest with a KMS key (control SNS.1).

Controls: SNS.1 (Config rule `sns-encrypted-kms`).
Why: SNS.1 passes only when the topic names a KMS key; the AWS managed key
`alias/aws/sns` is the default because it needs no key policy work. With a customer
managed key, its key policy must let SNS and every publisher (e.g. EventBridge,
CloudWatch alarms) use it, or their deliveries start failing: choose it deliberately.
Risk: with the AWS managed key, services that publish to the topic (EventBridge, CloudWatch
alarms, S3 notifications) can no longer use it, since that key's policy cannot be changed:
`workload-affecting`.
Guarantee: a topic that already has a key keeps it; only unencrypted topics change. Revert
removes the key only while it is still the one the fix set.
The resource id is the topic ARN in both Security Hub findings and Config events.
APIs: https://docs.aws.amazon.com/sns/latest/api/API_GetTopicAttributes.html
https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Identity, Params, Permissions, Remediation, Risk, TagSource, whole_id
from remediations.identities import key_values
from remediations.revert import kept_note, refuse_unless_forced

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient

    from remediations.cases import Cases

AWS_MANAGED_KEY = "alias/aws/sns"
ATTRIBUTE = "KmsMasterKeyId"


def topic_tags(client: SNSClient, resource: Resource) -> dict[str, str]:
    """ListTagsForResource, for the exclusion check with this client:
    https://docs.aws.amazon.com/sns/latest/api/API_ListTagsForResource.html"""
    return key_values(client.list_tags_for_resource(ResourceArn=resource.name).get("Tags", []))


def read(client: SNSClient, resource: Resource, params: Params) -> dict[str, Any]:
    attributes = client.get_topic_attributes(TopicArn=resource.name)["Attributes"]
    return {"TopicArn": resource.name, ATTRIBUTE: attributes.get(ATTRIBUTE) or None}


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    if state[ATTRIBUTE]:
        return Plan(after=dict(state))
    key = params.get("kms_key_id", AWS_MANAGED_KEY)
    return Plan(
        changes=(Change(ATTRIBUTE, None, key),),
        calls=(_set(state["TopicArn"], key),),
        after={**state, ATTRIBUTE: key},
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    if current[ATTRIBUTE] != after[ATTRIBUTE]:
        if current[ATTRIBUTE]:  # the owner's own key since: a topic keeps its key
            return Plan(after=dict(current), notes=(kept_note(ATTRIBUTE, current[ATTRIBUTE]),))
        refuse_unless_forced(force, f"topic {current['TopicArn']}", None, after[ATTRIBUTE])
        return Plan(after=dict(current))
    return Plan(
        changes=(Change(ATTRIBUTE, current[ATTRIBUTE], before[ATTRIBUTE]),),
        calls=(_set(current["TopicArn"], before[ATTRIBUTE] or ""),),
        after=dict(before),
    )


def _set(topic: str, key: str) -> ApiCall:
    return ApiCall(
        "set_topic_attributes", {"TopicArn": topic, "AttributeName": ATTRIBUTE, "AttributeValue": key}
    )


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    return not before[ATTRIBUTE] or after[ATTRIBUTE] == before[ATTRIBUTE]


def cases() -> Cases:
    from remediations.cases import (
        ACCOUNT,
        KEY_ARN,
        REGION,
        Cases,
        Exchange,
        LiveCase,
        PlanCase,
        RevertCase,
        StubbedCase,
        resource,
    )

    arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:t"
    plain, managed, own = (
        {"TopicArn": arn, ATTRIBUTE: None},
        {"TopicArn": arn, ATTRIBUTE: AWS_MANAGED_KEY},
        {
            "TopicArn": arn,
            ATTRIBUTE: KEY_ARN,
        },
    )

    def setup(session: Any) -> Resource:
        topic = session.client("sns").create_topic(Name="case-topic")["TopicArn"]
        return resource("AwsSnsTopic", topic)

    return Cases(
        plans=(
            PlanCase("unencrypted", plain, {}, (f"KmsMasterKeyId: none → {AWS_MANAGED_KEY}",)),
            PlanCase(
                "the rule's key", plain, {"kms_key_id": KEY_ARN}, (f"KmsMasterKeyId: none → {KEY_ARN}",)
            ),
            PlanCase("a key is kept", own, {}, ()),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsSnsTopic", arn),
            params={},
            calls=(
                Exchange("get_topic_attributes", {"TopicArn": arn}, {"Attributes": {"TopicArn": arn}}),
                Exchange(
                    "set_topic_attributes",
                    {"TopicArn": arn, "AttributeName": ATTRIBUTE, "AttributeValue": AWS_MANAGED_KEY},
                ),
            ),
            refusals=(
                (0, "NotFound"),
                (0, "AuthorizationError"),
                (1, "InvalidParameter"),
                (1, "KMSNotFound"),
                (1, "Throttled"),
            ),
        ),
        reverts=(
            RevertCase(
                "key removed", plain, managed, managed, (f"KmsMasterKeyId: {AWS_MANAGED_KEY} → none",)
            ),
            RevertCase("owner's own key since: kept", plain, managed, own, kept=KEY_ARN, since="stricter"),
            RevertCase(
                "key removed by someone else since", plain, managed, plain, conflict=True, since="changed"
            ),
        ),
        live=LiveCase(setup, {}),
        keeps=keeps,
        identities=(
            (resource("AwsSnsTopic", arn), arn),
            (resource("AWS::SNS::Topic", arn, ResourceFormat.CONFIG), arn),
        ),
    )


REMEDIATION = Remediation(
    name="sns.enable-topic-encryption",
    summary="Encrypt an SNS topic with a KMS key (alias/aws/sns unless the rule names one); a key is kept.",
    service="sns",
    identity=Identity(
        {
            ResourceFormat.ASFF: frozenset({"AwsSnsTopic"}),
            ResourceFormat.CONFIG: frozenset({"AWS::SNS::Topic"}),
        },
        arn="{name}",
        name=whole_id,
        tags=TagSource("sns:ListTagsForResource", topic_tags),
    ),
    permissions=Permissions(
        read=("sns:GetTopicAttributes",),
        write=("sns:SetTopicAttributes",),
        revert=("sns:SetTopicAttributes",),
    ),
    risk=Risk.WORKLOAD_AFFECTING,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
    takes_kms_key=True,
)
