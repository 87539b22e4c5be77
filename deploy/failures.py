"""Where failures go: dead-letter queues, the encrypted notification topic and the alarms.

EventBridge retries delivery, then drops the event in `EventDeadLetterQueue`; Lambda retries an
asynchronous invocation twice, then sends it to `InvocationDeadLetterQueue`. Alarms on both queues,
on each function's errors, on failed outcomes and on outcomes Security Hub refused to record publish to `NotificationTopic`, where the engine
also reports failures and held findings (engine/notify.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.settings import METRIC_FINDINGS, METRIC_UNRECORDED, Settings

Cfn = Any

METRICS_NAMESPACE = Settings().metrics_namespace  # the engine's EMF namespace
ALARM_TOPIC = [{"Ref": "NotificationTopic"}]
#: EventBridge delivery retries before the dead-letter queue (its default would be 24 hours, 185 tries).
#: Lambda queues an asynchronous invocation whatever the function's concurrency and retries its own
#: throttles (ASYNC_RETRIES in deploy/functions.py), so a burst of findings does not exhaust these.
EVENT_RETRY_POLICY = {"MaximumRetryAttempts": 8, "MaximumEventAgeInSeconds": 3600}


def dead_letter_queues() -> dict[str, Any]:
    return {
        "EventDeadLetterQueue": _queue(
            "Events EventBridge could not deliver to a function, after its retries."
        ),
        "InvocationDeadLetterQueue": _queue(
            "Invocations that failed after Lambda's retries (on-failure destination)."
        ),
        "InvocationDeadLetterQueuePolicy": _queue_policy("InvocationDeadLetterQueue", []),
    }


def stack_alarms() -> dict[str, Any]:
    return {
        "EventDeadLetterAlarm": _depth_alarm("EventDeadLetterQueue", "EventBridge could not deliver events"),
        "InvocationDeadLetterAlarm": _depth_alarm(
            "InvocationDeadLetterQueue", "invocations failed after retries"
        ),
        "FailedRemediationsAlarm": failed_remediations_alarm(),
        "UnrecordedOutcomesAlarm": unrecorded_outcomes_alarm(),
    }


def notifications() -> dict[str, Any]:
    """The failure topic, encrypted with the stack's own key: CloudWatch alarms cannot publish to a
    topic under the AWS managed key alias/aws/sns, whose key policy cannot grant them."""
    account_root = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
    key_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministersTheKeyWithIam",
                "Effect": "Allow",
                "Principal": {"AWS": account_root},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudWatchAlarmsPublishToTheTopic",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
            },
        ],
    }
    topic_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AlarmsOfThisAccount",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": {"Ref": "NotificationTopic"},
                "Condition": {
                    "ArnLike": {
                        "aws:SourceArn": {
                            "Fn::Sub": "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*"
                        }
                    }
                },
            },
            _deny_insecure_transport("sns:Publish", {"Ref": "NotificationTopic"}),
        ],
    }
    return {
        "NotificationKey": {
            "Type": "AWS::KMS::Key",
            "Properties": {
                "Description": {"Fn::Sub": "${AWS::StackName}: encrypts the remediation notification topic"},
                "EnableKeyRotation": True,
                "KeyPolicy": key_policy,
            },
        },
        "NotificationTopic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"KmsMasterKeyId": {"Fn::GetAtt": ["NotificationKey", "Arn"]}},
        },
        "NotificationTopicPolicy": {
            "Type": "AWS::SNS::TopicPolicy",
            "Properties": {"Topics": [{"Ref": "NotificationTopic"}], "PolicyDocument": topic_policy},
        },
        "NotificationEmailSubscription": {
            "Type": "AWS::SNS::Subscription",
            "Condition": "HasNotificationEmail",
            "Properties": {
                "TopicArn": {"Ref": "NotificationTopic"},
                "Protocol": "email",
                "Endpoint": {"Ref": "NotificationEmail"},
            },
        },
    }


def event_dead_letter_policy(rule_arns: Sequence[Cfn]) -> dict[str, Any]:
    """Only this stack's EventBridge rules may drop undeliverable events in the queue."""
    return _queue_policy(
        "EventDeadLetterQueue",
        [
            {
                "Sid": "EventBridgeRulesOfThisStack",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": {"Fn::GetAtt": ["EventDeadLetterQueue", "Arn"]},
                "Condition": {"ArnEquals": {"aws:SourceArn": list(rule_arns)}},
            }
        ],
    )


def failed_remediations_alarm() -> dict[str, Any]:
    """Any finding whose outcome is `failed`, from the engine's EMF metric `Findings` (all rules)."""
    query = f"SELECT SUM({METRIC_FINDINGS}) FROM {METRICS_NAMESPACE} WHERE Outcome = 'failed'"
    return alarm(
        "remediations failed (metric Findings, Outcome=failed)",
        {"Metrics": [{"Id": "failed", "Expression": query, "Period": 300, "ReturnData": True}]},
    )


def unrecorded_outcomes_alarm() -> dict[str, Any]:
    """Security Hub refused a note or workflow update: a fix (or a failure) nobody sees on the finding.

    The engine also retries the event, so the next delivery writes the note; the alarm says it
    happened, and keeps saying so while Security Hub keeps refusing.
    """
    return alarm(
        f"Security Hub did not record outcomes (metric {METRIC_UNRECORDED})",
        {
            "Namespace": METRICS_NAMESPACE,
            "MetricName": METRIC_UNRECORDED,
            "Statistic": "Sum",
            "Period": 300,
        },
    )


def alarm(description: str, metric: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": {"Fn::Sub": f"${{AWS::StackName}}: {description}"},
            **metric,
            "EvaluationPeriods": 1,
            "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": ALARM_TOPIC,
        },
    }


def _depth_alarm(queue_id: str, what: str) -> dict[str, Any]:
    return alarm(
        f"{what}: messages wait in {queue_id}",
        {
            "Namespace": "AWS/SQS",
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_id, "QueueName"]}}],
            "Statistic": "Maximum",
            "Period": 300,
        },
    )


def _queue(description: str) -> dict[str, Any]:
    return {
        "Type": "AWS::SQS::Queue",
        "Metadata": {"Purpose": description},
        "Properties": {"SqsManagedSseEnabled": True, "MessageRetentionPeriod": 1209600},
    }


def _queue_policy(queue_id: str, statements: list[dict[str, Any]]) -> dict[str, Any]:
    queue_arn = {"Fn::GetAtt": [queue_id, "Arn"]}
    return {
        "Type": "AWS::SQS::QueuePolicy",
        "Properties": {
            "Queues": [{"Ref": queue_id}],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [*statements, _deny_insecure_transport("sqs:*", queue_arn)],
            },
        },
    }


def _deny_insecure_transport(action: str, resource: Cfn) -> dict[str, Any]:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": action,
        "Resource": resource,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
