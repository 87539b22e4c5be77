"""The engine proper: one event in, one outcome per finding out, every finding recorded.

The handler only builds this object once per execution environment and calls `handle`;
tests, the CLI and the demo call the same method, so they all exercise the deployed path.
The path of a finding reads top to bottom: parse → is it ours (family) → `decide` (pure: is it
Security Hub's own, may we act, on what, with which parameters, dry-run or not) → is the Config
rule AWS's → the resource's name, where the producer gave another id (`Identity.lookups`) →
exceptions and live tags (`engine.exclusions`) → claim the resource (idempotency) → has it
flapped (breaker) → `remediate`, taking a blast-radius slot just before its first write
(`engine.blast_radius`) and writing the undo record ahead of each change (`engine.journal`) →
release → resolve. Every AWS call is held to the invocation's time budget (`engine.deadline`).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import suppress
from functools import partial
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from engine.approvals import Approvals
from engine.blast_radius import BlastRadius, Gate
from engine.clients import ClientFactory
from engine.deadline import Deadline, DeadlineExceededError
from engine.decide import Decision, Skip, decide, finding_not_actionable
from engine.exceptions import ExemptionReadError, ExemptionStore
from engine.exclusions import TagReader, excluded
from engine.parse import ParsedEvent, parse_event
from engine.read_ahead import plan_read_ahead, reading_ahead
from engine.remediate import aws_errors, look_up, remediate
from engine.resolve import UpdateFailure, plan_updates, reevaluate_config_rules, send_updates
from engine.settings import ENV_FAMILIES, Settings
from engine.table import item_key
from engine.tag_readers import tag_reader_for
from engine.trust import OwnerReader, config_rule_owner_reader, untrusted_config_rule
from model.errors import InvalidEventError, RemediationFailedError, RetryLaterError, StateStoreError
from model.finding import Finding, FindingSource
from model.outcome import ApiCall, Outcome, Status
from rules.modes import EffectiveMode
from rules.registry import Registry, Rule, UnloadedRule

if TYPE_CHECKING:  # imported where used: a cold start with no claim or notice to make skips them
    from engine.journal import Journal
    from engine.state import StateStore

#: The error code of a finding whose rule belongs to a family this function did not load.
OTHER_FAMILY = "OtherFamilyRule"
#: Called once per finding with its outcome (the handler logs it and emits a metric).
OutcomeListener = Callable[[Outcome], None]
#: Called as the engine starts on a finding (the handler puts its id on every log line).
FindingListener = Callable[[Finding], None]
#: Called when Security Hub did not record outcomes (the handler logs an error, counts a metric).
UpdateFailureListener = Callable[[UpdateFailure], None]
#: A rule's effective mode in an account (rules/modes.py), may read AWS Organizations.
ModeOf = Callable[[Rule, str], EffectiveMode]


class Engine:
    """Turns each event into outcomes, written back to the findings; one per execution environment."""

    def __init__(
        self,
        registry: Registry,
        clients: ClientFactory,
        settings: Settings | None = None,
        *,
        on_outcome: OutcomeListener | None = None,
        on_finding: FindingListener | None = None,
        on_update_failure: UpdateFailureListener | None = None,
        state: StateStore | None = None,
        limits: BlastRadius | None = None,
        read_tags: TagReader | None = None,
        exemptions: ExemptionStore | None = None,
        clock: Callable[[], float] = time.time,
        timer: Callable[[], float] = time.monotonic,
        rule_owner: OwnerReader | None = None,
        modes: ModeOf | None = None,
        approvals: Approvals | None = None,
    ) -> None:
        self.registry = registry
        self.clients = clients
        self.settings = settings if settings is not None else Settings()
        self.on_outcome = on_outcome
        self.on_finding = on_finding
        self.on_update_failure = on_update_failure
        self.state = state
        #: the blast-radius limit, counted in the state table (None: no limit, e.g. no table)
        self.limits = limits
        self.read_tags = read_tags
        #: exceptions recorded by `remediator except` (None: none read, e.g. no table)
        self.exemptions = exemptions
        self.clock = clock
        self.timer = timer  # measures the invocation's time budget
        #: who owns a Config rule; by default DescribeConfigRules in the rule's account, cached
        self.rule_owner = rule_owner
        #: modes per environment (rules/environments.json); None: every rule's registry mode
        self.modes = modes
        #: plans waiting for the "Approve remediation" custom action (needs the state table)
        self.approvals = approvals
        self._owner = rule_owner or config_rule_owner_reader(partial(clients.client, "config"))

    def handle(self, event: Any, remaining_ms: Callable[[], int] | None = None) -> dict[str, Any]:
        """Process every finding of `event`.

        Raises `InvalidEventError` for a malformed envelope (or findings nothing can carry a
        note for), and `RetryLaterError` after recording everything else when some finding hit
        a transient fault, was not reached in time, or had its note refused by Security Hub: the
        event is then retried, and lands in the dead-letter queue when retries run out. Findings
        fixed on the first delivery read as compliant on the next, whose note says what this
        engine changed and when. `remaining_ms`: the invocation's clock (Lambda's context).
        """
        self.clients.deadline.current = (
            Deadline.from_remaining_ms(remaining_ms(), self.timer) if remaining_ms else None
        )
        try:
            return self._handle(event)
        finally:
            self.clients.deadline.current = None

    def _handle(self, event: Any) -> dict[str, Any]:
        parsed = parse_event(event)
        # A custom-action event reaches every function of the stack and each answers for its own
        # family; any other event was routed to this function alone, which answers for all of it.
        shared = parsed.source is FindingSource.CUSTOM_ACTION
        answers_unowned = self.settings.report_unmatched or not shared
        # Where a remediation reads many resources in one call, the batch's are read together.
        with reading_ahead(plan_read_ahead(parsed.findings, self.registry, self.settings)):
            outcomes = [
                outcome for finding in parsed.findings if (outcome := self._within_budget(finding, shared))
            ]
        if answers_unowned:
            outcomes.extend(self._invalid_outcomes(parsed))
        refused = send_updates(plan_updates(outcomes), self.clients, self.settings.note_author)
        for failure in refused:
            if self.on_update_failure:
                self.on_update_failure(failure)
        problems = [failure.text for failure in refused]
        problems += reevaluate_config_rules(outcomes, self.clients)
        problems += self._notify(outcomes)
        report = {
            "event": event.get("id"),
            "detail_type": parsed.detail_type,
            "dry_run": self.settings.dry_run,
            "findings": [outcome.report() for outcome in outcomes],
            "invalid": [str(error) for error in parsed.errors],
            "summary": _count_statuses(outcomes),
            "problems": problems,
        }
        unrecorded = len(parsed.errors) - len(parsed.invalid_identifiers)
        if unrecorded and answers_unowned:  # nothing can carry these: let the DLQ keep them
            raise InvalidEventError(
                "event.detail.findings", f"{unrecorded} finding(s) invalid: {report['invalid']}"
            )
        retry = [o.finding.key for o in outcomes if o.retryable]
        if retry:
            raise RetryLaterError(f"{len(retry)} finding(s) hit a transient fault: {retry}", report=report)
        if unnoted := [failure.text for failure in refused if failure.retry]:
            raise RetryLaterError(f"Security Hub did not record outcomes: {unnoted}", report=report)
        return report

    def _within_budget(self, finding: Finding, shared: bool) -> Outcome | None:
        """Start a finding only with time left to finish it and flush its note; else leave it to the retry."""
        deadline = self.clients.deadline.current
        if deadline is None or deadline.may_work():
            return self.process(finding, shared)
        rule = self.registry.match(finding.lookup_keys)
        if not isinstance(rule, Rule):  # no AWS call to make
            return self.process(finding, shared)
        if shared and not self.owns(rule):
            return None
        return Outcome(
            finding=finding,
            status=Status.FAILED,
            rule_id=rule.id,
            remediation=rule.remediation.name,
            reason=f"not started: {deadline.left():.0f} s of this invocation left; the retry takes it",
            error_code=DeadlineExceededError.__name__,
            retryable=True,
        )

    def process(self, finding: Finding, shared: bool = False) -> Outcome | None:
        """The finding's outcome, or None when another function of the stack owns it.

        `shared`: the event went to every function (custom action), so answer only for findings
        of this function's families, and for unmatched ones if this is the reporting function.
        """
        rule = self.registry.match(finding.lookup_keys)
        if shared and not self.owns(rule):
            return None
        if self.on_finding:
            self.on_finding(finding)
        outcome = self._outcome(finding, rule)
        if self.on_outcome:
            self.on_outcome(outcome)
        return outcome

    def owns(self, rule: Rule | UnloadedRule | None) -> bool:
        """Is this function the one that answers for findings of `rule` (None: no rule)?

        Never for a rule whose family it did not load: that family's function answers.
        """
        if rule is None:
            return self.settings.report_unmatched
        if isinstance(rule, UnloadedRule):
            return False
        return not self.settings.families or rule.family in self.settings.families

    def _outcome(self, finding: Finding, rule: Rule | UnloadedRule | None) -> Outcome:
        if isinstance(rule, UnloadedRule):
            if reason := finding_not_actionable(finding, self.settings.automatic):
                return Outcome(
                    finding=finding,
                    status=Status.SKIPPED,
                    rule_id=rule.id,
                    remediation=rule.remediation_name,
                    reason=reason,
                )
            return self._elsewhere(finding, rule)
        decision = decide(finding, rule, self.settings)
        if isinstance(decision, Decision) and self.modes is not None:
            mode = self._mode(finding, decision.rule)
            if isinstance(mode, Outcome):
                return mode
            decision = decide(finding, rule, self.settings, mode)
        if isinstance(decision, Skip):
            return Outcome(
                finding=finding,
                status=decision.status,
                rule_id=rule.id if rule else None,
                remediation=rule.remediation.name if rule else None,
                reason=decision.reason,
                error_code=decision.error_code,
                safety_skip=decision.safety,
            )
        reason = untrusted_config_rule(finding, self._owner)
        if not reason and decision.rule.remediation.identity.needs_lookup(decision.resource):
            found = look_up(finding, decision, self.clients)
            if isinstance(found, Outcome):
                return found
            decision = found
        if reason:
            return _skip(finding, decision, reason=reason)
        try:
            verdict = excluded(
                decision.resource,
                decision.rule.control or decision.rule.id,
                self.settings.exclusion_tag,
                now=self.clock(),
                # the remediation's own service where it gives the tags, `read_tags` otherwise
                read_tags=tag_reader_for(decision.rule.remediation, self.clients, self.read_tags)
                if self.read_tags
                else None,
                exemptions=self.exemptions,
            )
        except (ClientError, BotoCoreError, ExemptionReadError) as error:
            return _skip(
                finding,
                decision,
                status=Status.FAILED,
                reason=f"state table: exceptions: {error}",
                error_code=StateStoreError.code,
                retryable=True,
                safety_skip=False,
            )
        if verdict.skip:
            return _skip(finding, decision, reason=verdict.skip, remark=verdict.remark)
        if self.approvals and self.approvals.handles(finding, decision):
            result = self.approvals.run(finding, decision, partial(self._act, finding))
        else:
            result = self._act(finding, decision)
        return result._replace(remark=verdict.remark) if verdict.remark else result

    def _act(self, finding: Finding, decision: Decision) -> Outcome:
        if self.state is None or decision.dry_run:
            return remediate(finding, decision, self.clients)
        return self._remediate_once(finding, decision)

    def _mode(self, finding: Finding, rule: Rule) -> EffectiveMode | Outcome:
        """The rule's mode in the finding's account; a failed Organizations read fails the finding."""
        assert self.modes is not None
        try:
            with aws_errors("organizations"):
                return self.modes(rule, finding.account_id)
        except RemediationFailedError as error:
            return Outcome(
                finding=finding,
                status=Status.FAILED,
                rule_id=rule.id,
                remediation=rule.remediation.name,
                reason=f"the mode of rule {rule.id} in account {finding.account_id} needs its tags and OUs: {error}",
                error_code=error.error_code,
                retryable=error.transient,
            )

    def _elsewhere(self, finding: Finding, rule: UnloadedRule) -> Outcome:
        """A finding of another family's rule reached this function alone: never act, say who owns it.

        EventBridge routes a family's findings to its own function, so this is a routing fault
        (a pattern, or a hand-made invocation): the finding is noted as failed, nothing is called.
        """
        loaded = ", ".join(sorted(self.settings.families)) or "none"
        return Outcome(
            finding=finding,
            status=Status.FAILED,
            rule_id=rule.id,
            remediation=rule.remediation_name,
            reason=(
                f"rule {rule.id} is the {rule.family} family's: the {rule.family} function remediates it, "
                f"this function loads only {loaded} ({ENV_FAMILIES}); nothing was changed"
            ),
            error_code=OTHER_FAMILY,
        )

    def _remediate_once(self, finding: Finding, decision: Decision) -> Outcome:
        """Claim the resource, check the flap breaker, remediate with a write-ahead record, release.

        State errors mean retry: nothing more is changed once the record cannot be written, and
        the claim is released when the table lets us (else it lapses after `CLAIM_SECONDS`).
        """
        assert self.state is not None
        from engine.journal import Journal, delivery_of
        from engine.state import recent_changes

        rule, resource = decision.rule, decision.resource
        outcome = partial(Outcome, finding=finding, rule_id=rule.id, remediation=rule.remediation.name)
        window = self.settings.flap_window_hours * 3600
        release = partial(self.state.release, window_seconds=window, keep=self.settings.flap_limit + 1)
        try:
            # A fresh owner per attempt: two deliveries of one event must not share a claim.
            owner = f"{finding.event_id}#{uuid.uuid4().hex}"
            key = item_key(resource, rule.id)
            claim = self.state.claim(key, owner)
        except (ClientError, BotoCoreError) as error:
            return outcome(status=Status.FAILED, reason=f"state table: {error}", retryable=True)
        if claim is None:
            return outcome(
                status=Status.FAILED, reason="another delivery is remediating this resource", retryable=True
            )
        gate = self._gate(finding, decision)
        journal = Journal(
            store=self.state,
            claim=claim,
            finding_key=finding.key,
            remediation=rule.remediation.name,
            rule_id=rule.id,
            resource=resource,
            parameters=dict(decision.parameters),
            clock=self.clock,
            delivery=delivery_of(finding, self.settings.run_by_cli),
            control_id=rule.control or finding.control_id or "",  # consolidated, as `sweep --control`
        )
        try:
            if recent_changes(claim, self.clock(), window) >= self.settings.flap_limit:
                release(claim, changed=False)
                hours = self.settings.flap_window_hours
                return outcome(
                    status=Status.HELD,
                    reason=f"flap breaker: remediated {self.settings.flap_limit} times in {hours} h already",
                )
            result = remediate(finding, decision, self.clients, journal, gate)
            if gate:
                result = gate.settle(result, journal.applied)
            changed = result.status is Status.REMEDIATED or journal.applied > 0
            release(claim, changed=changed, record=journal.outcome(result))
            return result
        except (StateStoreError, ClientError, BotoCoreError) as error:
            with suppress(ClientError, BotoCoreError):
                release(claim, changed=journal.applied > 0)
            failed = outcome(
                status=Status.FAILED,
                reason=f"state table: {error}",
                error_code=StateStoreError.code,
                retryable=True,
                calls=tuple(result_calls(journal)),
            )
            return gate.settle(failed, journal.applied) if gate else failed

    def _gate(self, finding: Finding, decision: Decision) -> Gate | None:
        """The finding's pass through the blast-radius limit; a person's own act is counted, never held."""
        if self.limits is None:
            return None
        person = finding.source is FindingSource.CUSTOM_ACTION or self.settings.manual_approved
        control = decision.rule.control or decision.rule.id
        return self.limits.gate(control, decision.resource.account_id, person=person)

    def _notify(self, outcomes: list[Outcome]) -> list[str]:
        """Publish what people must hear of; the SNS client is made only when there is something."""
        if not self.settings.topic_arn or not outcomes:
            return []
        from engine.notify import publish, should_notify  # a cold start with nothing to tell skips it

        notable = [o for o in outcomes if should_notify(o) and not o.retryable]
        if not notable:
            return []
        region = self.settings.topic_arn.split(":")[3]
        sns = self.clients.home_client("sns", region)
        return [problem for o in notable if (problem := publish(o, sns, self.settings.topic_arn))]

    def _invalid_outcomes(self, parsed: ParsedEvent) -> list[Outcome]:
        """Invalid findings that still carry their identifiers get a FAILED note saying why."""
        outcomes = []
        for finding_id, product_arn, account, error in parsed.invalid_identifiers:
            stub = Finding(
                source=parsed.source or FindingSource.IMPORTED,
                event_id="",
                hub_account_id=parsed.hub_account_id,
                hub_region=parsed.hub_region,
                account_id=account,
                region="",
                resources=(),
                lookup_keys=(),
                finding_id=finding_id,
                product_arn=product_arn,
            )
            outcomes.append(Outcome(finding=stub, status=Status.FAILED, reason=f"invalid finding: {error}"))
        return outcomes


def _skip(finding: Finding, decision: Decision, **fields: Any) -> Outcome:
    """A finding an exclusion keeps the engine off (`fields` say otherwise, e.g. a failed read)."""
    return Outcome(
        **{"status": Status.SKIPPED, "safety_skip": True, **fields},
        finding=finding,
        rule_id=decision.rule.id,
        remediation=decision.rule.remediation.name,
    )


def _count_statuses(outcomes: list[Outcome]) -> dict[str, int]:
    """Outcomes per status, in order of first appearance (what `dict(Counter(...))` gives, for less)."""
    counts: dict[str, int] = {}
    for outcome in outcomes:
        status = outcome.status.value
        counts[status] = counts.get(status, 0) + 1
    return counts


def result_calls(journal: Journal) -> Iterator[ApiCall]:
    """The calls known to be made before the state table failed, for the report."""
    if journal.record is not None:
        for call in journal.record.calls[: journal.applied]:
            yield ApiCall(method=call["method"], params=call["params"])
