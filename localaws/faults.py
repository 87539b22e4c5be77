"""Inject AWS faults into a boto3 session through botocore's event hooks.

`before-call` faults short-circuit the call (botocore does not retry them: they model what is
left after botocore's own retries gave up); `before-send` faults replace one HTTP attempt,
so botocore's retry handler sees them and retries with backoff, as it would in AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse, HTTPHeaders

#: (operation "service.Operation", serialised request dict) -> error code to fail with, or None
Decider = Callable[[str, dict[str, Any]], str | None]

STATUS = {"AccessDenied": 403, "Throttling": 400, "ThrottlingException": 400, "SlowDown": 503}


@dataclass
class CallFaults:
    decide: Decider
    injected: list[tuple[str, str]] = field(default_factory=list)

    def __call__(
        self, model: Any, params: dict[str, Any], **_: Any
    ) -> tuple[AWSResponse, dict[str, Any]] | None:
        operation = f"{model.service_model.service_name}.{model.name}"
        code = self.decide(operation, params)
        if code is None:
            return None
        self.injected.append((operation, code))
        status = STATUS.get(code, 400)
        parsed = {
            "Error": {"Code": code, "Message": f"injected {code}"},
            "ResponseMetadata": {"HTTPStatusCode": status, "RetryAttempts": 0},
        }
        return http_response("https://injected.invalid", status), parsed


def inject_call_faults(session: boto3.Session, decide: Decider) -> CallFaults:
    faults = CallFaults(decide)
    session.events.register("before-call.*.*", faults)  # type: ignore[arg-type]  # a response short-circuits
    return faults


@dataclass
class SendFaults:
    """Fail the first `times` HTTP attempts with an S3-style XML error.

    Register it for one operation: `before-send.s3.GetBucketEncryption`.
    """

    code: str
    times: int
    attempts: int = 0

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        self.attempts += 1
        if self.attempts > self.times:
            return None
        body = f"<Error><Code>{self.code}</Code><Message>injected</Message></Error>".encode()
        return http_response(request.url, STATUS.get(self.code, 503), body)


def http_response(url: str, status: int, body: bytes = b"") -> AWSResponse:
    """A raw HTTP response for a `before-send` or `before-call` hook to return instead of AWS's."""
    return AWSResponse(url, status, HTTPHeaders(), _Raw(body))


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body
