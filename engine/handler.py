"""Lambda entry point: parse, dispatch, report; everything else lives in `engine.process`.

Cold start is kept low on purpose: logs and EMF metrics are written in Powertools' format by
`engine.telemetry` (importing Powertools' own cost ~7 % of a bare `import boto3`), clients
are made by botocore alone (boto3 is never imported: ~10 % of a bare `import boto3` process) on
first use by `ClientFactory` and reused across invocations, no dataclass is created at import
(each costs ~1 ms of `exec`), and
`Tracer` (which imports the X-Ray SDK) is loaded from the Powertools layer only when the
function's tracing is on.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from engine.accounts import AccountFactsReader
from engine.approvals import Approvals, ApprovalStore
from engine.blast_radius import LIMIT_CODE, BlastRadius
from engine.clients import ClientFactory
from engine.exceptions import ExemptionStore
from engine.exclusions import tagging_api_reader
from engine.process import Engine, ModeOf
from engine.resolve import UpdateFailure
from engine.settings import METRIC_FINDINGS, METRIC_LIMIT_HOLDS, METRIC_UNRECORDED, Settings
from engine.table import table_client
from engine.telemetry import JsonLogger, emit_metric
from model.outcome import Outcome, Status
from remediations import catalog
from rules.modes import Environments, load_environments
from rules.registry import Registry, load_registry

if TYPE_CHECKING:
    from engine.state import StateStore

logger = JsonLogger(service="sechub-remediator")
_engine: Engine | None = None


def build_engine(settings: Settings | None = None, clients: ClientFactory | None = None) -> Engine:
    """An engine wired the way the deployed function is; the CLI and tests reuse it."""
    settings = settings or Settings.from_env()
    clients = clients or ClientFactory(
        member_role_name=settings.member_role_name, home_account_id=settings.home_account_id
    )
    # Only this function's families are imported; the other rules are indexed unloaded.
    registry = load_registry(catalog=catalog(settings.families))
    return Engine(
        registry=registry,
        clients=clients,
        settings=settings,
        on_outcome=partial(record_outcome, namespace=settings.metrics_namespace),
        on_finding=lambda finding: logger.append_keys(finding_id=finding.key),
        on_update_failure=partial(record_update_failure, namespace=settings.metrics_namespace),
        state=state_store(settings, clients),
        limits=blast_radius(settings, clients),
        exemptions=ExemptionStore(table_client(clients), settings.state_table)
        if settings.state_table
        else None,
        read_tags=tagging_api_reader(partial(clients.client, "resourcegroupstaggingapi"))
        if settings.exclusion_tag
        else None,
        modes=modes_per_environment(load_environments(rule_ids=rule_ids(registry)), settings, clients),
        approvals=Approvals(
            ApprovalStore(table_client(clients), settings.state_table),
            days=settings.approval_days,
            action_id=settings.approve_action_id,
        )
        if settings.state_table
        else None,
    )


def rule_ids(registry: Registry) -> frozenset[str]:
    return frozenset({rule.id for rule in registry.rules} | {rule.id for rule in registry.unloaded})


def modes_per_environment(
    environments: Environments, settings: Settings, clients: ClientFactory
) -> ModeOf | None:
    """Each rule's mode per account (rules/environments.json); None when the file sets none.

    Tags and OUs are read with the stack's own role, in its Region (Organizations is global).
    """
    if not environments.environments:
        return None
    facts = (
        AccountFactsReader(lambda: clients.home_client("organizations", clients.home_region))
        if environments.needs_organizations
        else None
    )
    return partial(environments.mode_for, facts=facts, approval_mode=settings.approval_mode)


def state_store(settings: Settings, clients: ClientFactory) -> StateStore | None:
    """The stack's state table in the function's own region, when one is configured."""
    if not settings.state_table:
        return None
    from engine.state import StateStore  # not imported by a function without a state table

    return StateStore(
        table_client(clients),
        settings.state_table,
        record_days=settings.record_days,
    )


def blast_radius(settings: Settings, clients: ClientFactory) -> BlastRadius | None:
    """The blast-radius limit, counted in the state table, when one is configured."""
    if not settings.state_table:
        return None
    return BlastRadius(
        table_client(clients),
        settings.state_table,
        per_control=settings.control_changes_per_hour,
        per_account=settings.account_changes_per_hour,
    )


def record_outcome(outcome: Outcome, namespace: str) -> None:
    """Log the outcome with the finding id, and count it per rule, remediation and outcome."""
    finding = outcome.finding
    log = logger.error if outcome.status is Status.FAILED else logger.info
    log(
        f"{outcome.status.value}: {outcome.reason or '; '.join(c.describe() for c in outcome.changes)}",
        extra={
            "finding_id": finding.key,
            "account": finding.account_id,
            "region": finding.region,
            **outcome.report(),
        },
    )
    count_outcome(outcome, namespace)


def count_outcome(outcome: Outcome, namespace: str) -> None:
    """The finding's EMF line: `Findings` by Outcome, Rule, Remediation (the stack's dashboard draws it),
    and `BlastRadiusHolds` by Rule for a finding the limit held.

    Flushed at once: no metric state is carried between invocations.
    """
    rule = outcome.rule_id or "none"
    emit_metric(
        METRIC_FINDINGS,
        1,
        namespace,
        {"Outcome": outcome.status.value, "Rule": rule, "Remediation": outcome.remediation or "none"},
    )
    if outcome.error_code == LIMIT_CODE:
        emit_metric(METRIC_LIMIT_HOLDS, 1, namespace, {"Rule": rule})


def record_update_failure(failure: UpdateFailure, namespace: str) -> None:
    """Security Hub did not record outcomes: an error in the logs and a metric the stack alarms on."""
    logger.error(
        f"outcome not recorded on the finding: {failure.text}",
        extra={"unrecorded_findings": failure.findings, "retried": failure.retry},
    )
    emit_metric(METRIC_UNRECORDED, failure.findings, namespace)


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = build_engine()
    return _engine


def _handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    engine = get_engine()
    handle = engine.handle
    if engine.settings.tracing:  # import the X-Ray SDK only when the function traces
        from aws_lambda_powertools import Tracer

        handle = Tracer(service="sechub-remediator").capture_method(handle)
    # Every AWS call is held to what is left of this invocation (engine.deadline).
    return handle(event, getattr(context, "get_remaining_time_in_millis", None))


#: clear_state: keys appended during one invocation (`finding_id`) never reach the next one's logs.
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return _handle(event, context)
