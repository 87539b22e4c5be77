"""Run one remediation for one finding: read, plan, and apply unless dry-run or compliant.

AWS errors are turned into a FAILED outcome that keeps the error code, so the note says
exactly what AWS refused and the caller can tell a transient fault from a permanent one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from botocore.exceptions import BotoCoreError, ClientError

from engine.clients import ClientFactory
from model.errors import RemediationError, RemediationFailedError
from model.finding import Finding, Resource
from model.outcome import Outcome, Plan, Status
from rules.registry import Rule


def target_resource(finding: Finding, rule: Rule) -> Resource | None:
    """The first resource of the finding that the rule's remediation acts on."""
    types = rule.remediation.resource_types
    return next((resource for resource in finding.resources if resource.type in types), None)


def read_and_plan(finding: Finding, rule: Rule, clients: ClientFactory) -> tuple[Resource, Plan]:
    """State read from AWS and the plan computed from it; raises on AWS errors."""
    resource = target_resource(finding, rule)
    if resource is None:
        types = ", ".join(sorted({r.type for r in finding.resources}))
        raise RemediationFailedError(
            f"{rule.remediation.name} acts on {', '.join(sorted(rule.remediation.resource_types))}, "
            f"the finding names {types}",
            error_code="UnsupportedResource",
        )
    remediation = rule.remediation
    client = clients.client(remediation.service, resource.account_id, resource.region)
    with _aws_errors("read"):
        state = remediation.read(client, resource, rule.parameters)
    return resource, remediation.plan(state, rule.parameters)


def remediate(finding: Finding, rule: Rule, clients: ClientFactory, *, dry_run: bool) -> Outcome:
    outcome = partial(Outcome, finding=finding, rule_id=rule.id, remediation=rule.remediation.name)
    try:
        resource, plan = read_and_plan(finding, rule, clients)
        if plan.compliant:
            return outcome(status=Status.ALREADY_COMPLIANT)
        if dry_run or rule.dry_run:
            return outcome(status=Status.PLANNED, changes=plan.changes)
        client = clients.client(rule.remediation.service, resource.account_id, resource.region)
        with _aws_errors("apply"):
            rule.remediation.apply(client, resource, plan)
        return outcome(status=Status.REMEDIATED, changes=plan.changes, undo=plan.undo, request=plan.request)
    except RemediationFailedError as error:
        return outcome(
            status=Status.FAILED, reason=str(error), error_code=error.error_code, retryable=error.transient
        )
    except RemediationError as error:
        return outcome(status=Status.FAILED, reason=str(error), error_code=error.code)


@contextmanager
def _aws_errors(step: str) -> Iterator[None]:
    """Translate botocore errors raised by a remediation step into `RemediationFailedError`."""
    try:
        yield
    except ClientError as error:
        details = error.response.get("Error", {})
        raise RemediationFailedError(
            details.get("Message", str(error)),
            error_code=details.get("Code", "Unknown"),
            operation=error.operation_name,
        ) from error
    except BotoCoreError as error:
        raise RemediationFailedError(str(error), error_code=type(error).__name__, operation=step) from error
