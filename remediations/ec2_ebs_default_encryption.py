"""Turn on EBS encryption by default in the finding's account and region (control EC2.7).

Controls: EC2.7; CIS 1.4 2.2.1, CIS 3.0 2.2.1, CIS 5.0 5.1.1.
Why: new volumes and snapshot copies are then always encrypted; existing volumes are not
touched (AWS cannot encrypt a volume in place). The setting is per region, and the engine
hands this remediation a client in the region the finding names.
Guarantee: a region where encryption by default is already on is compliant whatever key it
uses. `kms_key_id` sets the default key only while the region still uses the AWS managed
key (`alias/aws/ebs`); a customer managed key someone chose is kept. The key is set before
encryption is switched on, so a key AWS refuses leaves the region as it was.
APIs: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableEbsEncryptionByDefault.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyEbsDefaultKmsKeyId.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.finding import Resource
from model.outcome import Change, Plan
from remediations.base import Params, Remediation, object_schema

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

AWS_MANAGED_KEY = "alias/aws/ebs"


def read(client: EC2Client, resource: Resource, params: Params) -> dict[str, Any]:
    """Whether encryption by default is on; the default key too, when the rule names one."""
    state: dict[str, Any] = {
        "EbsEncryptionByDefault": bool(client.get_ebs_encryption_by_default()["EbsEncryptionByDefault"])
    }
    if params.get("kms_key_id"):
        state["KmsKeyId"] = client.get_ebs_default_kms_key_id().get("KmsKeyId")
    return state


def uses_aws_managed_key(key_id: str | None) -> bool:
    return not key_id or key_id.endswith(AWS_MANAGED_KEY)


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    if state["EbsEncryptionByDefault"]:
        return Plan()
    changes = [Change("EbsEncryptionByDefault", False, True)]
    request: dict[str, Any] = {}
    current_key, wanted_key = state.get("KmsKeyId"), params.get("kms_key_id")
    if wanted_key and uses_aws_managed_key(current_key) and current_key != wanted_key:
        request["KmsKeyId"] = wanted_key
        changes.append(Change("EbsDefaultKmsKeyId", current_key or AWS_MANAGED_KEY, wanted_key))
    undo: dict[str, Any] = {"EbsEncryptionByDefault": False}
    if "KmsKeyId" in request:
        undo["KmsKeyId"] = current_key  # ResetEbsDefaultKmsKeyId when this is the AWS managed key
    return Plan(changes=tuple(changes), request=request, undo=undo)


def apply(client: EC2Client, resource: Resource, plan: Plan) -> None:
    if "KmsKeyId" in plan.request:
        client.modify_ebs_default_kms_key_id(KmsKeyId=plan.request["KmsKeyId"])
    client.enable_ebs_encryption_by_default()


REMEDIATION = Remediation(
    name="ec2.enable-ebs-default-encryption",
    summary="Turn on EBS encryption by default in the region, optionally with a KMS key.",
    service="ec2",
    resource_types=frozenset({"AwsAccount"}),
    permissions=(
        "ec2:GetEbsEncryptionByDefault",
        "ec2:GetEbsDefaultKmsKeyId",
        "ec2:ModifyEbsDefaultKmsKeyId",
        "ec2:EnableEbsEncryptionByDefault",
    ),
    parameters_schema=object_schema({"kms_key_id": {"type": "string", "minLength": 1, "maxLength": 2048}}),
    read=read,
    plan=plan,
    apply=apply,
)
