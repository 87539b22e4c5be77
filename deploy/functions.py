"""One function per remediation family: its role, log group, events, environment and alarm.

Splitting by family (Rule.family: the prefix of the remediation's name) keeps each role to the
actions of its own remediations. Every function receives the custom action and answers only for
its family (REMEDIATION_FAMILIES); exactly one, the first family in alphabetical order, also answers
for findings no rule matches and for invalid ones (REPORT_UNMATCHED), so every finding of a mixed
selection gets exactly one outcome.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from deploy import failures, stack
from deploy.iam import (
    HAS_KMS_KEY,
    HOME,
    MEMBER,
    RUNTIME_PERMISSIONS,
    Statement,
    engine_actions,
    resource_level_statements,
    scoped_actions,
)
from deploy.routing import Route, family_routes
from engine import settings
from engine.accounts import PERMISSIONS as ORGANIZATIONS_READS
from engine.settings import Settings
from remediations.destinations import passed_roles
from rules.modes import load_environments
from rules.registry import Rule

HANDLER = "engine.handler.lambda_handler"
#: SAM copies this (small) folder, then runs `make build-<LogicalId>` in the repository root.
CODE_URI = "deploy/lambda"
#: Powertools for AWS Lambda (Python) v3, AWS-managed layer; version from the Powertools docs' layer table.
POWERTOOLS_LAYER = {
    "Fn::Sub": "arn:aws:lambda:${AWS::Region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:27"
}
#: Lambda's most for both, said explicitly: behind the reserved concurrency a burst's events wait in
#: Lambda's queue for hours (bench/burst: up to 2 h for 40,000 findings), and a shorter maximum age
#: would send them to the dead-letter queue unprocessed.
ASYNC_RETRIES = {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 21600}

_DEFAULTS = Settings()
#: Set once for every function; the per-family variables are added by `function`.
GLOBAL_ENVIRONMENT: dict[str, Any] = {
    "POWERTOOLS_SERVICE_NAME": stack.SERVICE_NAME,
    settings.ENV_METRICS_NAMESPACE: failures.METRICS_NAMESPACE,
    "POWERTOOLS_LOG_LEVEL": "INFO",
    settings.ENV_DRY_RUN: {"Ref": "DryRun"},
    settings.ENV_AUTOMATIC: {"Ref": "AutomaticRemediation"},
    settings.ENV_HOME_ACCOUNT: {"Ref": "AWS::AccountId"},
    settings.ENV_EXCLUSION_TAG: {"Ref": "ExclusionTag"},
    settings.ENV_ALLOWED_ACCOUNTS: {"Ref": "AllowedAccounts"},
    settings.ENV_DENIED_ACCOUNTS: {"Ref": "DeniedAccounts"},
    settings.ENV_STATE_TABLE: {"Ref": "StateTable"},
    settings.ENV_TOPIC: {"Ref": "NotificationTopic"},
    settings.ENV_TRACING: {"Fn::If": ["TracingOn", "true", "false"]},
    settings.ENV_FLAP_LIMIT: str(_DEFAULTS.flap_limit),
    settings.ENV_FLAP_WINDOW_HOURS: str(_DEFAULTS.flap_window_hours),
    settings.ENV_CONTROL_CHANGES_PER_HOUR: {"Ref": "ControlChangesPerHour"},
    settings.ENV_ACCOUNT_CHANGES_PER_HOUR: {"Ref": "AccountChangesPerHour"},
    settings.ENV_NOTE_AUTHOR: _DEFAULTS.note_author,
    settings.ENV_KMS_KEY: {"Ref": "RemediationKmsKeyId"},
    settings.ENV_RECORD_DAYS: {"Ref": "RecordRetentionDays"},
    settings.ENV_APPROVAL_MODE: {"Ref": "ApprovalMode"},
    settings.ENV_APPROVAL_DAYS: {"Ref": "ApprovalExpiryDays"},
    settings.ENV_APPROVE_ACTION: {"Ref": "ApproveActionTargetId"},
}


@dataclass(frozen=True, slots=True)
class Family:
    name: str  # Rule.family
    rules: tuple[Rule, ...]
    reports_unmatched: bool

    @property
    def key(self) -> str:
        return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", self.name))

    @property
    def function_id(self) -> str:
        return f"{self.key}RemediationFunction"

    @property
    def role_id(self) -> str:
        return f"{self.key}RemediationRole"

    @property
    def log_group_id(self) -> str:
        return f"{self.key}RemediationLogs"

    @property
    def member_role_name(self) -> dict[str, str]:
        return {"Fn::Sub": f"${{MemberRoleName}}-{self.name}"}

    @property
    def remediation_actions(self) -> tuple[str, ...]:
        """What the family's remediations call whatever the stack's KMS key."""
        return tuple(
            sorted(
                {
                    action
                    for rule in self.rules
                    for action in set(rule.permissions) - set(rule.key_permissions)
                }
            )
        )

    @property
    def passed_roles(self) -> dict[str, frozenset[str]]:
        """The baseline roles the family's remediations hand to a service, and to which."""
        return passed_roles(d for rule in self.rules for d in rule.remediation.destinations)

    @property
    def key_actions(self) -> tuple[str, ...]:
        """What they call only with the stack's KMS key (`HasKmsKey`): granted only when one is set."""
        keyed = {action for rule in self.rules for action in rule.key_permissions}
        return tuple(sorted(keyed - set(self.remediation_actions)))

    @property
    def scoped(self) -> dict[str, Any]:
        """Actions its remediations grant on named resources only (`Permissions.scopes`)."""
        return scoped_actions(self.rules)

    @property
    def undo_actions(self) -> tuple[str, ...]:
        """What `remediator undo` calls for the family's remediations: their reads and reverts."""
        return tuple(sorted({action for rule in self.rules for action in rule.remediation.permissions.undo}))

    def routes(self) -> list[Route]:
        return family_routes(self.rules, stack.ACTION_TARGET_ARN, stack.APPROVE_ACTION_TARGET_ARN)


def families(rules: Iterable[Rule]) -> list[Family]:
    """Families in alphabetical order; the first reports unmatched and invalid findings."""
    by_family: dict[str, list[Rule]] = {}
    for rule in rules:
        by_family.setdefault(rule.family, []).append(rule)
    names = sorted(by_family)
    return [Family(name, tuple(by_family[name]), name == names[0]) for name in names]


def family_resources(family: Family) -> dict[str, Any]:
    return {
        family.role_id: role(family),
        family.log_group_id: stack.log_group(),
        family.function_id: function(family),
        f"{family.key}RemediationErrorsAlarm": failures.alarm(
            f"{family.function_id} raised errors",
            {
                "Namespace": "AWS/Lambda",
                "MetricName": "Errors",
                "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": family.function_id}}],
                "Statistic": "Sum",
                "Period": 300,
            },
        ),
    }


def rule_arns(family: Family) -> list[dict[str, Any]]:
    """ARNs of the EventBridge rules SAM makes from the function's events (`<Function><Event>`)."""
    return [{"Fn::GetAtt": [f"{family.function_id}{route.name}", "Arn"]} for route in family.routes()]


def function(family: Family) -> dict[str, Any]:
    events = {}
    for route in family.routes():
        properties: dict[str, Any] = {
            "Pattern": route.pattern,
            "RetryPolicy": failures.EVENT_RETRY_POLICY,
            "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["EventDeadLetterQueue", "Arn"]}},
        }
        if route.automatic:
            properties["State"] = {"Fn::If": ["AutomaticOn", "ENABLED", "DISABLED"]}
        events[route.name] = {"Type": "EventBridgeRule", "Properties": properties}
    return {
        "Type": "AWS::Serverless::Function",
        "Metadata": {"BuildMethod": "makefile", "ContextPath": ".", "WorkingDirectory": "."},
        "Properties": {
            "Description": f"Security Hub remediation engine, {family.name} family ({_count(family.rules, 'rule')})",
            "CodeUri": CODE_URI,
            "Handler": HANDLER,
            "Role": {"Fn::GetAtt": [family.role_id, "Arn"]},
            "LoggingConfig": {"LogGroup": {"Ref": family.log_group_id}},
            "Environment": {
                "Variables": {
                    settings.ENV_FAMILIES: family.name,
                    settings.ENV_REPORT_UNMATCHED: "true" if family.reports_unmatched else "false",
                    settings.ENV_MEMBER_ROLE: family.member_role_name,
                }
            },
            "EventInvokeConfig": {
                **ASYNC_RETRIES,
                "DestinationConfig": {
                    "OnFailure": {
                        "Type": "SQS",
                        "Destination": {"Fn::GetAtt": ["InvocationDeadLetterQueue", "Arn"]},
                    }
                },
            },
            "Events": events,
        },
    }


def role(family: Family) -> dict[str, Any]:
    name = {"Fn::Sub": f"${{EngineRolePrefix}}-{family.name}-${{AWS::Region}}"}
    return stack.lambda_role(family.function_id, role_statements(family), name)


def role_statements(family: Family) -> list[Statement]:
    """Remediations and member-side engine calls on this account's resources, then the stack's own."""
    own_account = [*family.remediation_actions, *engine_actions(MEMBER)]
    home = set(engine_actions(HOME))
    scoped = {
        "sns:Publish": ("Notify", ({"Ref": "NotificationTopic"},)),
        "dynamodb:": ("KeepState", ({"Fn::GetAtt": ["StateTable", "Arn"]},)),
        "sts:AssumeRole": (
            "AssumeMemberRole",
            ({"Fn::Sub": f"arn:${{AWS::Partition}}:iam::*:role/${{MemberRoleName}}-{family.name}"},),
        ),
    }
    #: With OrganizationId set, a member role is assumed only in an account of that organization.
    within_organization = {
        "Fn::If": [
            "HasOrganization",
            {"StringEquals": {"aws:ResourceOrgID": {"Ref": "OrganizationId"}}},
            {"Ref": "AWS::NoValue"},
        ]
    }
    statements = [
        *resource_level_statements(own_account, "Remediate", roles=family.passed_roles, scoped=family.scoped),
        *resource_level_statements(
            family.key_actions, "RemediateWithKmsKey", only_if=HAS_KMS_KEY, scoped=family.scoped
        ),
    ]
    for prefix, (sid, resources) in scoped.items():
        actions = tuple(sorted(action for action in home if action.startswith(prefix)))
        condition = within_organization if prefix == "sts:AssumeRole" else None
        statements.append(Statement(sid, actions, resources, condition))
        home -= set(actions)
    statements += resource_level_statements(home, "Record")
    if load_environments().needs_organizations:  # modes per environment select by tag or OU
        statements.append(Statement("ReadAccountTagsAndOUs", ORGANIZATIONS_READS, ("*",)))
    return [*statements, *runtime_statements(family)]


def runtime_statements(family: Family) -> list[Statement]:
    statements = [
        stack.log_statement(family.log_group_id),
        Statement("WriteTraces", ("xray:PutTraceSegments", "xray:PutTelemetryRecords"), ("*",)),
        Statement(
            "ReportFailedInvocations",
            ("sqs:SendMessage",),
            ({"Fn::GetAtt": ["InvocationDeadLetterQueue", "Arn"]},),
        ),
        Statement(
            "EncryptNotifications",
            ("kms:GenerateDataKey", "kms:Decrypt"),
            ({"Fn::GetAtt": ["NotificationKey", "Arn"]},),
        ),
    ]
    declared = {action for statement in statements for action in statement.actions}
    assert declared == set(RUNTIME_PERMISSIONS), "RUNTIME_PERMISSIONS and runtime_statements disagree"
    return statements


def globals_section() -> dict[str, Any]:
    return {
        "Function": {
            "Runtime": "python3.13",
            "Architectures": ["arm64"],
            "MemorySize": 256,
            # botocore retries a slow call up to 5 times (engine/clients.py): leave it room to finish.
            "Timeout": 120,
            # Reserves and caps each function's concurrency (stack parameter ReservedConcurrency).
            "ReservedConcurrentExecutions": {
                "Fn::If": ["ReserveConcurrency", {"Ref": "ReservedConcurrency"}, {"Ref": "AWS::NoValue"}]
            },
            "Tracing": {"Ref": "Tracing"},
            "Layers": [POWERTOOLS_LAYER],
            "Environment": {"Variables": GLOBAL_ENVIRONMENT},
        }
    }


def all_rule_arns(all_families: Sequence[Family]) -> list[dict[str, Any]]:
    return [arn for family in all_families for arn in rule_arns(family)]


def _count(items: Sequence[object], noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
