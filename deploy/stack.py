"""The administrator-account stack (`template.yaml`): parameters, shared resources and outputs.

The per-family functions are built by `deploy/functions.py` and where failures go (dead letters,
the notification topic, alarms) by `deploy/failures.py`; this module holds the parameters, the
state table, the custom action and what every Lambda function of the stack is made of.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from deploy import action_target, failures, member_events
from deploy.iam import KMS_KEY_CONDITION, Statement, policy_document, resource_level_statements
from engine.approvals import APPROVE_ACTION_NAME
from engine.state import ATTRIBUTE_DEFINITIONS, KEY_SCHEMA, TTL_ATTRIBUTE, UNDO_DAYS

Cfn = Any

SERVICE_NAME = "sechub-remediator"
LOG_RETENTION_DAYS = 90
#: Each function's reserved concurrency. Every invocation ends with one BatchUpdateFindings in the
#: administrator account's Region (10 requests/s, burst 30, for the whole account): 5 functions x 2
#: at ~0.8 s an invocation keep an organisation-wide burst near that rate and drain 40,000 findings
#: in about 2 h, well inside the 6 h an event may wait; 3 loses a tenth of the updates, 1 takes
#: 3.5 h (bench/burst prints the sweep).
RESERVED_CONCURRENCY = 2

PARAMETERS: dict[str, dict[str, Any]] = {
    "AutomaticRemediation": {
        "Type": "String",
        "AllowedValues": ["true", "false"],
        "Default": "true",
        "Description": "Remediate imported findings and Config changes as they arrive (false: only the custom action acts).",
    },
    "DryRun": {
        "Type": "String",
        "AllowedValues": ["true", "false"],
        "Default": "false",
        "Description": "Plan and report only: notes say what would change, nothing is written. Try `sam deploy --config-env dryrun` first.",
    },
    "ExclusionTag": {
        "Type": "String",
        "Default": "sechub-remediator:exclude",
        "MaxLength": 128,
        "Description": "Resources carrying this tag key (any value) are never changed; empty: no tag exclusion.",
    },
    "ControlChangesPerHour": {
        "Type": "Number",
        "Default": 50,
        "MinValue": 1,
        "MaxValue": 100000,
        "Description": "Blast-radius limit: the most resources automatic remediation changes for one control in a clock hour, across the stack; beyond it findings are held (workflow NOTIFIED) and one notification goes out per hour.",
    },
    "AccountChangesPerHour": {
        "Type": "Number",
        "Default": 100,
        "MinValue": 1,
        "MaxValue": 100000,
        "Description": "Blast-radius limit: the most resources automatic remediation changes in one account in a clock hour, across the stack (a person's custom action is counted, never held).",
    },
    "AllowedAccounts": {
        "Type": "String",
        "Default": "",
        "AllowedPattern": "^([0-9]{12}(,[0-9]{12})*)?$",
        "Description": "Comma-separated account ids the engine may change; empty: every account.",
    },
    "DeniedAccounts": {
        "Type": "String",
        "Default": "",
        "AllowedPattern": "^([0-9]{12}(,[0-9]{12})*)?$",
        "Description": "Comma-separated account ids the engine never changes (wins over AllowedAccounts).",
    },
    "MemberRoleName": {
        "Type": "String",
        "Default": "SecHubRemediatorMember",
        "AllowedPattern": "^[A-Za-z0-9+=,.@_-]{1,48}$",
        "Description": "Base name of the roles deploy/member-role.yaml creates in member accounts: each family's function assumes <MemberRoleName>-<family>.",
    },
    "EngineRolePrefix": {
        "Type": "String",
        "Default": "SecHubRemediator",
        "AllowedPattern": "^[A-Za-z0-9_-]{1,32}$",
        "Description": "Function roles are named <EngineRolePrefix>-<family>-<Region>; member roles trust exactly these names in the Regions of their EngineRegions. Change it for a second stack in the same account and Region.",
    },
    "ActionTargetId": {
        "Type": "String",
        "Default": "Remediate",
        "AllowedPattern": "^[A-Za-z0-9]{1,20}$",
        "Description": "Id and name of the Security Hub custom action (1-20 letters or digits, unique in the account and Region).",
    },
    "ApprovalMode": {
        "Type": "String",
        "AllowedValues": ["true", "false"],
        "Default": "false",
        "Description": "true: workload-affecting rules without a mode of their own store their plan and wait for the 'Approve remediation' custom action (approve mode) instead of the plain custom action (manual).",
    },
    "ApprovalExpiryDays": {
        "Type": "Number",
        "Default": 7,
        "MinValue": 1,
        "MaxValue": 90,
        "Description": "Days a stored plan may be approved in; after that, approving plans again and asks again.",
    },
    "ApproveActionTargetId": {
        "Type": "String",
        "Default": "ApproveRemediation",
        "AllowedPattern": "^[A-Za-z0-9]{1,20}$",
        "Description": "Id of the 'Approve remediation' custom action (1-20 letters or digits, unique in the account and Region).",
    },
    "OrganizationId": {
        "Type": "String",
        "Default": "",
        "AllowedPattern": "^(o-[a-z0-9]{10,32})?$",
        "Description": "AWS Organizations id whose accounts may forward Config changes here (deploy/member-config-events.yaml), and outside which no member role is assumed (aws:ResourceOrgID); empty: this account's Config events only, no organization check.",
    },
    "Tracing": {
        "Type": "String",
        "AllowedValues": ["Active", "PassThrough"],
        "Default": "PassThrough",
        "Description": "AWS X-Ray tracing of the functions. Active loads the X-Ray SDK (about doubling the cold start) and costs per trace; logs and metrics cover every finding without it.",
    },
    "RemediationKmsKeyId": {
        "Type": "String",
        "Default": "",
        "MaxLength": 2048,
        "Description": "KMS key (id, ARN or alias) for remediations that take one (S3.17 bucket keys, EBS, SQS, SNS) when their rule names none; empty: each uses its AWS managed key or SSE default.",
    },
    "ReservedConcurrency": {
        "Type": "Number",
        "Default": RESERVED_CONCURRENCY,
        "MinValue": 0,
        "MaxValue": 1000,
        "Description": "Concurrent executions reserved for, and the most allowed to, each remediation function; 0: none reserved (the functions share the account's unreserved pool). The default keeps an organisation-wide burst of findings near Security Hub's BatchUpdateFindings rate (bench/burst).",
    },
    "RecordRetentionDays": {
        "Type": "Number",
        "Default": UNDO_DAYS,
        "MinValue": 1,
        "MaxValue": 3650,
        "Description": "Days the state table keeps what the engine changed: each change's before and after, for `remediator undo` and `remediator history` (DynamoDB TTL).",
    },
    "NotificationEmail": {
        "Type": "String",
        "Default": "",
        "AllowedPattern": "^([^@\\s]+@[^@\\s]+)?$",
        "Description": "E-mail address subscribed to failure notifications and alarms (confirm the e-mail AWS sends); empty: none.",
    },
}

PARAMETER_GROUPS = [
    ("What the engine does", ["AutomaticRemediation", "DryRun", "ActionTargetId"]),
    ("Records", ["RecordRetentionDays"]),
    ("Approvals", ["ApprovalMode", "ApprovalExpiryDays", "ApproveActionTargetId"]),
    ("Throughput", ["ReservedConcurrency"]),
    ("Blast radius", ["ControlChangesPerHour", "AccountChangesPerHour"]),
    ("What it may touch", ["ExclusionTag", "AllowedAccounts", "DeniedAccounts"]),
    ("Encryption", ["RemediationKmsKeyId"]),
    ("Member accounts", ["MemberRoleName", "EngineRolePrefix", "OrganizationId"]),
    ("Notifications and tracing", ["NotificationEmail", "Tracing"]),
]

CONDITIONS = {
    "AutomaticOn": {"Fn::Equals": [{"Ref": "AutomaticRemediation"}, "true"]},
    "TracingOn": {"Fn::Equals": [{"Ref": "Tracing"}, "Active"]},
    "HasNotificationEmail": {"Fn::Not": [{"Fn::Equals": [{"Ref": "NotificationEmail"}, ""]}]},
    "HasOrganization": {"Fn::Not": [{"Fn::Equals": [{"Ref": "OrganizationId"}, ""]}]},
    "ReserveConcurrency": {"Fn::Not": [{"Fn::Equals": [{"Ref": "ReservedConcurrency"}, "0"]}]},
    **KMS_KEY_CONDITION,
}

ACTION_TARGET_ARN = {
    "Fn::Sub": "arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:action/custom/${ActionTargetId}"
}

APPROVE_ACTION_TARGET_ARN = {
    "Fn::Sub": "arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:action/custom/${ApproveActionTargetId}"
}


def shared_resources() -> dict[str, Any]:
    return {
        **state_table(),
        **failures.notifications(),
        **failures.dead_letter_queues(),
        **action_target_resources(),
        **failures.stack_alarms(),
        **member_events.admin_bus_policy(),
    }


def state_table() -> dict[str, Any]:
    """Idempotency claims, flap-breaker history and undo records (engine/state.py), blast-radius
    counters (engine/blast_radius.py) and exceptions (engine/exceptions.py)."""
    return {
        "StateTable": {
            "Type": "AWS::DynamoDB::Table",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [dict(item) for item in ATTRIBUTE_DEFINITIONS],
                "KeySchema": [dict(item) for item in KEY_SCHEMA],
                "TimeToLiveSpecification": {"AttributeName": TTL_ATTRIBUTE, "Enabled": True},
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                "SSESpecification": {"SSEEnabled": True},
            },
        }
    }


def action_target_resources() -> dict[str, Any]:
    """The custom action, made by a small inline function (deploy/action_target.py)."""
    source = Path(action_target.__file__).read_text(encoding="utf-8")
    statements = [
        *resource_level_statements(action_target.PERMISSIONS, "ManageActionTargetsOn"),
        log_statement("ActionTargetLogs"),
    ]
    return {
        "ActionTargetRole": lambda_role("ActionTargetFunction", statements),
        "ActionTargetLogs": log_group(),
        "ActionTargetFunction": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Description": "Creates, updates and deletes the Security Hub custom action (Custom::ActionTarget).",
                "Runtime": "python3.13",
                "Architectures": ["arm64"],
                "Handler": "index.handler",
                "Timeout": 60,
                "MemorySize": 128,
                "Role": {"Fn::GetAtt": ["ActionTargetRole", "Arn"]},
                "LoggingConfig": {"LogGroup": {"Ref": "ActionTargetLogs"}},
                "Code": {"ZipFile": source},
            },
        },
        "ActionTarget": {
            "Type": "Custom::ActionTarget",
            "Properties": {
                "ServiceToken": {"Fn::GetAtt": ["ActionTargetFunction", "Arn"]},
                "ServiceTimeout": 120,
                "Id": {"Ref": "ActionTargetId"},
                "Name": {"Ref": "ActionTargetId"},
                "Description": "Send the selected findings to the remediation engine",
            },
        },
        "ApproveActionTarget": {
            "Type": "Custom::ActionTarget",
            "Properties": {
                "ServiceToken": {"Fn::GetAtt": ["ActionTargetFunction", "Arn"]},
                "ServiceTimeout": 120,
                "Id": {"Ref": "ApproveActionTargetId"},
                "Name": APPROVE_ACTION_NAME,
                "Description": "Apply the plan the engine stored for the selected findings, if the resource still reads as planned",
            },
        },
    }


def outputs(function_ids: Sequence[str], role_ids: Sequence[str]) -> dict[str, Any]:
    return {
        "ActionTargetArn": {
            "Description": "The custom action: select findings in Security Hub, Actions, this name.",
            "Value": {"Fn::GetAtt": ["ActionTarget", "Arn"]},
        },
        "ApproveActionTargetArn": {
            "Description": f"The approval: select waiting findings in Security Hub, Actions, {APPROVE_ACTION_NAME}.",
            "Value": {"Fn::GetAtt": ["ApproveActionTarget", "Arn"]},
        },
        "NotificationTopicArn": {"Value": {"Ref": "NotificationTopic"}},
        "StateTableName": {"Value": {"Ref": "StateTable"}},
        "EventDeadLetterQueueUrl": {"Value": {"Ref": "EventDeadLetterQueue"}},
        "InvocationDeadLetterQueueUrl": {"Value": {"Ref": "InvocationDeadLetterQueue"}},
        "RemediationFunctions": {"Value": {"Fn::Join": [",", [{"Ref": f} for f in function_ids]]}},
        "EngineRoleArns": {
            "Description": "Member roles (deploy/member-role.yaml) trust these by exact ARN: list this Region in their EngineRegions.",
            "Value": {"Fn::Join": [",", [{"Fn::GetAtt": [r, "Arn"]} for r in role_ids]]},
        },
    }


def log_group() -> dict[str, Any]:
    return {
        "Type": "AWS::Logs::LogGroup",
        "DeletionPolicy": "Delete",
        "UpdateReplacePolicy": "Delete",
        "Properties": {"RetentionInDays": LOG_RETENTION_DAYS},
    }


def log_statement(log_group_id: str) -> Statement:
    return Statement(
        "WriteLogs", ("logs:CreateLogStream", "logs:PutLogEvents"), ({"Fn::GetAtt": [log_group_id, "Arn"]},)
    )


def lambda_role(function_id: str, statements: Sequence[Statement], name: Cfn = None) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "Description": {"Fn::Sub": f"${{AWS::StackName}}: role of {function_id}"},
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        },
        "Policies": [{"PolicyName": "least-privilege", "PolicyDocument": policy_document(statements)}],
    }
    if name is not None:
        properties = {"RoleName": name, **properties}
    return {"Type": "AWS::IAM::Role", "Properties": properties}
