"""A small OCSF factory: AWS Security Hub's Compliance Findings (class_uid 2003) for the demo.

Built from the same control, resource, account and Region as an ASFF finding (`demo.asff`), with
the field layout of events/securityhub-imported-v2-*.json: the ids a V2 update needs
(`cloud.account.uid`, `finding_info.uid`, `metadata.product.uid`), the control, Fail, status New,
and the resource by its CloudFormation type, its native id and its ARN.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from demo.asff import CONTROLS, FSBP, Control, Target
from engine.parse import IMPORTED_V2

#: The CloudFormation type OCSF (like AWS Config) names each demo resource by.
CFN_TYPES: Mapping[str, str] = {
    "AwsS3Bucket": "AWS::S3::Bucket",
    "AwsAccount": "AWS::::Account",
    "AwsSqsQueue": "AWS::SQS::Queue",
    "AwsSnsTopic": "AWS::SNS::Topic",
    "AwsKmsKey": "AWS::KMS::Key",
    "AwsDynamoDbTable": "AWS::DynamoDB::Table",
}


def finding(control_id: str, target: Target, account: str, region: str) -> dict[str, Any]:
    """A Fail, New Compliance Finding on `target`, as AWS Security Hub reports a CSPM control."""
    control = CONTROLS.get(control_id) or Control(control_id, f"Control {control_id}", control_id.lower())
    uid = f"arn:aws:securityhub:{region}:{account}:security-control/{control_id}/finding/{uuid.uuid4()}"
    now = datetime.now(UTC)
    millis = int(now.timestamp() * 1000)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    native = target.id.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    resource: dict[str, Any] = {
        "cloud_partition": "aws",
        "owner": {"account": {"uid": account}},
        "region": region,
        "type": CFN_TYPES[target.type],
        "uid": native,
    }
    if target.id.startswith("arn:"):
        resource["uid_alt"] = target.id
    return {
        "activity_id": 1,
        "activity_name": "Create",
        "category_name": "Findings",
        "category_uid": 2,
        "class_name": "Compliance Finding",
        "class_uid": 2003,
        "cloud": {"account": {"uid": account}, "provider": "AWS", "region": region},
        "compliance": {"control": control_id, "standards": [FSBP], "status": "Fail", "status_id": 3},
        "finding_info": {
            "analytic": {
                "category": "AWS::Config::ConfigRule",
                "name": f"securityhub-{control.config_rule}-{uuid.uuid4().hex[:8]}",
                "type": "Rule",
                "type_id": 1,
            },
            "created_time": millis,
            "created_time_dt": stamp,
            "title": control.title,
            "uid": uid,
        },
        "metadata": {
            "product": {
                "name": "Security Hub",
                "uid": f"arn:aws:securityhub:{region}::productv2/aws/securityhub",
                "vendor_name": "AWS",
            },
            "uid": hashlib.sha256(uid.encode()).hexdigest(),
            "version": "1.6.0",
        },
        "resources": [resource],
        "severity": control.severity.title(),
        "status": "New",
        "status_id": 1,
        "time": millis,
        "time_dt": stamp,
        "type_uid": 200301,
    }


def imported_event(finding: Mapping[str, Any], hub_account: str, hub_region: str) -> dict[str, Any]:
    """`Findings Imported V2`: one OCSF finding, `resources` its `metadata.uid`."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": IMPORTED_V2,
        "source": "aws.securityhub",
        "account": hub_account,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": hub_region,
        "resources": [finding["metadata"]["uid"]],
        "detail": {"findings": [dict(finding)]},
    }
