"""Which findings the engine may act on: one home for these states, read by the engine and the
EventBridge patterns the deploy step generates.
"""

from __future__ import annotations

#: Security Hub workflow states an automatic input acts on (RESOLVED and SUPPRESSED are a person's call).
ACTIONABLE_WORKFLOW: tuple[str, ...] = ("NEW", "NOTIFIED")
#: Compliance statuses that mean "something to fix": Security Hub's FAILED, Config's NON_COMPLIANT.
FAILING: tuple[str, ...] = ("FAILED", "NON_COMPLIANT")
