"""Turn on server-side encryption for an SQS queue (control SQS.1).

Controls: SQS.1 (Config rule `sqs-queue-encrypted`, Security Hub's own).
Why: SQS.1 passes with SSE-SQS (SQS-owned keys, no cost, no key policy to get wrong) or
SSE-KMS; SSE-SQS is the default here, `kms_key_id` picks SSE-KMS instead.
Guarantee: a queue that already uses SSE-SQS or a KMS key is compliant and keeps what it
has; an existing KMS key is never replaced. A queue has one SSE option at a time, so the
request sets exactly one of `SqsManagedSseEnabled` / `KmsMasterKeyId`.
Revert switches off what the fix switched on, unless the owner has chosen a key since.
Queue identifiers: Security Hub names the queue by ARN, AWS Config by URL; both give the
queue's name, and the URL is built from the canonical ARN (regional endpoint, account, name),
so no GetQueueUrl call is needed.
APIs: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Identity, Params, Permissions, Remediation, Risk, TagSource
from remediations.revert import kept_note, refuse_unless_forced

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

    from remediations.cases import Cases

ENCRYPTION_ATTRIBUTES = ("KmsMasterKeyId", "SqsManagedSseEnabled")


def queue_url(client: SQSClient, resource: Resource) -> str:
    """arn:…:sqs:<region>:<account>:<name> → <regional endpoint>/<account>/<name>."""
    return f"{client.meta.endpoint_url}/{resource.account_id}/{resource.name}"


def queue_tags(client: SQSClient, resource: Resource) -> dict[str, str]:
    """ListQueueTags, for the exclusion check with this client:
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListQueueTags.html"""
    return dict(client.list_queue_tags(QueueUrl=queue_url(client, resource)).get("Tags", {}))


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
        return Plan(after=dict(state))
    if params.get("kms_key_id"):
        key = params["kms_key_id"]
        return Plan(
            changes=(Change("KmsMasterKeyId", None, key),),
            calls=(_set(state["QueueUrl"], {"KmsMasterKeyId": key}),),
            after={**state, "KmsMasterKeyId": key},
        )
    return Plan(
        changes=(Change("SqsManagedSseEnabled", False, True),),
        calls=(_set(state["QueueUrl"], {"SqsManagedSseEnabled": "true"}),),
        after={**state, "SqsManagedSseEnabled": True},
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    url = current["QueueUrl"]
    if after["KmsMasterKeyId"] and current["KmsMasterKeyId"] == after["KmsMasterKeyId"]:
        change, attributes = Change("KmsMasterKeyId", after["KmsMasterKeyId"], None), {"KmsMasterKeyId": ""}
    elif after["SqsManagedSseEnabled"] and current["SqsManagedSseEnabled"] and not current["KmsMasterKeyId"]:
        change, attributes = Change("SqsManagedSseEnabled", True, False), {"SqsManagedSseEnabled": "false"}
    elif current["KmsMasterKeyId"]:  # the owner's own key since
        return Plan(after=dict(current), notes=(kept_note("KmsMasterKeyId", current["KmsMasterKeyId"]),))
    else:
        refuse_unless_forced(force, f"queue {url}", "unencrypted", "encrypted")
        return Plan(after=dict(current))
    return Plan(changes=(change,), calls=(_set(url, attributes),), after=dict(before) | {"QueueUrl": url})


def _set(url: str, attributes: dict[str, str]) -> ApiCall:
    return ApiCall("set_queue_attributes", {"QueueUrl": url, "Attributes": attributes})


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    if before["KmsMasterKeyId"]:
        return bool(after["KmsMasterKeyId"] == before["KmsMasterKeyId"])
    return not before["SqsManagedSseEnabled"] or bool(
        after["SqsManagedSseEnabled"] or after["KmsMasterKeyId"]
    )


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

    url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/q"
    plain = {"QueueUrl": url, "KmsMasterKeyId": None, "SqsManagedSseEnabled": False}
    sse = {**plain, "SqsManagedSseEnabled": True}
    kms = {**plain, "KmsMasterKeyId": KEY_ARN}

    def setup(session: Any) -> Resource:
        session.client("sqs").create_queue(
            QueueName="case-queue", Attributes={"SqsManagedSseEnabled": "false"}
        )
        return resource("AwsSqsQueue", f"arn:aws:sqs:{REGION}:{ACCOUNT}:case-queue")

    return Cases(
        plans=(
            PlanCase("unencrypted → SSE-SQS", plain, {}, ("SqsManagedSseEnabled: false → true",)),
            PlanCase(
                "the rule's key", plain, {"kms_key_id": KEY_ARN}, (f"KmsMasterKeyId: none → {KEY_ARN}",)
            ),
            PlanCase("SSE-SQS is compliant", sse, {"kms_key_id": KEY_ARN}, ()),
            PlanCase("a key is kept", kms, {}, ()),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsSqsQueue", f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"),
            params={"kms_key_id": KEY_ARN},
            calls=(
                Exchange(
                    "get_queue_attributes",
                    {"QueueUrl": url, "AttributeNames": list(ENCRYPTION_ATTRIBUTES)},
                    {"Attributes": {"SqsManagedSseEnabled": "false"}},
                ),
                Exchange(
                    "set_queue_attributes", {"QueueUrl": url, "Attributes": {"KmsMasterKeyId": KEY_ARN}}
                ),
            ),
            refusals=(
                (0, "AWS.SimpleQueueService.NonExistentQueue"),
                (0, "AccessDenied"),
                (1, "KMS.NotFoundException"),
                (1, "KMS.DisabledException"),
                (1, "RequestThrottled"),
            ),
        ),
        reverts=(
            RevertCase("SSE-SQS off again", plain, sse, sse, ("SqsManagedSseEnabled: true → false",)),
            RevertCase("the key removed", plain, kms, kms, (f"KmsMasterKeyId: {KEY_ARN} → none",)),
            RevertCase(
                "owner's own key since: kept",
                plain,
                sse,
                {**kms, "KmsMasterKeyId": "alias/own"},
                kept="alias/own",
                since="stricter",
            ),
            RevertCase(
                "changed by someone else since: unencrypted",
                plain,
                sse,
                plain,
                conflict=True,
                since="changed",
            ),
        ),
        live=LiveCase(setup, {}),
        keeps=keeps,
        identities=(
            (resource("AwsSqsQueue", f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"), "q"),
            (resource("AWS::SQS::Queue", url, ResourceFormat.CONFIG), "q"),
        ),
    )


REMEDIATION = Remediation(
    name="sqs.enable-queue-encryption",
    summary="Turn on SQS queue encryption: SSE-SQS, or SSE-KMS with a key; an existing key is kept.",
    service="sqs",
    identity=Identity(
        {
            ResourceFormat.ASFF: frozenset({"AwsSqsQueue"}),
            ResourceFormat.CONFIG: frozenset({"AWS::SQS::Queue"}),
        },
        arn="arn:{partition}:sqs:{region}:{account}:{name}",
        tags=TagSource("sqs:ListQueueTags", queue_tags),
    ),
    permissions=Permissions(
        read=("sqs:GetQueueAttributes",),
        write=("sqs:SetQueueAttributes",),
        revert=("sqs:SetQueueAttributes",),
    ),
    risk=Risk.SAFE,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
    takes_kms_key=True,
)
