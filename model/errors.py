"""One error hierarchy for the whole engine.

Callers catch by class, never by message; each class names one kind of failure, and
`RemediationFailedError` keeps the AWS error code so that retries and notes can tell a
throttle from a permanent refusal.
"""

from __future__ import annotations

#: AWS error codes that are worth retrying: the call may succeed unchanged a moment later.
TRANSIENT_ERROR_CODES = frozenset(
    {
        "Throttling",
        "Throttled",  # SNS
        "KMSThrottling",  # SNS and SQS, when KMS throttles them
        "KMSThrottlingException",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "RequestThrottled",
        "SlowDown",
        "ServiceUnavailable",
        "InternalError",
        "InternalFailure",
        "ConcurrentUpdateError",
        "RequestTimeout",
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "DeadlineExceededError",  # engine.deadline: not started, the invocation's time was short
    }
)


class RemediationError(Exception):
    """Base of every error this project raises on purpose: engine, CLI and deployment tooling."""

    #: what notes, reports and metrics show as the error code when AWS gave none
    code = ""


class InvalidEventError(RemediationError):
    """An event or a finding inside it does not have the documented shape.

    `path` names the offending field (for example ``detail.findings[2].Resources``), so the
    message tells an operator exactly what to fix in the producer or the sample event.
    """

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class SchemaViolationError(RemediationError):
    """A value does not satisfy its JSON Schema; `path` is the dotted path of the bad field.

    Callers turn it into the error of their layer (`InvalidEventError`, `RegistryError`).
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


class RegistryError(RemediationError):
    """The rule registry or a remediation declaration is broken; raised at load time."""


class ParameterError(RemediationError):
    """A rule's parameters do not satisfy its remediation's schema."""

    code = "InvalidParameter"


class UnsupportedResourceError(RemediationError):
    """The finding names a resource the matched remediation cannot act on."""

    code = "UnsupportedResource"


class ActionNotAllowedError(RemediationError):
    """What is left to fix is something the rule's parameters do not allow (an unused password
    the rule does not delete): left for a person, and the finding says why."""

    code = "NotAllowedByRule"


class NeedsReviewError(RemediationError):
    """The resource holds something the remediation cannot judge safely: a person must look.

    Nothing is changed; the message names what to look at (a policy statement's Sid, say).
    """

    code = "NeedsReview"


class RemediationFailedError(RemediationError):
    """AWS refused or failed a call made while reading or fixing a resource."""

    def __init__(self, message: str, *, error_code: str = "", operation: str = "") -> None:
        super().__init__(f"{operation}: {error_code}: {message}" if operation else message)
        self.error_code = error_code
        self.operation = operation

    @property
    def transient(self) -> bool:
        """True when retrying later may succeed (throttling, AWS-side faults)."""
        return self.error_code in TRANSIENT_ERROR_CODES


class StateStoreError(RemediationError):
    """The state table refused a write the engine must make before going on (claim, undo record).

    Always transient for the finding: nothing more is changed, and the event is retried.
    """

    code = "StateTable"


class ResolveFailedError(RemediationError):
    """Security Hub or Config did not accept the update that records an outcome."""


class RetryLaterError(RemediationError):
    """Some findings hit a transient fault; raised after everything else was recorded.

    Raising makes Lambda retry the event (and, once retries run out, send it to the
    dead-letter destination with every finding it held); `report` is what was done.
    """

    def __init__(self, message: str, *, report: dict[str, object]) -> None:
        super().__init__(message)
        self.report = report


class RevertConflictError(RemediationError):
    """The resource no longer reads as the engine left it: someone changed it since.

    A revert then refuses, unless forced, rather than overwrite a change it did not make.
    """

    code = "RevertConflict"
