"""Every setting the engine reads from its environment, in one place.

Precedence: an explicit argument (CLI flag, test) beats an environment variable beats the
default here; the deployed defaults are set once, in `template.yaml` `Globals`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple

ENV_DRY_RUN = "REMEDIATION_DRY_RUN"
ENV_AUTOMATIC = "AUTOMATIC_REMEDIATION"
ENV_MEMBER_ROLE = "MEMBER_ROLE_NAME"
ENV_HOME_ACCOUNT = "HOME_ACCOUNT_ID"
ENV_EXCLUSION_TAG = "EXCLUSION_TAG"
ENV_ALLOWED_ACCOUNTS = "ALLOWED_ACCOUNTS"
ENV_DENIED_ACCOUNTS = "DENIED_ACCOUNTS"
ENV_STATE_TABLE = "STATE_TABLE_NAME"
ENV_TOPIC = "NOTIFICATION_TOPIC_ARN"
ENV_TRACING = "TRACING_ENABLED"
ENV_FLAP_LIMIT = "FLAP_LIMIT"
ENV_FLAP_WINDOW_HOURS = "FLAP_WINDOW_HOURS"
ENV_NOTE_AUTHOR = "NOTE_AUTHOR"
ENV_FAMILIES = "REMEDIATION_FAMILIES"
ENV_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"  # Powertools reads it too
ENV_REPORT_UNMATCHED = "REPORT_UNMATCHED"
ENV_KMS_KEY = "REMEDIATION_KMS_KEY_ID"
ENV_CONTROL_CHANGES_PER_HOUR = "CONTROL_CHANGES_PER_HOUR"
ENV_ACCOUNT_CHANGES_PER_HOUR = "ACCOUNT_CHANGES_PER_HOUR"
ENV_RECORD_DAYS = "RECORD_RETENTION_DAYS"
ENV_APPROVAL_MODE = "APPROVAL_MODE"
ENV_APPROVAL_DAYS = "APPROVAL_EXPIRY_DAYS"
ENV_APPROVE_ACTION = "APPROVE_ACTION_TARGET_ID"

#: EMF metrics the handler emits in `metrics_namespace` (the stack's alarms read them by name).
METRIC_FINDINGS = "Findings"  # one per finding, dimensions Outcome, Rule, Remediation
METRIC_UNRECORDED = "UnrecordedOutcomes"  # findings whose outcome Security Hub did not record
METRIC_LIMIT_HOLDS = "BlastRadiusHolds"  # findings held by the blast-radius limit, dimension Rule


class Settings(NamedTuple):
    """Immutable; a NamedTuple, which a cold start creates in a third of a frozen dataclass's time."""

    dry_run: bool = False
    automatic: bool = True
    member_role_name: str = ""
    home_account_id: str = ""
    exclusion_tag: str = ""
    allowed_accounts: frozenset[str] = frozenset()
    denied_accounts: frozenset[str] = frozenset()
    state_table: str = ""
    topic_arn: str = ""
    tracing: bool = False
    flap_limit: int = 3
    flap_window_hours: int = 24
    #: The blast-radius limit (engine/blast_radius.py): changes per clock hour across the stack.
    control_changes_per_hour: int = 50
    account_changes_per_hour: int = 100
    note_author: str = "sechub-remediator"
    #: Remediation families this function handles (`s3`, `iam`, `ec2`…; empty: all). The stack
    #: splits functions by family so each role grants only its family's actions; every function
    #: sees a custom-action event and handles only its own findings.
    families: frozenset[str] = frozenset()
    metrics_namespace: str = "SecHubRemediator"
    #: KMS key for remediations that take one (`kms_key_id`) when their rule names none.
    kms_key_id: str = ""
    #: Whether this function answers for findings no rule matches (exactly one function does).
    report_unmatched: bool = True
    #: A person asked for this invocation (`remediator invoke --approve`): manual rules apply to
    #: automatic events too. Never read from the environment: a deployed function only plans them.
    manual_approved: bool = False
    #: Days the state table keeps what the engine changed (undo records, `remediator history`).
    record_days: int = 90
    #: The `remediator` command runs this engine (invoke, sweep), not a deployed function: the
    #: records say so. Never read from the environment.
    run_by_cli: bool = False
    #: Workload-affecting rules without a mode of their own wait for an approval, not the
    #: custom action (stack parameter ApprovalMode; rules/modes.py).
    approval_mode: bool = False
    #: Days a stored plan may be approved in (stack parameter ApprovalExpiryDays; engine/approvals.py).
    approval_days: int = 7
    #: Id of the "Approve remediation" custom action (stack parameter ApproveActionTargetId).
    approve_action_id: str = "ApproveRemediation"

    def with_overrides(self, **overrides: object) -> Settings:
        return self._replace(**overrides)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        default = cls()
        return cls(
            dry_run=_flag(env.get(ENV_DRY_RUN), default.dry_run),
            automatic=_flag(env.get(ENV_AUTOMATIC), default.automatic),
            member_role_name=env.get(ENV_MEMBER_ROLE, default.member_role_name),
            home_account_id=env.get(ENV_HOME_ACCOUNT, default.home_account_id),
            exclusion_tag=env.get(ENV_EXCLUSION_TAG, default.exclusion_tag),
            allowed_accounts=_accounts(env.get(ENV_ALLOWED_ACCOUNTS)),
            denied_accounts=_accounts(env.get(ENV_DENIED_ACCOUNTS)),
            state_table=env.get(ENV_STATE_TABLE, default.state_table),
            topic_arn=env.get(ENV_TOPIC, default.topic_arn),
            tracing=_flag(env.get(ENV_TRACING), default.tracing),
            flap_limit=int(env.get(ENV_FLAP_LIMIT) or default.flap_limit),
            flap_window_hours=int(env.get(ENV_FLAP_WINDOW_HOURS) or default.flap_window_hours),
            control_changes_per_hour=int(
                env.get(ENV_CONTROL_CHANGES_PER_HOUR) or default.control_changes_per_hour
            ),
            account_changes_per_hour=int(
                env.get(ENV_ACCOUNT_CHANGES_PER_HOUR) or default.account_changes_per_hour
            ),
            note_author=env.get(ENV_NOTE_AUTHOR) or default.note_author,
            families=_accounts(env.get(ENV_FAMILIES)),
            metrics_namespace=env.get(ENV_METRICS_NAMESPACE) or default.metrics_namespace,
            kms_key_id=env.get(ENV_KMS_KEY, default.kms_key_id),
            report_unmatched=_flag(env.get(ENV_REPORT_UNMATCHED), default.report_unmatched),
            record_days=int(env.get(ENV_RECORD_DAYS) or default.record_days),
            approval_mode=_flag(env.get(ENV_APPROVAL_MODE), default.approval_mode),
            approval_days=int(env.get(ENV_APPROVAL_DAYS) or default.approval_days),
            approve_action_id=env.get(ENV_APPROVE_ACTION) or default.approve_action_id,
        )


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _accounts(value: str | None) -> frozenset[str]:
    """A comma-separated list (account ids, families) as a set."""
    return frozenset(part.strip() for part in (value or "").split(",") if part.strip())
