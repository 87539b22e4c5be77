"""Decide whether the engine may act on a finding, and say why not when it may not.

Automatic inputs act only on failed / non-compliant, active findings in workflow NEW or
NOTIFIED; the custom action acts on what the user selected, unless it is archived, passing
or suppressed. Every refusal is a sentence that ends up in the report (and, where useful,
in the finding's note).
"""

from __future__ import annotations

from model.finding import Finding, FindingSource
from rules.registry import Rule

ACTIONABLE_WORKFLOW = frozenset({"NEW", "NOTIFIED"})
FAILING = frozenset({"FAILED", "NON_COMPLIANT"})


def skip_reason(finding: Finding, rule: Rule | None, automatic_enabled: bool) -> str:
    """'' when the engine should remediate, else the reason it should not."""
    if rule is None:
        named = finding.control_id or finding.config_rule_name or finding.generator_id or "this finding"
        return f"no rule in the registry for {named}"
    if not rule.enabled:
        return f"rule {rule.id} is disabled"
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
    if not rule.automatic:
        return f"rule {rule.id} is manual only; use the custom action"
    if finding.source is FindingSource.IMPORTED and finding.workflow_status not in ACTIONABLE_WORKFLOW:
        return f"workflow status is {finding.workflow_status}"
    return ""
