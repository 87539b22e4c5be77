"""The `Custom::ActionTarget` handler (deploy/action_target.py) against moto's Security Hub double.

CloudFormation's view: Create, Update (same or new Id) and Delete, each repeated, must converge
and never fail on a target that already exists or is already gone; and the function must answer
CloudFormation in every case, failures included.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from deploy import action_target

if TYPE_CHECKING:
    from mypy_boto3_securityhub import SecurityHubClient

ACCOUNT = "123456789012"
ARN = f"arn:aws:securityhub:us-east-1:{ACCOUNT}:action/custom/Remediate"


@pytest.fixture
def securityhub(aws: None) -> Iterator[SecurityHubClient]:
    yield boto3.client("securityhub", region_name="us-east-1")


def request(
    kind: str, target_id: str = "Remediate", physical_id: str | None = None, **extra: str
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "RequestType": kind,
        "ResponseURL": "https://cloudformation-custom-resource-response.example/presigned",
        "StackId": f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/sechub-remediator/1",
        "RequestId": "request-1",
        "LogicalResourceId": "ActionTarget",
        "ResourceType": "Custom::ActionTarget",
        "ResourceProperties": {
            "Id": target_id,
            "Name": target_id,
            "Description": "Send to the engine",
            **extra,
        },
    }
    if physical_id is not None:
        event["PhysicalResourceId"] = physical_id
    return event


def targets(client: SecurityHubClient) -> dict[str, str]:
    return {t["ActionTargetArn"]: t["Name"] for t in client.describe_action_targets()["ActionTargets"]}


def test_create_returns_the_arn_as_physical_id_and_attribute(securityhub: SecurityHubClient) -> None:
    assert action_target.handle(request("Create"), securityhub) == (ARN, {"Arn": ARN})
    assert targets(securityhub) == {ARN: "Remediate"}


def test_create_adopts_an_existing_target_and_updates_it(securityhub: SecurityHubClient) -> None:
    securityhub.create_action_target(Name="Old name", Description="made by hand", Id="Remediate")
    assert action_target.handle(request("Create"), securityhub) == (ARN, {"Arn": ARN})
    assert targets(securityhub) == {ARN: "Remediate"}


def test_update_in_place_and_repeated_update_converge(securityhub: SecurityHubClient) -> None:
    action_target.handle(request("Create"), securityhub)
    renamed = request("Update", physical_id=ARN, Name="Fix it")
    assert action_target.handle(renamed, securityhub) == (ARN, {"Arn": ARN})
    assert action_target.handle(renamed, securityhub) == (ARN, {"Arn": ARN})
    assert targets(securityhub) == {ARN: "Fix it"}


def test_new_id_creates_a_new_target_and_the_old_is_deleted_by_cloudformation(
    securityhub: SecurityHubClient,
) -> None:
    action_target.handle(request("Create"), securityhub)
    new_arn, _ = action_target.handle(request("Update", "RemediateDev", physical_id=ARN), securityhub)
    assert new_arn == ARN.replace("Remediate", "RemediateDev")
    action_target.handle(request("Delete", physical_id=ARN), securityhub)  # CloudFormation's cleanup
    assert targets(securityhub) == {new_arn: "RemediateDev"}


def test_delete_is_idempotent_and_ignores_a_failed_create(securityhub: SecurityHubClient) -> None:
    action_target.handle(request("Create"), securityhub)
    assert action_target.handle(request("Delete", physical_id=ARN), securityhub) == (ARN, {})
    assert action_target.handle(request("Delete", physical_id=ARN), securityhub) == (ARN, {})
    assert (
        action_target.handle(request("Delete", physical_id="2026/11/30/[$LATEST]abc"), securityhub)[1] == {}
    )
    assert targets(securityhub) == {}


def test_a_second_stack_with_its_own_id_does_not_collide(securityhub: SecurityHubClient) -> None:
    first, _ = action_target.handle(request("Create"), securityhub)
    second, _ = action_target.handle(request("Create", "RemediateDev"), securityhub)
    assert first != second
    action_target.handle(request("Delete", physical_id=second), securityhub)
    assert targets(securityhub) == {first: "Remediate"}


class Answers:
    """Captures what the handler PUTs to CloudFormation's response URL."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def urlopen(self, req: Any, timeout: float) -> Any:
        assert req.get_method() == "PUT" and req.full_url.startswith("https://")
        self.bodies.append(json.loads(req.data))
        return _Response()


class _Response:
    status = 200

    def __enter__(self) -> _Response:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class Context:
    log_stream_name = "2026/11/30/[$LATEST]0123"


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch, aws: None) -> Answers:
    captured = Answers()
    monkeypatch.setattr(urllib.request, "urlopen", captured.urlopen)  # the module action_target calls
    return captured


def test_handler_answers_success_with_the_arn(answers: Answers) -> None:
    action_target.handler(request("Create"), Context())
    (body,) = answers.bodies
    assert (body["Status"], body["PhysicalResourceId"], body["Data"]) == ("SUCCESS", ARN, {"Arn": ARN})
    assert (body["RequestId"], body["LogicalResourceId"]) == ("request-1", "ActionTarget")


def test_handler_answers_failure_instead_of_leaving_the_stack_waiting(answers: Answers) -> None:
    action_target.handler(request("Create", "not valid!"), Context())
    (body,) = answers.bodies
    assert body["Status"] == "FAILED"
    assert body["PhysicalResourceId"] == Context.log_stream_name
    assert "InvalidInputException" in body["Reason"]


def test_the_template_inlines_this_handler_and_grants_exactly_its_calls() -> None:
    from localaws.sam_routes import transformed_template

    resources = transformed_template()["Resources"]
    function = resources["ActionTargetFunction"]["Properties"]
    source = action_target.__file__
    assert function["Handler"] == "index.handler"
    with open(source, encoding="utf-8") as file:
        assert function["Code"]["ZipFile"] == file.read()
    statements = resources["ActionTargetRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    granted = {action for statement in statements for action in statement["Action"]}
    assert granted == {*action_target.PERMISSIONS, "logs:CreateLogStream", "logs:PutLogEvents"}
    target = resources["ActionTarget"]["Properties"]
    assert target["Id"] == {"Ref": "ActionTargetId"} and target["Name"] == {"Ref": "ActionTargetId"}
    assert transformed_template()["Parameters"]["ActionTargetId"]["AllowedPattern"] == "^[A-Za-z0-9]{1,20}$"
