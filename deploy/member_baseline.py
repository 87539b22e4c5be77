"""`deploy/member-baseline.yaml`: the destinations the logging and detection remediations point at.

A remediation never creates a bucket, key, role or topic (remediations/destinations.py). This
stack does, once per member account **and Region** (a StackSet, like the member roles), and
publishes each as an SSM String parameter under `PREFIX`, which a remediation reads with one
GetParameters call in the resource's account and Region:

- `log-bucket`: CloudTrail and AWS Config deliver here (bucket policy for both services, this
  account only); it logs its own access to the access log bucket;
- `access-log-bucket`: S3 server access logs of the account's buckets in this Region (S3 delivers
  only within one account and Region), policy for `logging.s3.amazonaws.com`, this account only;
- `cloudtrail-key-arn`: a KMS key (rotation on) whose policy lets CloudTrail encrypt for this
  account's trails, CloudWatch Logs use it for this account's log groups here, CloudWatch alarms
  publish to the encrypted topic, and the account's principals decrypt trail logs as IAM allows;
- `cloudtrail-log-group-arn` and `cloudtrail-logs-role-arn`: a log group for a trail and the role
  CloudTrail assumes to write to it (`logs:CreateLogStream`, `logs:PutLogEvents` on that group);
- `flow-logs-log-group-arn` and `flow-logs-role-arn`: a log group for VPC flow logs and the role
  the flow-logs service assumes to write to it;
- `alarm-topic-arn`: an SNS topic for the CIS CloudWatch alarms (encrypted with the key; an
  optional e-mail subscription).

Role names are fixed (`ROLE_NAMES`, with the Region: IAM is global, this stack is per Region), so
a remediation that hands one to a service is granted `iam:PassRole` on exactly these names. An
organisation with central logging puts its own destinations in the same parameters instead.
Buckets, the key and the log groups are retained when the stack is deleted: they hold logs.
"""

from __future__ import annotations

from typing import Any

from remediations.destinations import BASELINE_ROLES, PREFIX

#: The roles the baseline makes, by SSM parameter; `{region}` is the stack's Region. Named where
#: the destinations that pass them are declared, so the PassRole grant and the role agree.
ROLE_NAMES = {role.name: role.role_name.replace("*", "{region}") for role in BASELINE_ROLES}
LOG_BUCKET = "sechub-baseline-logs-${AWS::AccountId}-${AWS::Region}"
ACCESS_LOG_BUCKET = "sechub-baseline-access-logs-${AWS::AccountId}-${AWS::Region}"
THIS_ACCOUNT = {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
RETAIN = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}

PARAMETERS = {
    "LogRetentionDays": {
        "Type": "Number",
        "Default": 365,
        "AllowedValues": [30, 90, 180, 365, 400, 731, 1827, 3653],
        "Description": "Days the log buckets keep objects and the log groups keep events.",
    },
    "AlarmEmail": {
        "Type": "String",
        "Default": "",
        "AllowedPattern": "^([^@\\s]+@[^@\\s]+)?$",
        "Description": "An address subscribed to the CIS alarm topic (it must confirm); empty: no subscription.",
    },
}
HAS_ALARM_EMAIL = "HasAlarmEmail"


def _sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def _arn(logical_id: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def _bucket(name: str, *, logs_to: str | None) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "BucketName": _sub(name),
        "BucketEncryption": {
            # SSE-S3: server access logs can be delivered only to a bucket encrypted with SSE-S3
            "ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
            ]
        },
        "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "VersioningConfiguration": {"Status": "Enabled"},
        "LifecycleConfiguration": {
            "Rules": [
                {
                    "Id": "expire-logs",
                    "Status": "Enabled",
                    "ExpirationInDays": {"Ref": "LogRetentionDays"},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                }
            ]
        },
    }
    if not logs_to:
        return {"Type": "AWS::S3::Bucket", **RETAIN, "Properties": properties}
    properties["LoggingConfiguration"] = {
        "DestinationBucketName": {"Ref": logs_to},
        "LogFilePrefix": _sub(f"{name}/"),
    }
    # S3 checks the target admits log delivery when logging is turned on: its policy first
    return {"Type": "AWS::S3::Bucket", **RETAIN, "DependsOn": f"{logs_to}Policy", "Properties": properties}


def _bucket_policy(bucket: str, statements: list[dict[str, Any]]) -> dict[str, Any]:
    arn = _sub(f"arn:${{AWS::Partition}}:s3:::${{{bucket}}}")
    objects = _sub(f"arn:${{AWS::Partition}}:s3:::${{{bucket}}}/*")
    deny_plain_http = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, objects],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    return {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": {"Ref": bucket},
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [deny_plain_http, *statements]},
        },
    }


def _service_statement(sid: str, service: str, actions: list[str], resource: Any) -> dict[str, Any]:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": actions,
        "Resource": resource,
        "Condition": THIS_ACCOUNT,
    }


def _log_bucket_policy() -> dict[str, Any]:
    bucket = _sub("arn:${AWS::Partition}:s3:::${LogBucket}")
    own_logs = _sub("arn:${AWS::Partition}:s3:::${LogBucket}/AWSLogs/${AWS::AccountId}/*")
    return _bucket_policy(
        "LogBucket",
        [
            _service_statement("CloudTrailAclCheck", "cloudtrail.amazonaws.com", ["s3:GetBucketAcl"], bucket),
            _service_statement("CloudTrailWrite", "cloudtrail.amazonaws.com", ["s3:PutObject"], own_logs),
            _service_statement(
                "ConfigAclCheck", "config.amazonaws.com", ["s3:GetBucketAcl", "s3:ListBucket"], bucket
            ),
            _service_statement(
                "ConfigWrite",
                "config.amazonaws.com",
                ["s3:PutObject"],
                _sub("arn:${AWS::Partition}:s3:::${LogBucket}/AWSLogs/${AWS::AccountId}/Config/*"),
            ),
        ],
    )


def _access_log_bucket_policy() -> dict[str, Any]:
    return _bucket_policy(
        "AccessLogBucket",
        [
            _service_statement(
                "S3ServerAccessLogs",
                "logging.s3.amazonaws.com",
                ["s3:PutObject"],
                _sub("arn:${AWS::Partition}:s3:::${AccessLogBucket}/*"),
            )
        ],
    )


def _key() -> dict[str, Any]:
    trails = _sub("arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*")
    statements = [
        {
            "Sid": "AccountAdministersTheKeyThroughIam",
            "Effect": "Allow",
            "Principal": {"AWS": _sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "CloudTrailEncryptsThisAccountsTrails",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "kms:GenerateDataKey*",
            "Resource": "*",
            "Condition": {
                **THIS_ACCOUNT,
                "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trails},
            },
        },
        {
            "Sid": "CloudTrailDescribesTheKey",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "kms:DescribeKey",
            "Resource": "*",
            "Condition": THIS_ACCOUNT,
        },
        {
            "Sid": "AccountPrincipalsDecryptTrailLogsAsIamAllows",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["kms:Decrypt", "kms:ReEncryptFrom"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {"kms:CallerAccount": {"Ref": "AWS::AccountId"}},
                "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trails},
            },
        },
        {
            "Sid": "CloudWatchLogsEncryptsThisAccountsLogGroups",
            "Effect": "Allow",
            "Principal": {"Service": _sub("logs.${AWS::Region}.amazonaws.com")},
            "Action": [
                "kms:Encrypt*",
                "kms:Decrypt*",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:Describe*",
            ],
            "Resource": "*",
            "Condition": {
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": _sub(
                        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"
                    )
                }
            },
        },
        {
            "Sid": "CloudWatchAlarmsPublishToTheEncryptedTopic",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": THIS_ACCOUNT,
        },
    ]
    return {
        "Type": "AWS::KMS::Key",
        **RETAIN,
        "Properties": {
            "Description": "sechub-remediator baseline: CloudTrail logs, log groups and the CIS alarm topic",
            "EnableKeyRotation": True,
            "KeyPolicy": {"Version": "2012-10-17", "Statement": statements},
        },
    }


def _log_group(name: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Logs::LogGroup",
        **RETAIN,
        "Properties": {
            "LogGroupName": name,
            "RetentionInDays": {"Ref": "LogRetentionDays"},
            "KmsKeyId": _arn("Key"),
        },
    }


def _service_role(parameter: str, service: str, actions: list[str], log_group: str) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": _sub(ROLE_NAMES[parameter].format(region="${AWS::Region}")),
            "Description": f"sechub-remediator baseline: {service} writes to {log_group}",
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": service},
                        "Action": "sts:AssumeRole",
                        "Condition": THIS_ACCOUNT,
                    }
                ],
            },
            "Policies": [
                {
                    "PolicyName": "write-log-group",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "WriteTheLogGroup",
                                "Effect": "Allow",
                                "Action": actions,
                                "Resource": _arn(log_group),
                            }
                        ],
                    },
                }
            ],
        },
    }


#: SSM parameter name under PREFIX → the value it publishes.
PUBLISHED: dict[str, Any] = {
    "log-bucket": {"Ref": "LogBucket"},
    "access-log-bucket": {"Ref": "AccessLogBucket"},
    "cloudtrail-key-arn": _arn("Key"),
    "cloudtrail-log-group-arn": _arn("TrailLogGroup"),
    "cloudtrail-logs-role-arn": _arn("TrailLogsRole"),
    "flow-logs-log-group-arn": _arn("FlowLogGroup"),
    "flow-logs-role-arn": _arn("FlowLogsRole"),
    "alarm-topic-arn": {"Ref": "AlarmTopic"},
}


def _logical_id(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-")) + "Parameter"


def baseline_template() -> dict[str, Any]:
    resources: dict[str, Any] = {
        "Key": _key(),
        "KeyAlias": {
            "Type": "AWS::KMS::Alias",
            "Properties": {"AliasName": "alias/sechub-baseline", "TargetKeyId": {"Ref": "Key"}},
        },
        "AccessLogBucket": _bucket(ACCESS_LOG_BUCKET, logs_to=None),
        "AccessLogBucketPolicy": _access_log_bucket_policy(),
        "LogBucket": _bucket(LOG_BUCKET, logs_to="AccessLogBucket"),
        "LogBucketPolicy": _log_bucket_policy(),
        "TrailLogGroup": _log_group("sechub-baseline/cloudtrail"),
        "TrailLogsRole": _service_role(
            "cloudtrail-logs-role-arn",
            "cloudtrail.amazonaws.com",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            "TrailLogGroup",
        ),
        "FlowLogGroup": _log_group("sechub-baseline/vpc-flow-logs"),
        "FlowLogsRole": _service_role(
            "flow-logs-role-arn",
            "vpc-flow-logs.amazonaws.com",
            [
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DescribeLogGroups",
                "logs:DescribeLogStreams",
            ],
            "FlowLogGroup",
        ),
        "AlarmTopic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": "sechub-baseline-cis-alarms", "KmsMasterKeyId": {"Ref": "Key"}},
        },
        "AlarmTopicPolicy": {
            "Type": "AWS::SNS::TopicPolicy",
            "Properties": {
                "Topics": [{"Ref": "AlarmTopic"}],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        _service_statement(
                            "CloudWatchAlarmsPublish",
                            "cloudwatch.amazonaws.com",
                            ["sns:Publish"],
                            {"Ref": "AlarmTopic"},
                        )
                    ],
                },
            },
        },
        "AlarmSubscription": {
            "Type": "AWS::SNS::Subscription",
            "Condition": HAS_ALARM_EMAIL,
            "Properties": {
                "TopicArn": {"Ref": "AlarmTopic"},
                "Protocol": "email",
                "Endpoint": {"Ref": "AlarmEmail"},
            },
        },
    }
    for name, value in PUBLISHED.items():
        resources[_logical_id(name)] = {
            "Type": "AWS::SSM::Parameter",
            "Properties": {
                "Name": PREFIX + name,
                "Type": "String",
                "Value": value,
                "Description": "sechub-remediator baseline destination (deploy/member-baseline.yaml)",
            },
        }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Security Hub remediation engine: the logging and detection destinations its remediations point at, in this account and Region",
        "Parameters": PARAMETERS,
        "Conditions": {HAS_ALARM_EMAIL: {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]}},
        "Resources": resources,
        "Outputs": {
            _logical_id(name).removesuffix("Parameter"): {"Value": value, "Description": PREFIX + name}
            for name, value in PUBLISHED.items()
        },
    }
