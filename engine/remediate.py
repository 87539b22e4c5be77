"""Run one remediation for one decided finding: read, plan, and apply unless dry-run or compliant.

AWS errors are turned into a FAILED outcome that keeps the error code, so the note says
exactly what AWS refused and the caller can tell a transient fault from a permanent one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from engine.clients import ClientFactory
from engine.decide import Decision
from model.errors import RemediationError, RemediationFailedError
from model.finding import Finding
from model.outcome import Outcome, Status


def remediate(finding: Finding, decision: Decision, clients: ClientFactory) -> Outcome:
    remediation, resource, parameters = decision.rule.remediation, decision.resource, decision.parameters
    outcome = partial(
        Outcome,
        finding=finding,
        rule_id=decision.rule.id,
        remediation=remediation.name,
        dry_run=decision.dry_run,
    )
    try:
        with aws_errors("read"):  # making the client can fail too (a Region botocore does not know)
            client = clients.client(remediation.service, resource.account_id, resource.region)
            state = remediation.read(client, resource, parameters)
        plan = remediation.plan(state, parameters)
        if plan.compliant:
            return outcome(status=Status.ALREADY_COMPLIANT)
        if decision.dry_run:
            return outcome(status=Status.PLANNED, changes=plan.changes, calls=plan.calls)
        with aws_errors("apply"):
            remediation.apply(client, plan)
        return outcome(
            status=Status.REMEDIATED, changes=plan.changes, calls=plan.calls, before=state, after=plan.after
        )
    except RemediationFailedError as error:
        return outcome(
            status=Status.FAILED, reason=str(error), error_code=error.error_code, retryable=error.transient
        )
    except RemediationError as error:
        return outcome(status=Status.FAILED, reason=str(error), error_code=error.code)


@contextmanager
def aws_errors(step: str) -> Iterator[None]:
    """Translate botocore errors raised by a remediation step into `RemediationFailedError`.

    A response botocore cannot parse (`ResponseParserError`, which is no `BotoCoreError`) is a
    failed call too: it fails this finding alone, never the event and the findings beside it.
    """
    try:
        yield
    except ResponseParserError as error:
        raise RemediationFailedError(str(error), error_code="ResponseParserError", operation=step) from error
    except ClientError as error:
        details = error.response.get("Error", {})
        raise RemediationFailedError(
            details.get("Message", str(error)),
            error_code=details.get("Code", "Unknown"),
            operation=error.operation_name,
        ) from error
    except BotoCoreError as error:
        raise RemediationFailedError(str(error), error_code=type(error).__name__, operation=step) from error
