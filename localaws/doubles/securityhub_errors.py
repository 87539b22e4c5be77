"""Security Hub errors of the moto double, named after the botocore model's error shapes.

moto serialises a ``ServiceException`` through the botocore service model, so the HTTP status
comes from the shape's ``error.httpStatusCode`` (400, 404, 409, 429 below) exactly as AWS sends
it, and ``ClientError.response["Error"]["Code"]`` is the shape name. The class names end in
``Error`` (house style); the wire code is the ``code`` attribute. :func:`json_object_body` turns a
malformed request body into the same 400 AWS would send.
"""

from __future__ import annotations

import json
from typing import Any

from moto.securityhub.exceptions import SecurityHubClientError


class InvalidInputError(SecurityHubClientError):
    """``InvalidInputException`` (HTTP 400): the request breaks a documented limit or enum."""

    code = "InvalidInputException"


class ValidationError(SecurityHubClientError):
    """``ValidationException`` (HTTP 400): the V2 (OCSF) APIs' name for a request that breaks a limit."""

    code = "ValidationException"


class ResourceConflictError(SecurityHubClientError):
    """``ResourceConflictException`` (HTTP 409): e.g. an action target Id already in use."""

    code = "ResourceConflictException"


class ResourceNotFoundError(SecurityHubClientError):
    """``ResourceNotFoundException`` (HTTP 404): e.g. deleting an unknown action target."""

    code = "ResourceNotFoundException"


class LimitExceededError(SecurityHubClientError):
    """``LimitExceededException`` (HTTP 429): e.g. more than 50 action targets per Region."""

    code = "LimitExceededException"


def json_object_body(
    body: str | bytes | None, error: type[SecurityHubClientError] = InvalidInputError
) -> dict[str, Any]:
    """The request's JSON object (``{}`` when empty); anything else is the client's fault (400),
    raised as ``error`` (the V1 APIs' ``InvalidInputException``, V2's ``ValidationException``)."""
    if not body:
        return {}
    try:
        parsed = json.loads(body)
    except ValueError as problem:
        raise error(f"Request body is not JSON: {problem}") from problem
    if not isinstance(parsed, dict):
        raise error("Request body must be a JSON object")
    return parsed
