"""A small ASFF factory: findings shaped like Security Hub's own (see events/*.json), and events.

Two forms, as a fleet has both (see engine/identifiers.py): consolidated control findings
(`security-control/<id>`) and per-standard CIS 1.2.0 findings (`subscription/…/<rule>`), which
carry the control in `ProductFields.RuleId` rather than `Compliance.SecurityControlId`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.parse import CUSTOM_ACTION, IMPORTED

FSBP = "standards/aws-foundational-security-best-practices/v/1.0.0"
CIS_12 = "cis-aws-foundations-benchmark/v/1.2.0"
COMPLIANCE_TYPE = "Software and Configuration Checks/Industry and Regulatory Standards"


@dataclass(frozen=True, slots=True)
class Control:
    id: str
    title: str
    config_rule: str  # the managed rule behind the control, as Security Hub names its copy; "": its own check
    severity: str = "MEDIUM"


CONTROLS: Mapping[str, Control] = {
    c.id: c
    for c in (
        Control(
            "S3.17",
            "S3 general purpose buckets should be encrypted at rest with AWS KMS keys",
            "s3-default-encryption-kms",
        ),
        Control(
            "S3.8",
            "S3 general purpose buckets should block public access",
            "s3-bucket-level-public-access-prohibited",
            "HIGH",
        ),
        Control(
            "IAM.7",
            "Password policies for IAM users should have strong configurations",
            "iam-password-policy-recommended-defaults",
        ),
        Control(
            "IAM.15",
            "Ensure IAM password policy requires minimum password length of 14 or greater",
            "iam-password-policy-minimum-length-check",
        ),
        Control(
            "EC2.13",
            "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22",
            "restricted-ssh",
            "HIGH",
        ),
        Control(
            "EC2.14",
            "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 3389",
            "restricted-rdp",
            "HIGH",
        ),
        Control(
            "EC2.2",
            "VPC default security groups should not allow inbound or outbound traffic",
            "vpc-default-security-group-closed",
            "HIGH",
        ),
        Control(
            "Lambda.1",
            "Lambda function policies should prohibit public access",
            "lambda-function-public-access-prohibited",
            "CRITICAL",
        ),
        Control("SQS.1", "Amazon SQS queues should be encrypted at rest", "sqs-queue-encrypted"),
        Control("SNS.1", "SNS topics should be encrypted at-rest using AWS KMS", "sns-encrypted-kms"),
        Control("KMS.4", "AWS KMS key rotation should be enabled", "cmk-backing-key-rotation-enabled"),
        Control(
            "DynamoDB.6",
            "DynamoDB tables should have deletion protection enabled",
            "dynamodb-table-deletion-protection-enabled",
        ),
        # The logging and detection baseline (demo/baseline.py).
        Control(
            "CloudTrail.1",
            "CloudTrail should be enabled and configured with at least one multi-Region trail that "
            "includes read and write management events",
            "multi-region-cloud-trail-enabled",
            "HIGH",
        ),
        Control(
            "CloudTrail.2",
            "CloudTrail should have encryption at-rest enabled",
            "cloud-trail-encryption-enabled",
        ),
        Control(
            "CloudTrail.5",
            "CloudTrail trails should be integrated with Amazon CloudWatch Logs",
            "cloud-trail-cloud-watch-logs-enabled",
            "LOW",
        ),
        Control("Config.1", "Config should be enabled", "", "CRITICAL"),
        Control(
            "CloudWatch.1",
            'A log metric filter and alarm should exist for usage of the "root" user',
            "",
            "LOW",
        ),
        Control(
            "CloudWatch.4", "Ensure a log metric filter and alarm exist for IAM policy changes", "", "LOW"
        ),
        Control(
            "CloudWatch.5",
            "Ensure a log metric filter and alarm exist for CloudTrail configuration changes",
            "",
            "LOW",
        ),
        Control("EC2.6", "VPC flow logging should be enabled in all VPCs", "vpc-flow-logs-enabled"),
        Control(
            "S3.9",
            "S3 general purpose buckets should have server access logging enabled",
            "s3-bucket-logging-enabled",
        ),
        Control("GuardDuty.1", "GuardDuty should be enabled", "guardduty-enabled-centralized", "HIGH"),
    )
}
#: CIS AWS Foundations Benchmark v1.2.0 rule numbers of the controls above.
CIS_12_RULES: Mapping[str, str] = {"IAM.15": "1.9", "EC2.13": "4.1", "EC2.14": "4.2"}
NORMALIZED = {"LOW": 1, "MEDIUM": 40, "HIGH": 70, "CRITICAL": 90}


@dataclass(frozen=True, slots=True)
class Target:
    """The resource a finding names, as ASFF `Resources[0]`."""

    type: str
    id: str
    details: Mapping[str, Any] | None = None


def finding(
    control_id: str, target: Target, account: str, region: str, *, legacy: bool = False
) -> dict[str, Any]:
    """A FAILED, ACTIVE, NEW control finding on `target`; `legacy` makes the CIS 1.2.0 form."""
    control = CONTROLS.get(control_id) or Control(control_id, f"Control {control_id}", control_id.lower())
    product_arn = f"arn:aws:securityhub:{region}::product/aws/securityhub"
    now = datetime.now(UTC)
    created = _iso(now - timedelta(days=1))
    rule_suffix = uuid.uuid4().hex[:8]
    product_fields: dict[str, str] = {}
    if control.config_rule:  # Security Hub's own checks (Config.1, CloudWatch.x) name no rule
        product_fields["RelatedAWSResources:0/name"] = f"securityhub-{control.config_rule}-{rule_suffix}"
        product_fields["RelatedAWSResources:0/type"] = "AWS::Config::ConfigRule"
    product_fields |= {
        "aws/securityhub/ProductName": "Security Hub",
        "aws/securityhub/CompanyName": "AWS",
        "Resources:0/Id": target.id,
    }
    compliance: dict[str, Any]
    if legacy:
        rule = CIS_12_RULES[control_id]
        finding_id = (
            f"arn:aws:securityhub:{region}:{account}:subscription/{CIS_12}/{rule}/finding/{uuid.uuid4()}"
        )
        generator = f"arn:aws:securityhub:::ruleset/{CIS_12}/rule/{rule}"
        product_fields |= {
            "StandardsGuideArn": f"arn:aws:securityhub:::ruleset/{CIS_12}",
            "StandardsGuideSubscriptionArn": f"arn:aws:securityhub:{region}:{account}:subscription/{CIS_12}",
            "RuleId": rule,
            "RecommendationUrl": f"https://docs.aws.amazon.com/console/securityhub/standards-cis-{rule}/remediation",
            "StandardsControlArn": f"arn:aws:securityhub:{region}:{account}:control/{CIS_12}/{rule}",
        }
        compliance = {
            "Status": "FAILED",
            "AssociatedStandards": [{"StandardsId": f"ruleset/{CIS_12}"}],
            "RelatedRequirements": [f"CIS AWS Foundations Benchmark v1.2.0/{rule}"],
        }
        types = [f"{COMPLIANCE_TYPE}/CIS AWS Foundations Benchmark"]
    else:
        finding_id = (
            f"arn:aws:securityhub:{region}:{account}:security-control/{control_id}/finding/{uuid.uuid4()}"
        )
        generator = f"security-control/{control_id}"
        compliance = {
            "Status": "FAILED",
            "SecurityControlId": control_id,
            "AssociatedStandards": [{"StandardsId": FSBP}],
        }
        types = [COMPLIANCE_TYPE]
    product_fields["aws/securityhub/FindingId"] = f"{product_arn}/{finding_id}"
    resource: dict[str, Any] = {"Type": target.type, "Id": target.id, "Partition": "aws", "Region": region}
    if target.details:
        resource["Details"] = dict(target.details)
    severity = {
        "Label": control.severity,
        "Normalized": NORMALIZED[control.severity],
        "Original": control.severity,
    }
    return {
        "SchemaVersion": "2018-10-08",
        "Id": finding_id,
        "ProductArn": product_arn,
        "ProductName": "Security Hub CSPM",
        "CompanyName": "AWS",
        "Region": region,
        "GeneratorId": generator,
        "AwsAccountId": account,
        "Types": types,
        "FirstObservedAt": created,
        "LastObservedAt": _iso(now),
        "CreatedAt": created,
        "UpdatedAt": _iso(now),
        "Severity": severity,
        "Title": control.title,
        "Description": control.title,
        "Remediation": {
            "Recommendation": {
                "Text": "For information on how to correct this issue, consult the AWS Security Hub controls documentation.",
                "Url": f"https://docs.aws.amazon.com/console/securityhub/{control_id}/remediation",
            }
        },
        "ProductFields": product_fields,
        "Resources": [resource],
        "Compliance": compliance,
        "WorkflowState": "NEW",
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE",
        "FindingProviderFields": {
            "Severity": {"Label": control.severity, "Original": control.severity},
            "Types": [COMPLIANCE_TYPE],
        },
    }


def imported_event(finding: Mapping[str, Any], hub_account: str, hub_region: str) -> dict[str, Any]:
    """`Security Hub Findings - Imported`: exactly one finding, as Security Hub sends it."""
    return _event(
        IMPORTED,
        hub_account,
        hub_region,
        [f"{finding['ProductArn']}/{finding['Id']}"],
        {"findings": [dict(finding)]},
    )


def custom_action_event(
    findings: Sequence[Mapping[str, Any]],
    action_arn: str,
    action_name: str,
    hub_account: str,
    hub_region: str,
) -> dict[str, Any]:
    """`Security Hub Findings - Custom Action` for the findings a user selected in the console."""
    detail = {
        "actionName": action_name,
        "actionDescription": "Send the selected findings to the remediation engine",
        "findings": [dict(f) for f in findings],
    }
    return _event(CUSTOM_ACTION, hub_account, hub_region, [action_arn], detail)


def _event(
    detail_type: str, account: str, region: str, resources: list[str], detail: dict[str, Any]
) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": "aws.securityhub",
        "account": account,
        "time": _iso(datetime.now(UTC), millis=False),
        "region": region,
        "resources": resources,
        "detail": detail,
    }


def _iso(moment: datetime, *, millis: bool = True) -> str:
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
