"""`deploy/member-config-events.yaml`: forward member accounts' Config changes to the engine.

AWS Config emits `Config Rules Compliance Change` on the event bus of the account and Region where
the rule ran. Security Hub brings members' findings to the administrator; Config events it does
not. Deployed in each member account and Region (a StackSet), this stack forwards the changes the
engine acts on (template.yaml's Config patterns, every family together) to the administrator
account's default event bus in the same Region, which admits them when template.yaml is given the
organization's id (`OrganizationId`). Without it, the engine acts on members' Config rules through
their Security Hub findings only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from deploy.failures import EVENT_RETRY_POLICY
from deploy.routing import config_patterns
from engine.parse import CONFIG_CHANGE
from rules.registry import Rule

ADMIN_BUS = {"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AdminAccountId}:event-bus/default"}


def member_events_template(rules: Iterable[Rule]) -> dict[str, Any]:
    patterns = config_patterns(rules)
    forwarders = {
        f"ForwardConfigChanges{index + 1}": {
            "Type": "AWS::Events::Rule",
            "Condition": "IsMemberAccount",
            "Properties": {
                "Description": "Config compliance changes the Security Hub remediation engine acts on",
                "EventPattern": pattern,
                "State": "ENABLED",
                "Targets": [
                    {
                        "Id": "RemediationEngineBus",
                        "Arn": ADMIN_BUS,
                        "RoleArn": {"Fn::GetAtt": ["ForwardRole", "Arn"]},
                        "RetryPolicy": EVENT_RETRY_POLICY,
                    }
                ],
            },
        }
        for index, pattern in enumerate(patterns)
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Security Hub remediation engine: forward this account's Config changes to the engine",
        "Parameters": {
            "AdminAccountId": {
                "Type": "String",
                "AllowedPattern": "^[0-9]{12}$",
                "Description": "The Security Hub administrator account where the engine stack runs.",
            }
        },
        "Conditions": {  # the administrator's own events are on its bus already: never forward to itself
            "IsMemberAccount": {
                "Fn::Not": [{"Fn::Equals": [{"Ref": "AWS::AccountId"}, {"Ref": "AdminAccountId"}]}]
            }
        },
        "Resources": {"ForwardRole": _forward_role(), **forwarders},
    }


def admin_bus_policy() -> dict[str, Any]:
    """template.yaml: the organization's accounts may put Config changes on this account's default bus."""
    return {
        "MemberConfigEventsPolicy": {
            "Type": "AWS::Events::EventBusPolicy",
            "Condition": "HasOrganization",
            "Properties": {
                "EventBusName": "default",
                "StatementId": {"Fn::Sub": "${EngineRolePrefix}-member-config-events"},
                "Statement": {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "events:PutEvents",
                    "Resource": {
                        "Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default"
                    },
                    "Condition": {
                        "StringEquals": {"aws:PrincipalOrgID": {"Ref": "OrganizationId"}},
                        "ForAllValues:StringEquals": {
                            "events:source": ["aws.config"],
                            "events:detail-type": [CONFIG_CHANGE],
                        },
                    },
                },
            },
        }
    }


def _forward_role() -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": "EventBridge forwards Config changes to the remediation engine's event bus",
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "events.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                        "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
                    }
                ],
            },
            "Policies": [
                {
                    "PolicyName": "put-events-on-the-engine-bus",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Action": "events:PutEvents", "Resource": ADMIN_BUS}
                        ],
                    },
                }
            ],
        },
    }
