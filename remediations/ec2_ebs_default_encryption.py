"""Turn on EBS encryption by default in the finding's account and region (control EC2.7).

Controls: EC2.7; CIS 1.4 2.2.1, CIS 3.0 2.2.1, CIS 5.0 5.1.1.
Why: new volumes and snapshot copies are then always encrypted; existing volumes are not
touched (AWS cannot encrypt a volume in place). The setting is per region, and the engine
hands this remediation a client in the region the finding names.
Guarantee: a region where encryption by default is already on is compliant whatever key it
uses. `kms_key_id` sets the default key only while the region still uses the AWS managed
key (`alias/aws/ebs`); a customer managed key someone chose is kept. The key is set before
encryption is switched on, so a key AWS refuses leaves the region as it was. Revert switches
encryption by default off again and puts the old default key back, unless the owner chose a
key of their own since.
APIs: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableEbsEncryptionByDefault.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DisableEbsEncryptionByDefault.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyEbsDefaultKmsKeyId.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Params, Permissions, Remediation, Risk
from remediations.identities import ACCOUNT
from remediations.revert import kept_note, refuse_unless_forced

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

    from remediations.cases import Cases

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
        return Plan(after=dict(state))
    changes = [Change("EbsEncryptionByDefault", False, True)]
    calls = []
    after = {**state, "EbsEncryptionByDefault": True}
    current_key, wanted_key = state.get("KmsKeyId"), params.get("kms_key_id")
    if wanted_key and uses_aws_managed_key(current_key) and current_key != wanted_key:
        calls.append(ApiCall("modify_ebs_default_kms_key_id", {"KmsKeyId": wanted_key}))
        changes.append(Change("EbsDefaultKmsKeyId", current_key or AWS_MANAGED_KEY, wanted_key))
        after["KmsKeyId"] = wanted_key
    calls.append(ApiCall("enable_ebs_encryption_by_default"))
    return Plan(changes=tuple(changes), calls=tuple(calls), after=after)


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    if not current["EbsEncryptionByDefault"]:
        refuse_unless_forced(force, "EBS encryption by default", "off", "on")
    changes, calls, notes = [], [], []
    back = dict(current)
    if after.get("KmsKeyId") != before.get("KmsKeyId"):  # the fix set the default key
        if current.get("KmsKeyId") != after.get("KmsKeyId"):
            notes.append(kept_note("default key", current.get("KmsKeyId")))
        else:  # the fix replaced the AWS managed key (it never replaces another): reset to it
            old = before.get("KmsKeyId")
            calls.append(ApiCall("reset_ebs_default_kms_key_id"))
            changes.append(Change("EbsDefaultKmsKeyId", current.get("KmsKeyId"), old or AWS_MANAGED_KEY))
            back["KmsKeyId"] = old
    if current["EbsEncryptionByDefault"] and not before["EbsEncryptionByDefault"]:
        calls.append(ApiCall("disable_ebs_encryption_by_default"))
        changes.append(Change("EbsEncryptionByDefault", True, False))
        back["EbsEncryptionByDefault"] = False
    return Plan(changes=tuple(changes), calls=tuple(calls), after=back, notes=tuple(notes))


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    customer_key = not uses_aws_managed_key(before.get("KmsKeyId"))
    return (after["EbsEncryptionByDefault"] or not before["EbsEncryptionByDefault"]) and (
        not customer_key or after.get("KmsKeyId") == before.get("KmsKeyId")
    )


def cases() -> Cases:
    from remediations.cases import (
        ACCOUNT,
        KEY_ARN,
        REGION,
        Cases,
        Exchange,
        LiveCase,
        PlanCase,
        RevertCase,
        StubbedCase,
        resource,
    )

    managed = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/aws/ebs"
    own = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/owners-own"
    off, on = {"EbsEncryptionByDefault": False}, {"EbsEncryptionByDefault": True}

    def setup(session: Any) -> Resource:
        return resource("AwsAccount", f"AWS::::Account:{ACCOUNT}")

    return Cases(
        plans=(
            PlanCase("off", off, {}, ("EbsEncryptionByDefault: false → true",)),
            PlanCase("on already", on, {"kms_key_id": KEY_ARN}, ()),
            PlanCase(
                "off, with the rule's key",
                {**off, "KmsKeyId": managed},
                {"kms_key_id": KEY_ARN},
                ("EbsEncryptionByDefault: false → true", f"EbsDefaultKmsKeyId: {managed} → {KEY_ARN}"),
            ),
            PlanCase(
                "a customer key is kept",
                {**off, "KmsKeyId": own},
                {"kms_key_id": KEY_ARN},
                ("EbsEncryptionByDefault: false → true",),
            ),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsAccount", f"AWS::::Account:{ACCOUNT}"),
            params={"kms_key_id": KEY_ARN},
            calls=(
                Exchange("get_ebs_encryption_by_default", {}, {"EbsEncryptionByDefault": False}),
                Exchange("get_ebs_default_kms_key_id", {}, {"KmsKeyId": managed}),
                Exchange("modify_ebs_default_kms_key_id", {"KmsKeyId": KEY_ARN}, {"KmsKeyId": KEY_ARN}),
                Exchange("enable_ebs_encryption_by_default", {}, {"EbsEncryptionByDefault": True}),
            ),
            refusals=(
                (0, "UnauthorizedOperation"),
                (2, "InvalidParameterValue"),
                (3, "RequestLimitExceeded"),
            ),
        ),
        reverts=(
            RevertCase("off again", off, on, on, ("EbsEncryptionByDefault: true → false",)),
            RevertCase(
                "off again, the AWS managed key back",
                {**off, "KmsKeyId": managed},
                {**on, "KmsKeyId": KEY_ARN},
                {**on, "KmsKeyId": KEY_ARN},
                (f"EbsDefaultKmsKeyId: {KEY_ARN} → {managed}", "EbsEncryptionByDefault: true → false"),
            ),
            RevertCase(
                "owner's own key since: kept",
                {**off, "KmsKeyId": managed},
                {**on, "KmsKeyId": KEY_ARN},
                {**on, "KmsKeyId": own},
                ("EbsEncryptionByDefault: true → false",),
                kept=own,
                since="stricter",
            ),
            RevertCase(
                "changed by someone else since: switched off",
                off,
                on,
                off,
                conflict=True,
                forced=(),
                since="changed",
            ),
        ),
        live=LiveCase(setup, {}),
        keeps=keeps,
        identities=(
            (resource("AwsAccount", f"AWS::::Account:{ACCOUNT}"), ACCOUNT),
            (resource("AWS::::Account", ACCOUNT, ResourceFormat.CONFIG), ACCOUNT),
        ),
    )


REMEDIATION = Remediation(
    name="ec2.enable-ebs-default-encryption",
    summary="Turn on EBS encryption by default in the region, optionally with a KMS key.",
    service="ec2",
    identity=ACCOUNT,
    permissions=Permissions(
        read=("ec2:GetEbsEncryptionByDefault", "ec2:GetEbsDefaultKmsKeyId"),
        write=("ec2:EnableEbsEncryptionByDefault",),
        revert=("ec2:DisableEbsEncryptionByDefault", "ec2:ResetEbsDefaultKmsKeyId"),
        with_key=("ec2:ModifyEbsDefaultKmsKeyId",),
    ),
    risk=Risk.SAFE,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
    takes_kms_key=True,
)
