"""Security Hub custom actions (action targets) for moto 5.x, which has none of these calls.

The engine's "remediate this finding" button is a custom action; its ARN is what the
``Security Hub Findings - Custom Action`` EventBridge rule matches. The double follows the API
reference (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_CreateActionTarget.html)
and the botocore model routes:

* ``CreateActionTarget`` ``POST /actionTargets``: Name 1..20 characters, Id 1..20 alphanumerics,
  Description non-empty (else ``InvalidInputException``); Id already used in this account/Region
  -> ``ResourceConflictException`` (409); more than 50 -> ``LimitExceededException`` (hard quota).
  Returns ``arn:<partition>:securityhub:<region>:<account>:action/custom/<Id>``.
* ``DescribeActionTargets`` ``POST /actionTargets/get``: all targets, or those in
  ``ActionTargetArns`` (unknown ARNs are skipped; AWS's behaviour there is not documented).
* ``UpdateActionTarget`` ``PATCH`` and ``DeleteActionTarget`` ``DELETE /actionTargets/{ActionTargetArn+}``:
  unknown ARN -> ``ResourceNotFoundException`` (404).

Targets live per account/Region on the moto backend, so ``moto``'s reset clears them.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote

from moto.securityhub.models import SecurityHubBackend
from moto.utilities.paginator import paginate

from localaws.doubles.securityhub_errors import (
    InvalidInputError,
    LimitExceededError,
    ResourceConflictError,
    ResourceNotFoundError,
    json_object_body,
)

if TYPE_CHECKING:
    from moto.securityhub.responses import SecurityHubResponse
    from mypy_boto3_securityhub.type_defs import ActionTargetTypeDef

ACTION_TARGET_ID = re.compile(r"[A-Za-z0-9]{1,20}")
MAX_NAME_CHARS = 20
MAX_ACTION_TARGETS = 50
PAGINATION_MODEL = {
    "describe_action_targets": {
        "input_token": "next_token",
        "limit_key": "max_results",
        "limit_default": 100,
        "unique_attribute": "ActionTargetArn",
        "fail_on_invalid_token": True,
    }
}
_PATH_PREFIX = "/actionTargets/"


def action_targets(backend: SecurityHubBackend) -> dict[str, ActionTargetTypeDef]:
    """The backend's targets by ARN, created on first use (backends built before install lack it)."""
    return cast("dict[str, ActionTargetTypeDef]", backend.__dict__.setdefault("action_targets", {}))


def _check_name(name: object) -> str:
    if not (isinstance(name, str) and name.strip() and len(name) <= MAX_NAME_CHARS):
        raise InvalidInputError(f"Name must be 1-{MAX_NAME_CHARS} characters")
    return name


def _check_description(description: object) -> str:
    if not (isinstance(description, str) and description.strip()):
        raise InvalidInputError("Description is required")
    return description


def create_action_target(
    backend: SecurityHubBackend, name: object, description: object, target_id: object
) -> str:
    """Create a custom action in the backend's account/Region and return its ARN."""
    checked: ActionTargetTypeDef = {
        "ActionTargetArn": "",
        "Name": _check_name(name),
        "Description": _check_description(description),
    }
    if not (isinstance(target_id, str) and ACTION_TARGET_ID.fullmatch(target_id)):
        raise InvalidInputError("Id must be 1-20 alphanumeric characters")
    arn = f"arn:{backend.partition}:securityhub:{backend.region_name}:{backend.account_id}"
    arn += f":action/custom/{target_id}"
    targets = action_targets(backend)
    if arn in targets:
        raise ResourceConflictError(f"An action target with Id {target_id} already exists")
    if len(targets) >= MAX_ACTION_TARGETS:
        raise LimitExceededError(f"At most {MAX_ACTION_TARGETS} action targets per account and Region")
    targets[arn] = {**checked, "ActionTargetArn": arn}
    return arn


@paginate(pagination_model=PAGINATION_MODEL)
def describe_action_targets(
    backend: SecurityHubBackend, action_target_arns: list[str] | None = None
) -> list[ActionTargetTypeDef]:
    """Targets in creation order, optionally only those named; paginated by moto's ``@paginate``."""
    targets = action_targets(backend)
    if action_target_arns is None:
        return list(targets.values())
    return [targets[arn] for arn in action_target_arns if arn in targets]


def _existing(backend: SecurityHubBackend, arn: str) -> ActionTargetTypeDef:
    target = action_targets(backend).get(arn)
    if target is None:
        raise ResourceNotFoundError(f"Action target {arn} not found")
    return target


def update_action_target(backend: SecurityHubBackend, arn: str, name: object, description: object) -> None:
    """Change Name and/or Description (each optional, validated as on create)."""
    target = _existing(backend, arn)
    if name is not None:
        target["Name"] = _check_name(name)
    if description is not None:
        target["Description"] = _check_description(description)


def delete_action_target(backend: SecurityHubBackend, arn: str) -> str:
    """Delete the target and return its ARN, as the API does."""
    _existing(backend, arn)
    del action_targets(backend)[arn]
    return arn


def _arn_from_path(response: SecurityHubResponse) -> str:
    """The greedy ``{ActionTargetArn+}`` label; botocore percent-encodes its colons."""
    return unquote(response.path.split(_PATH_PREFIX, 1)[1])


def respond_create_action_target(response: SecurityHubResponse) -> str:
    body = json_object_body(response.body)
    arn = create_action_target(
        response.securityhub_backend, body.get("Name"), body.get("Description"), body.get("Id")
    )
    return json.dumps({"ActionTargetArn": arn})


def respond_describe_action_targets(response: SecurityHubResponse) -> str:
    body = json_object_body(response.body)
    arns = body.get("ActionTargetArns")
    if arns is not None and not (isinstance(arns, list) and all(isinstance(a, str) for a in arns)):
        raise InvalidInputError("ActionTargetArns must be a list of ARNs")
    targets, next_token = describe_action_targets(
        response.securityhub_backend,
        action_target_arns=arns,
        max_results=body.get("MaxResults"),
        next_token=body.get("NextToken"),
    )
    page: dict[str, Any] = {"ActionTargets": targets}
    if next_token:
        page["NextToken"] = next_token
    return json.dumps(page)


def respond_update_action_target(response: SecurityHubResponse) -> str:
    body = json_object_body(response.body)
    update_action_target(
        response.securityhub_backend, _arn_from_path(response), body.get("Name"), body.get("Description")
    )
    return "{}"


def respond_delete_action_target(response: SecurityHubResponse) -> str:
    arn = delete_action_target(response.securityhub_backend, _arn_from_path(response))
    return json.dumps({"ActionTargetArn": arn})
