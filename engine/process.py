"""The engine proper: one event in, one outcome per finding out, every finding recorded.

The handler only builds this object once per execution environment and calls `handle`;
tests, the CLI and the demo call the same method, so they all exercise the deployed path.
The path of a finding reads top to bottom: parse → is it ours (family) → `decide` (pure: is it
Security Hub's own, may we act, on what, with which parameters, dry-run or not) → is the Config
rule AWS's → live tags → claim the resource
(idempotency) → has it flapped (breaker) → `remediate` → record the undo → resolve.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from engine.clients import ClientFactory
from engine.decide import Decision, Skip, decide
from engine.exclusions import TagReader, live_tag_exclusion
from engine.notify import publish, should_notify
from engine.parse import ParsedEvent, parse_event
from engine.remediate import remediate
from engine.resolve import plan_updates, reevaluate_config_rules, send_updates
from engine.settings import Settings
from engine.state import StateStore, recent_changes, resource_key
from engine.trust import OwnerReader, config_rule_owner_reader, untrusted_config_rule
from model.errors import InvalidEventError, RetryLaterError
from model.finding import Finding, FindingSource
from model.outcome import Outcome, Status
from model.undo import UndoRecord
from remediations.base import canonical_id
from rules.registry import Registry, Rule

#: Called once per finding with its outcome (the handler logs it and emits a metric).
OutcomeListener = Callable[[Outcome], None]
#: Called as the engine starts on a finding (the handler puts its id on every log line).
FindingListener = Callable[[Finding], None]


@dataclass
class Engine:
    registry: Registry
    clients: ClientFactory
    settings: Settings = field(default_factory=Settings)
    on_outcome: OutcomeListener | None = None
    on_finding: FindingListener | None = None
    state: StateStore | None = None
    read_tags: TagReader | None = None
    clock: Callable[[], float] = time.time
    #: who owns a Config rule; by default DescribeConfigRules in the rule's account, cached
    rule_owner: OwnerReader | None = None
    _owner: OwnerReader = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._owner = self.rule_owner or config_rule_owner_reader(partial(self.clients.client, "config"))

    def handle(self, event: Any) -> dict[str, Any]:
        """Process every finding of `event`.

        Raises `InvalidEventError` for a malformed envelope (or findings nothing can carry a
        note for), and `RetryLaterError` after recording everything else when some finding hit
        a transient fault: the event is then retried, and lands in the dead-letter queue when
        retries run out. Findings fixed on the first delivery read as compliant on the next.
        """
        parsed = parse_event(event)
        if parsed.ignored_reason:
            return {"event": event.get("id"), "ignored": parsed.ignored_reason, "findings": []}
        # A custom-action event reaches every function of the stack and each answers for its own
        # family; any other event was routed to this function alone, which answers for all of it.
        shared = parsed.source is FindingSource.CUSTOM_ACTION
        answers_unowned = self.settings.report_unmatched or not shared
        outcomes = [outcome for finding in parsed.findings if (outcome := self.process(finding, shared))]
        if answers_unowned:
            outcomes.extend(self._invalid_outcomes(parsed))
        problems = send_updates(plan_updates(outcomes), self.clients, self.settings.note_author)
        problems += reevaluate_config_rules(outcomes, self.clients)
        problems += self._notify(outcomes)
        report = {
            "event": event.get("id"),
            "detail_type": parsed.detail_type,
            "dry_run": self.settings.dry_run,
            "findings": [outcome.report() for outcome in outcomes],
            "invalid": [str(error) for error in parsed.errors],
            "summary": dict(Counter(outcome.status.value for outcome in outcomes)),
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
        return report

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

    def owns(self, rule: Rule | None) -> bool:
        """Is this function the one that answers for findings of `rule` (None: no rule)?"""
        if rule is None:
            return self.settings.report_unmatched
        return not self.settings.families or rule.family in self.settings.families

    def _outcome(self, finding: Finding, rule: Rule | None) -> Outcome:
        decision = decide(finding, rule, self.settings)
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
        if (reason := untrusted_config_rule(finding, self._owner)) or (
            self.read_tags
            and (reason := live_tag_exclusion(decision.resource, self.settings.exclusion_tag, self.read_tags))
        ):
            return Outcome(
                finding=finding,
                status=Status.SKIPPED,
                rule_id=decision.rule.id,
                remediation=decision.rule.remediation.name,
                reason=reason,
                safety_skip=True,
            )
        if self.state is None or decision.dry_run:
            return remediate(finding, decision, self.clients)
        return self._remediate_once(finding, decision)

    def _remediate_once(self, finding: Finding, decision: Decision) -> Outcome:
        """Claim the resource, check the flap breaker, remediate, record; state errors mean retry."""
        assert self.state is not None
        rule, resource = decision.rule, decision.resource
        outcome = partial(Outcome, finding=finding, rule_id=rule.id, remediation=rule.remediation.name)
        window = self.settings.flap_window_hours * 3600
        try:
            # A fresh owner per attempt: two deliveries of one event must not share a claim.
            owner = f"{finding.event_id}#{uuid.uuid4().hex}"
            key = resource_key(resource.account_id, resource.region, rule.id, canonical_id(resource))
            claim = self.state.claim(key, owner)
            if claim is None:
                return outcome(
                    status=Status.FAILED,
                    reason="another delivery is remediating this resource",
                    retryable=True,
                )
            if recent_changes(claim, self.clock(), window) >= self.settings.flap_limit:
                self.state.release(
                    claim, changed=False, window_seconds=window, keep=self.settings.flap_limit + 1
                )
                hours = self.settings.flap_window_hours
                return outcome(
                    status=Status.HELD,
                    reason=f"flap breaker: remediated {self.settings.flap_limit} times in {hours} h already",
                )
            result = remediate(finding, decision, self.clients)
            changed = result.status is Status.REMEDIATED
            self.state.release(
                claim, changed=changed, window_seconds=window, keep=self.settings.flap_limit + 1
            )
            if changed and finding.finding_id:
                self.state.save_undo(
                    UndoRecord.of(
                        finding_id=finding.key,
                        remediation=rule.remediation.name,
                        rule_id=rule.id,
                        resource=resource,
                        parameters=decision.parameters,
                        before=result.before,
                        after=result.after,
                        changed_at=self.clock(),
                    )
                )
            return result
        except (ClientError, BotoCoreError) as error:
            return outcome(status=Status.FAILED, reason=f"state table: {error}", retryable=True)

    def _notify(self, outcomes: list[Outcome]) -> list[str]:
        if not self.settings.topic_arn:
            return []
        region = self.settings.topic_arn.split(":")[3]
        sns = self.clients.home_client("sns", region)
        notable = [o for o in outcomes if should_notify(o) and not o.retryable]
        return [problem for o in notable if (problem := publish(o, sns, self.settings.topic_arn))]

    def _invalid_outcomes(self, parsed: ParsedEvent) -> list[Outcome]:
        """Invalid findings that still carry Id and ProductArn get a FAILED note saying why."""
        outcomes = []
        for finding_id, product_arn, error in parsed.invalid_identifiers:
            stub = Finding(
                source=parsed.source or FindingSource.IMPORTED,
                event_id="",
                hub_account_id=parsed.hub_account_id,
                hub_region=parsed.hub_region,
                account_id="",
                region="",
                resources=(),
                lookup_keys=(),
                finding_id=finding_id,
                product_arn=product_arn,
            )
            outcomes.append(Outcome(finding=stub, status=Status.FAILED, reason=f"invalid finding: {error}"))
        return outcomes
