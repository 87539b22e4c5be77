"""The engine proper: one event in, one outcome per finding out, every finding recorded.

The handler only builds this object once per execution environment and calls `handle`;
tests, the CLI and the demo call the same method, so they all exercise the deployed path.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.clients import ClientFactory
from engine.dispatch import skip_reason
from engine.parse import ParsedEvent, parse_event
from engine.remediate import remediate
from engine.resolve import plan_updates, reevaluate_config_rules, send_updates
from engine.settings import Settings
from model.errors import InvalidEventError
from model.finding import Finding, FindingSource
from model.outcome import Outcome, Status
from rules.registry import Registry, Rule

#: Called once per finding with its outcome (the handler logs it and emits a metric).
OutcomeListener = Callable[[Outcome], None]


@dataclass
class Engine:
    registry: Registry
    clients: ClientFactory
    settings: Settings = field(default_factory=Settings)
    on_outcome: OutcomeListener | None = None

    def handle(self, event: Any) -> dict[str, Any]:
        """Process every finding of `event`; raises `InvalidEventError` only for a malformed envelope."""
        parsed = parse_event(event)
        if parsed.ignored_reason:
            return {"event": event.get("id"), "ignored": parsed.ignored_reason, "findings": []}
        outcomes = [outcome for finding in parsed.findings if (outcome := self.process(finding))]
        if self.settings.report_unmatched:  # the one function that answers for unmatched findings
            outcomes.extend(self._invalid_outcomes(parsed))
        problems = send_updates(plan_updates(outcomes), self.clients, self.settings.note_author)
        problems += reevaluate_config_rules(outcomes, self.clients)
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
        if (
            unrecorded and self.settings.report_unmatched
        ):  # nothing in Security Hub can carry these: fail so the event reaches the DLQ
            raise InvalidEventError(
                "event.detail.findings", f"{unrecorded} finding(s) invalid: {report['invalid']}"
            )
        return report

    def process(self, finding: Finding) -> Outcome | None:
        """The finding's outcome, or None when another function of the stack owns it."""
        rule = self.registry.match(finding.lookup_keys)
        if not self.owns(rule):
            return None
        reason = skip_reason(finding, rule, self.settings.automatic)
        if reason:
            outcome = Outcome(
                finding=finding,
                status=Status.SKIPPED,
                reason=reason,
                rule_id=rule.id if rule else None,
                remediation=rule.remediation.name if rule else None,
            )
        else:
            assert rule is not None
            outcome = remediate(finding, rule, self.clients, dry_run=self.settings.dry_run)
        if self.on_outcome:
            self.on_outcome(outcome)
        return outcome

    def owns(self, rule: Rule | None) -> bool:
        """Is this function the one that answers for findings of `rule` (None: no rule)?"""
        if rule is None:
            return self.settings.report_unmatched
        return not self.settings.families or rule.family in self.settings.families

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
