"""Decide, for one finding, whether the engine acts, on what, with which parameters and how.

One pure function over the finding, its rule and the settings: no AWS call, so every reason
for not acting is decided here, in one order, and tested without moto. Its answer is either a
`Skip` (the sentence that goes into the report and the note) or a `Decision`: the resource as
the remediation identifies it, the effective parameters (the stack's KMS key where the rule
names none), the effective dry-run (the settings, which `--dry-run` overrides, or the rule: combined here only) and the mode.

Only Security Hub's own control findings are acted on (`engine/trust.py`). Automatic inputs act
only on failed / non-compliant, active findings in workflow NEW or
NOTIFIED (an OCSF finding: status New or In Progress); the custom action acts on what the user selected, unless it is archived, passing or
suppressed.

A manual rule (`rules.registry.DEFAULT_MODE`: every rule whose fix can cut a workload off, unless
the registry says otherwise) is applied only when a person asks: the custom action, or
`remediator invoke --approve`. An automatic event for it passes every check above like any other,
then gets a forced dry run and the reason it waits (`Decision.waiting`), so the engine reads the
live state and notes what the fix would change, without a claim or a write. An `approve` rule
waits the same way, and the engine stores its plan for the "Approve remediation" custom action
(engine/approvals.py); a `dry-run` rule only plans, whoever asks. The mode is the rule's
effective one for the finding's account (rules/modes.py), resolved by the caller, which may read
AWS Organizations for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from engine.exclusions import has_expiry, tag_verdict
from engine.settings import Settings
from engine.trust import foreign_producer
from model.finding import Finding, FindingSource, Resource
from model.outcome import Status
from model.workflow import ACTIONABLE_OCSF_STATUS, ACTIONABLE_WORKFLOW, FAILING
from remediations.base import KMS_KEY_PARAMETER
from rules.modes import EffectiveMode, registry_mode
from rules.registry import Rule


class Decision(NamedTuple):
    rule: Rule
    resource: Resource  # identified: short name and canonical ARN (an ARN after its lookup, if due)
    parameters: Mapping[str, Any]
    dry_run: bool  # true for a waiting fix too: plan and note, write nothing
    mode: str
    waiting: str = ""  # why a person must apply this fix (a manual rule's automatic event), or ""
    #: the digest of the state a person approved (engine/approvals.py): apply only if it reads so
    approved: str = ""


class Skip(NamedTuple):
    reason: str
    status: Status = Status.SKIPPED
    error_code: str = ""
    safety: bool = False  # an exclusion: worth telling someone


def decide(
    finding: Finding, rule: Rule | None, settings: Settings, mode: EffectiveMode | None = None
) -> Decision | Skip:
    """`mode`: the rule's effective mode in the finding's account; None: the registry's."""
    if reason := foreign_producer(finding):
        return Skip(reason, safety=True)
    if reason := _not_actionable(finding, rule, settings.automatic):
        return Skip(reason)
    assert rule is not None
    if reason := account_exclusion(finding, settings):
        return Skip(reason, safety=True)
    identity = rule.remediation.identity
    resource = identity.locate(finding.resources)
    if resource is None:
        named = ", ".join(sorted({r.type for r in finding.resources})) or "no resource"
        return Skip(
            f"{rule.remediation.name} acts on {identity.described()}, the finding names {named}",
            status=Status.FAILED,
            error_code="UnsupportedResource",
        )
    if reason := foreign_resource(finding, resource):
        return Skip(reason, status=Status.FAILED, error_code="ForeignResource")
    if reason := reported_tag_exclusion(resource, settings):
        return Skip(reason, safety=True)
    mode = mode or registry_mode(rule, settings.approval_mode)
    dry_run = settings.dry_run or rule.dry_run or mode.mode == "dry-run"
    waiting = "" if dry_run else waits_for_person(finding, rule, settings, mode)
    return Decision(
        rule=rule,
        resource=resource,
        parameters=effective_parameters(rule, settings),
        dry_run=dry_run or bool(waiting),
        mode=mode.mode,
        waiting=waiting,
    )


def waits_for_person(
    finding: Finding, rule: Rule, settings: Settings, mode: EffectiveMode | None = None
) -> str:
    """Why this fix waits for a person: a manual or approve rule reached by an automatic event, or ""."""
    mode = mode or registry_mode(rule, settings.approval_mode)
    if mode.mode == "automatic" or finding.source is FindingSource.CUSTOM_ACTION or settings.manual_approved:
        return ""
    what = "needs an approval" if mode.mode == "approve" else "is manual"
    if mode.environment:
        return f"rule {rule.id} {what} in environment {mode.environment}"
    return f"rule {rule.id} (class {rule.remediation.risk.value}) {what}"


def effective_parameters(rule: Rule, settings: Settings) -> Mapping[str, Any]:
    """The rule's parameters, with the stack's KMS key when the remediation takes one and the rule names none."""
    if settings.kms_key_id and rule.remediation.takes_kms_key and KMS_KEY_PARAMETER not in rule.parameters:
        return {**rule.parameters, KMS_KEY_PARAMETER: settings.kms_key_id}
    return rule.parameters


def account_exclusion(finding: Finding, settings: Settings) -> str:
    account = finding.account_id
    if account in settings.denied_accounts:
        return f"account {account} is on the deny list"
    if settings.allowed_accounts and account not in settings.allowed_accounts:
        return f"account {account} is not on the allow list"
    return ""


def foreign_resource(finding: Finding, resource: Resource) -> str:
    """Why the resource's own ARN puts it outside the account and region the finding names.

    The engine acts with the credentials of the finding's account, in the resource's region: a
    resource whose ARN names another account or region is not what those credentials should
    touch. ARNs without an account or region (S3 buckets) say nothing either way.
    A remediation whose resource lives in the Region its ARN names (`Identity.region_in_arn`: a
    multi-Region trail, reported from every Region it logs) has that Region already, so a finding
    from another Region of the same account names it rightly; its account must still agree.
    """
    if not resource.id.startswith("arn:"):
        return ""
    parts = resource.id.split(":", 5)
    region, account = (parts[3], parts[4]) if len(parts) == 6 else ("", "")
    if account and account != finding.account_id:
        return (
            f"{resource.id} is in account {account}, the finding in {finding.account_id}: nothing was changed"
        )
    if region and region != resource.region:
        return f"{resource.id} is in {region}, the finding names {resource.region}: nothing was changed"
    return ""


def reported_tag_exclusion(resource: Resource, settings: Settings) -> str:
    """The finding's tags exclude the resource; a tag value with `until=` is judged later, with the clock."""
    value = dict(resource.tags).get(settings.exclusion_tag) if settings.exclusion_tag else None
    if value is None or has_expiry(value):
        return ""
    return tag_verdict(settings.exclusion_tag, value).skip


def _not_actionable(finding: Finding, rule: Rule | None, automatic_enabled: bool) -> str:
    if rule is None:
        named = finding.control_id or finding.config_rule_name or finding.generator_id or "this finding"
        return f"no rule in the registry for {named}"
    if not rule.enabled:
        return f"rule {rule.id} is disabled"
    return finding_not_actionable(finding, automatic_enabled)


def finding_not_actionable(finding: Finding, automatic_enabled: bool) -> str:
    """Why no rule would act on this finding (archived, passed, suppressed…); "" when one may.

    Said without the rule, so a function that holds only another family's rule skips such a
    finding as quietly as that family's function would.
    """
    if finding.record_state and finding.record_state != "ACTIVE":
        return f"finding is {finding.record_state}"
    if finding.compliance_status not in FAILING and finding.compliance_status is not None:
        return f"compliance status is {finding.compliance_status}: nothing to fix"
    if finding.source is FindingSource.CUSTOM_ACTION:
        if finding.workflow_status == "SUPPRESSED":
            return "finding is SUPPRESSED: set it back to NEW or NOTIFIED to remediate it"
        return ""
    if not automatic_enabled:
        return "automatic remediation is switched off; use the custom action"
    if finding.source is FindingSource.IMPORTED and finding.workflow_status not in ACTIONABLE_WORKFLOW:
        return f"workflow status is {finding.workflow_status}"
    if finding.source is FindingSource.IMPORTED_V2 and finding.workflow_status not in ACTIONABLE_OCSF_STATUS:
        return f"status is {finding.workflow_status}"
    return ""
