"""Custom resource `Custom::ActionTarget`: the Security Hub custom action, in every Region.

Why a custom resource: `AWS::SecurityHub::ActionTarget` is missing from the resource specification
of several Security Hub Regions (eu-west-1, us-east-2, ap-northeast-1… per cfn-lint 1.58), and the
stack must deploy in all of them. The calls are the documented ones
(https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_CreateActionTarget.html).

Guarantees:
- Create and Update converge: when a target with the requested `Id` exists already (a retried
  create, an update, a stack rebuilt after a failed delete) it is adopted and its Name and
  Description updated, never a failure. A changed `Id` creates the new target; CloudFormation then
  deletes the old one by its physical id (the old ARN).
- Delete removes the target; one that is already gone, or a physical id that is not an action
  target ARN (a create that failed), is success. Two stacks given the same `Id` share one target
  and the first deleted removes it: give each stack its own `ActionTargetId`.
- CloudFormation always gets an answer, so a bug here fails the stack instead of hanging it.

`deploy/template_gen.py` inlines this file as the function's `Code.ZipFile`, so it imports only the
standard library and boto3, and answers CloudFormation itself (no `cfnresponse` module).
"""

from __future__ import annotations

import json
import logging
import re
import urllib.request
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_securityhub import SecurityHubClient

#: Every call this function makes; the template grants exactly these (checked by a test).
PERMISSIONS = (
    "securityhub:CreateActionTarget",
    "securityhub:DescribeActionTargets",
    "securityhub:UpdateActionTarget",
    "securityhub:DeleteActionTarget",
)
_ACTION_TARGET_ARN = re.compile(r"^arn:[\w-]+:securityhub:[\w-]+:\d{12}:action/custom/[A-Za-z0-9]{1,20}$")
_REASON_LIMIT = 1000
logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)


def handle(event: dict[str, Any], client: SecurityHubClient) -> tuple[str, dict[str, str]]:
    """Apply the request; returns (physical id, attributes). Raises ClientError/KeyError on failure."""
    request = event["RequestType"]
    if request == "Delete":
        arn = str(event.get("PhysicalResourceId", ""))
        if _ACTION_TARGET_ARN.match(arn):
            delete(client, arn)
        return arn, {}
    properties = event["ResourceProperties"]
    target_id = str(properties["Id"])
    arn = ensure(client, target_id, str(properties.get("Name") or target_id), str(properties["Description"]))
    return arn, {"Arn": arn}


def ensure(client: SecurityHubClient, target_id: str, name: str, description: str) -> str:
    """The ARN of the target `target_id`, created, or adopted and brought up to date."""
    try:
        return client.create_action_target(Name=name, Description=description, Id=target_id)[
            "ActionTargetArn"
        ]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ResourceConflictException":
            raise
    arn = find(client, target_id)
    client.update_action_target(ActionTargetArn=arn, Name=name, Description=description)
    return arn


def find(client: SecurityHubClient, target_id: str) -> str:
    suffix = f":action/custom/{target_id}"
    for page in client.get_paginator("describe_action_targets").paginate():
        for target in page["ActionTargets"]:
            if target["ActionTargetArn"].endswith(suffix):
                return target["ActionTargetArn"]
    raise LookupError(f"action target {target_id} exists (CreateActionTarget said so) but is not listed")


def delete(client: SecurityHubClient, arn: str) -> None:
    try:
        client.delete_action_target(ActionTargetArn=arn)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise


def handler(event: dict[str, Any], context: Any) -> None:
    """Lambda entry point: apply the request and always answer CloudFormation."""
    logger.info("%s %s", event.get("RequestType"), event.get("LogicalResourceId"))
    try:
        physical_id, data = handle(event, boto3.client("securityhub"))
        respond(event, "SUCCESS", physical_id, data)
    except Exception as error:  # any failure: unanswered, CloudFormation would wait an hour
        logger.exception("failed")
        physical_id = str(event.get("PhysicalResourceId") or context.log_stream_name)
        respond(event, "FAILED", physical_id, {}, reason=f"{type(error).__name__}: {error}")


def respond(
    event: dict[str, Any], status: str, physical_id: str, data: dict[str, str], reason: str = ""
) -> None:
    """PUT the result to the pre-signed `ResponseURL` CloudFormation gave."""
    body = json.dumps(
        {
            "Status": status,
            "Reason": (reason or "See the function's log")[:_REASON_LIMIT],
            "PhysicalResourceId": physical_id,
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Data": data,
        }
    ).encode()
    request = urllib.request.Request(
        event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        logger.info("answered %s: HTTP %s", status, response.status)
