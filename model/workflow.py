"""Which findings the engine may act on: one home for these states, read by the engine and the
EventBridge patterns the deploy step generates.
"""

from __future__ import annotations

#: Security Hub workflow states an automatic input acts on (RESOLVED and SUPPRESSED are a person's call).
ACTIONABLE_WORKFLOW: tuple[str, ...] = ("NEW", "NOTIFIED")
#: Compliance statuses that mean "something to fix": Security Hub's FAILED (ASFF) and Fail (OCSF
#: `compliance.status_id` 3), Config's NON_COMPLIANT.
FAILING: tuple[str, ...] = ("FAILED", "NON_COMPLIANT", "Fail")

#: OCSF finding `status_id` → `status` (OCSF 1.x; ASR's schema lists the same). The parser reads
#: the id, so a finding's status name is always one of these, whatever its `status` text says.
OCSF_STATUS: dict[int, str] = {
    0: "Unknown",
    1: "New",
    2: "In Progress",
    3: "Suppressed",
    4: "Resolved",
    5: "Archived",
    99: "Other",
}
#: OCSF `compliance.status_id` → `compliance.status`.
OCSF_COMPLIANCE_STATUS: dict[int, str] = {0: "Unknown", 1: "Pass", 2: "Warning", 3: "Fail", 99: "Other"}
#: OCSF statuses an automatic input acts on: New and In Progress, the counterparts of NEW and NOTIFIED.
ACTIONABLE_OCSF_STATUS_IDS: tuple[int, ...] = (1, 2)
ACTIONABLE_OCSF_STATUS: tuple[str, ...] = tuple(OCSF_STATUS[i] for i in ACTIONABLE_OCSF_STATUS_IDS)
#: `BatchUpdateFindingsV2` StatusId for each workflow status the engine sets (RESOLVED, NOTIFIED).
OCSF_STATUS_ID_FOR_WORKFLOW: dict[str, int] = {"RESOLVED": 4, "NOTIFIED": 2}
