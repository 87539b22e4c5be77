"""Run one remediation for one decided finding: read, plan, and apply unless dry-run or compliant.

A fix waiting for a person (`Decision.waiting`) is planned like a dry run: the note says what
it would change, and nothing is written. An approved fix (`Decision.approved`) is applied only
while the resource reads with the digest the person approved; otherwise it waits again
(engine/approvals.py).

AWS errors are turned into a FAILED outcome that keeps the error code, so the note says
exactly what AWS refused and the caller can tell a transient fault from a permanent one.
With a `Journal` (a state table is configured), the undo record is written before the first
call and after each step, so what was changed is known even when a later call fails.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from engine.approvals import state_digest
from engine.blast_radius import LIMIT_CODE, Held
from engine.clients import ClientFactory
from engine.decide import Decision
from engine.read_ahead import read_state
from model.errors import RemediationError, RemediationFailedError, StateStoreError
from model.finding import Finding, Resource
from model.outcome import Outcome, Plan, Status
from remediations.base import Remediation, State
from remediations.destinations import DestinationNeededError, resolve

if TYPE_CHECKING:
    from engine.journal import Journal


def remediate(
    finding: Finding,
    decision: Decision,
    clients: ClientFactory,
    journal: Journal | None = None,
    gate: Callable[[], Held | None] | None = None,
) -> Outcome:
    """Raises `StateStoreError` when the journal cannot be written: then nothing more was changed.

    `gate`: the blast-radius limit (`engine.blast_radius.Gate`), asked once a change is due,
    just before the first write; a `Held` answer holds the finding and nothing is written.
    """
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
            client = remediation.client_from(
                partial(clients.client, account_id=resource.account_id, region=resource.region)
            )
            state = read_state(remediation, resource, client, parameters, journal)
        plan = plan_with_destinations(remediation, state, parameters, clients, resource)
        if plan.compliant:
            return outcome(status=Status.ALREADY_COMPLIANT, earlier=journal.earlier() if journal else "")
        if decision.dry_run:
            status = Status.WAITING if decision.waiting else Status.PLANNED
            return outcome(
                status=status, changes=plan.changes, calls=plan.calls, reason=decision.waiting, before=state
            )
        if decision.approved and state_digest(state) != decision.approved:
            return outcome(
                status=Status.WAITING,
                changes=plan.changes,
                calls=plan.calls,
                reason=f"rule {decision.rule.id} needs an approval",
                before=state,
                dry_run=True,
            )
        if gate and (held := gate()):
            return outcome(status=Status.HELD, reason=held.reason, error_code=LIMIT_CODE, quiet=held.quiet)
        if journal:
            journal.intent(state, plan)
        applied = 0

        def done(count: int) -> None:
            nonlocal applied
            applied = count
            if journal:
                journal.step(count)

        try:
            with aws_errors("apply"):
                remediation.apply(client, plan, done)
        except RemediationFailedError as error:
            if not applied:
                raise
            made = ", ".join(call.method for call in plan.calls[:applied])
            return outcome(
                status=Status.FAILED,
                reason=f"{error} (after {applied} of {len(plan.calls)} calls succeeded: {made})",
                error_code=error.error_code,
                retryable=error.transient,
                calls=plan.calls[:applied],
                before=state,
                after=read_back(remediation, client, decision),
            )
        return outcome(
            status=Status.REMEDIATED, changes=plan.changes, calls=plan.calls, before=state, after=plan.after
        )
    except StateStoreError:
        raise
    except RemediationFailedError as error:
        return outcome(
            status=Status.FAILED, reason=str(error), error_code=error.error_code, retryable=error.transient
        )
    except RemediationError as error:
        return outcome(status=Status.FAILED, reason=str(error), error_code=error.code)


def plan_with_destinations(
    remediation: Remediation, state: State, parameters: Any, clients: ClientFactory, resource: Resource
) -> Plan:
    """The plan; where it needs a destination the rule does not name, read them all and plan again.

    A compliant resource plans without its destinations, so it costs no read; otherwise one
    GetParameters call in the resource's account and Region (remediations/destinations.py).
    """
    try:
        return remediation.plan(state, parameters)
    except DestinationNeededError:
        with aws_errors("destinations"):
            ssm = clients.client("ssm", resource.account_id, resource.region)
            found = resolve(
                ssm,
                remediation.destinations,
                parameters,
                account=resource.account_id,
                region=resource.region,
            )
        return remediation.plan(state, found)


def look_up(finding: Finding, decision: Decision, clients: ClientFactory) -> Decision | Outcome:
    """The decision with its resource named as the API takes it, where the producer named it otherwise.

    AWS Config names some resources by an id no API call takes (an RDS instance by its `db-…`
    resource id): one read call finds the name and the canonical ARN, which the tag check, the
    claim and the fix then use. A resource AWS cannot find, or a refused call, fails the finding.
    """
    remediation, resource = decision.rule.remediation, decision.resource
    try:
        with aws_errors("lookup"):
            client = remediation.client_from(
                partial(clients.client, account_id=resource.account_id, region=resource.region)
            )
            named = remediation.identity.look_up(client, resource)
    except RemediationFailedError as error:
        return Outcome(
            finding=finding,
            status=Status.FAILED,
            rule_id=decision.rule.id,
            remediation=remediation.name,
            reason=str(error),
            error_code=error.error_code,
            retryable=error.transient,
        )
    return decision._replace(resource=named)


def read_back(remediation: Remediation, client: Any, decision: Decision) -> Any:
    """The state a half-applied plan left, so its undo record says where the resource stands."""
    try:
        with aws_errors("read"):
            return remediation.read(client, decision.resource, decision.parameters)
    except RemediationFailedError:
        return None  # unknown: `remediator undo` then needs --force, and says so


def aws_errors(step: str) -> AwsErrors:
    """Translate botocore errors raised by a remediation step into `RemediationFailedError`.

    A response botocore cannot parse (`ResponseParserError`, which is no `BotoCoreError`) is a
    failed call too: it fails this finding alone, never the event and the findings beside it.
    """
    return AwsErrors(step)


class AwsErrors:
    """`aws_errors` as a class: every finding enters one, and a `@contextmanager` generator costs
    three times as much to enter and leave (~1.5 µs of the engine's overhead per finding)."""

    __slots__ = ("step",)

    def __init__(self, step: str) -> None:
        self.step = step

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: Any) -> None:
        if isinstance(error, ResponseParserError):
            raise RemediationFailedError(
                str(error), error_code="ResponseParserError", operation=self.step
            ) from error
        if isinstance(error, ClientError):
            details = error.response.get("Error", {})
            raise RemediationFailedError(
                details.get("Message", str(error)),
                error_code=details.get("Code", "Unknown"),
                operation=error.operation_name,
            ) from error
        if isinstance(error, BotoCoreError):
            raise RemediationFailedError(
                str(error), error_code=type(error).__name__, operation=self.step
            ) from error
