"""Turn on automatic rotation of a customer managed symmetric KMS key (control KMS.4).

Controls: KMS.4; CIS 1.2 2.8, CIS 1.4 3.8, CIS 3.0 3.6, CIS 5.0 3.6, PCI.KMS.1.
Why: rotation gives the key new key material on a schedule (365 days unless the rule's
`rotation_period_days` says otherwise); old material stays to decrypt what it encrypted, so
nothing that uses the key notices. No outage; the extra key material is billed.
Guarantee: a key whose rotation is already on is compliant and keeps its own period, longer or
shorter than the rule's: the period is only ever set together with switching rotation on.
A key KMS cannot rotate is left alone and the finding is NOTIFIED with the reason
(`UnsupportedResourceError`): asymmetric and HMAC keys, imported key material (`Origin`
EXTERNAL), keys in a custom key store, a key that is not Enabled (disabled, pending deletion or
import), an AWS managed key (AWS rotates those itself) and a multi-Region replica (rotation is
set on its primary key).
Two reads: DescribeKey says whether the key can rotate at all (spec, origin, key store, manager,
state, multi-Region role), which GetKeyRotationStatus does not tell and refuses with a bare
`UnsupportedOperationException` for most such keys; GetKeyRotationStatus says whether rotation
is on and its period. A key that cannot rotate is not asked the second question.
The key is named by its bare key id, which KMS resolves only in the caller's own account and
Region: a finding can never make the engine touch another account's key.
Revert switches rotation off again, unless someone has since chosen a shorter period (kept) or
changed it otherwise (refused unless forced).
APIs: https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyRotationStatus.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_DisableKeyRotation.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.errors import UnsupportedResourceError
from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Identity, Params, Permissions, Remediation, Risk
from remediations.revert import kept_note, refuse_unless_forced

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient

    from remediations.cases import Cases

#: What EnableKeyRotation sets when no period is given.
DEFAULT_ROTATION_DAYS = 365
MIN_ROTATION_DAYS, MAX_ROTATION_DAYS = 90, 2560


def read(client: KMSClient, resource: Resource, params: Params) -> dict[str, Any]:
    metadata = client.describe_key(KeyId=resource.name)["KeyMetadata"]
    multi_region = metadata.get("MultiRegionConfiguration") or {}
    state: dict[str, Any] = {
        "KeyId": resource.name,
        "KeyManager": metadata.get("KeyManager"),
        "KeySpec": metadata.get("KeySpec"),
        "Origin": metadata.get("Origin"),
        "CustomKeyStoreId": metadata.get("CustomKeyStoreId"),
        "KeyState": metadata.get("KeyState"),
        "MultiRegionKeyType": multi_region.get("MultiRegionKeyType"),
        "PrimaryKeyArn": (multi_region.get("PrimaryKey") or {}).get("Arn"),
        "KeyRotationEnabled": None,
        "RotationPeriodInDays": None,
    }
    if cannot_rotate(state):
        return state
    status = client.get_key_rotation_status(KeyId=resource.name)
    enabled = bool(status.get("KeyRotationEnabled"))
    state["KeyRotationEnabled"] = enabled
    state["RotationPeriodInDays"] = status.get("RotationPeriodInDays") if enabled else None
    return state


def cannot_rotate(state: Mapping[str, Any]) -> str:
    """Why KMS cannot (or this engine should not) rotate this key automatically; '' when it can."""
    if state["KeyManager"] == "AWS":
        return "it is an AWS managed key, which AWS rotates every year itself"
    if state["KeySpec"] != "SYMMETRIC_DEFAULT":
        return f"its key spec is {state['KeySpec']}: only symmetric encryption keys rotate automatically"
    if state["CustomKeyStoreId"]:
        return (
            f"it is in custom key store {state['CustomKeyStoreId']}, whose keys do not rotate automatically"
        )
    if state["Origin"] != "AWS_KMS":
        return f"its key material has origin {state['Origin']} (imported or external): rotate it by hand"
    if state["MultiRegionKeyType"] == "REPLICA":
        return f"it is a multi-Region replica: rotation is set on its primary key {state['PrimaryKeyArn']}"
    if state["KeyState"] != "Enabled":
        return f"its key state is {state['KeyState']}: enable the key (or cancel its deletion) first"
    return ""


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    if reason := cannot_rotate(state):
        raise UnsupportedResourceError(
            f"KMS key {state['KeyId']} cannot rotate automatically: {reason}; nothing was changed"
        )
    if state["KeyRotationEnabled"]:
        return Plan(after=dict(state))
    request: dict[str, Any] = {"KeyId": state["KeyId"]}
    if params.get("rotation_period_days"):
        request["RotationPeriodInDays"] = params["rotation_period_days"]
    period = request.get("RotationPeriodInDays", DEFAULT_ROTATION_DAYS)
    return Plan(
        changes=(Change("KeyRotationEnabled", False, True), Change("RotationPeriodInDays", None, period)),
        calls=(ApiCall("enable_key_rotation", request),),
        after={**state, "KeyRotationEnabled": True, "RotationPeriodInDays": period},
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    key = current["KeyId"]
    if not current["KeyRotationEnabled"]:
        refuse_unless_forced(force, f"rotation of KMS key {key}", "off", "on")
        return Plan(after=dict(current))
    period, left = current["RotationPeriodInDays"], after["RotationPeriodInDays"]
    if period != left:
        if period is not None and left is not None and period < left:
            return Plan(after=dict(current), notes=(kept_note("RotationPeriodInDays", period),))
        refuse_unless_forced(force, f"rotation period of KMS key {key}", period, left)
    return Plan(
        changes=(Change("KeyRotationEnabled", True, False),),
        calls=(ApiCall("disable_key_rotation", {"KeyId": key}),),
        after={**current, "KeyRotationEnabled": False, "RotationPeriodInDays": None},
    )


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Rotation stays on, and a period it had is never changed."""
    if not before["KeyRotationEnabled"]:
        return True
    return (
        bool(after["KeyRotationEnabled"]) and after["RotationPeriodInDays"] == before["RotationPeriodInDays"]
    )


def cases() -> Cases:
    from remediations.cases import (
        ACCOUNT,
        REGION,
        Cases,
        Exchange,
        LiveCase,
        PlanCase,
        RevertCase,
        StubbedCase,
        resource,
    )

    key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
    arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}"
    metadata = {
        "KeyId": key_id,
        "Arn": arn,
        "KeyManager": "CUSTOMER",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "Origin": "AWS_KMS",
        "KeyState": "Enabled",
    }
    off = {
        "KeyId": key_id,
        "KeyManager": "CUSTOMER",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "Origin": "AWS_KMS",
        "CustomKeyStoreId": None,
        "KeyState": "Enabled",
        "MultiRegionKeyType": None,
        "PrimaryKeyArn": None,
        "KeyRotationEnabled": False,
        "RotationPeriodInDays": None,
    }
    on = {**off, "KeyRotationEnabled": True, "RotationPeriodInDays": DEFAULT_ROTATION_DAYS}

    def setup(session: Any) -> Resource:
        made = session.client("kms").create_key(Description="case key without rotation")["KeyMetadata"]
        return resource("AwsKmsKey", made["Arn"])

    return Cases(
        plans=(
            PlanCase(
                "rotation off → on, AWS's default period",
                off,
                {},
                ("KeyRotationEnabled: false → true", "RotationPeriodInDays: none → 365"),
            ),
            PlanCase(
                "rotation off → on, the rule's period",
                off,
                {"rotation_period_days": 180},
                ("KeyRotationEnabled: false → true", "RotationPeriodInDays: none → 180"),
            ),
            PlanCase("on already", on, {}, ()),
            PlanCase(
                "a shorter period of its own is kept",
                {**on, "RotationPeriodInDays": 90},
                {"rotation_period_days": 365},
                (),
            ),
            PlanCase(
                "a longer period of its own is kept too",
                {**on, "RotationPeriodInDays": 730},
                {"rotation_period_days": 365},
                (),
            ),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsKmsKey", arn),
            params={"rotation_period_days": 180},
            calls=(
                Exchange("describe_key", {"KeyId": key_id}, {"KeyMetadata": metadata}),
                Exchange("get_key_rotation_status", {"KeyId": key_id}, {"KeyRotationEnabled": False}),
                Exchange("enable_key_rotation", {"KeyId": key_id, "RotationPeriodInDays": 180}),
            ),
            refusals=(
                (0, "NotFoundException"),
                (0, "AccessDeniedException"),
                (1, "KMSInternalException"),
                (2, "KMSInvalidStateException"),
                (2, "DisabledException"),
                (2, "UnsupportedOperationException"),
            ),
        ),
        reverts=(
            RevertCase("rotation off again", off, on, on, ("KeyRotationEnabled: true → false",)),
            RevertCase(
                "a shorter period chosen since: kept",
                off,
                on,
                {**on, "RotationPeriodInDays": 90},
                kept="90",
                since="stricter",
            ),
            RevertCase(
                "a longer period chosen since: someone else's change",
                off,
                on,
                {**on, "RotationPeriodInDays": 730},
                conflict=True,
                forced=("KeyRotationEnabled: true → false",),
                since="changed",
            ),
            RevertCase("switched off by someone else since", off, on, off, conflict=True, since="changed"),
        ),
        live=LiveCase(setup, {}),
        keeps=keeps,
        identities=(
            (resource("AwsKmsKey", arn), key_id),
            (resource("AWS::KMS::Key", key_id, ResourceFormat.CONFIG), key_id),
        ),
    )


REMEDIATION = Remediation(
    name="kms.enable-key-rotation",
    summary="Turn on automatic rotation of a customer managed symmetric KMS key; an existing period is kept.",
    service="kms",
    identity=Identity(
        {ResourceFormat.ASFF: frozenset({"AwsKmsKey"}), ResourceFormat.CONFIG: frozenset({"AWS::KMS::Key"})},
        arn="arn:{partition}:kms:{region}:{account}:key/{name}",
    ),
    permissions=Permissions(
        read=("kms:DescribeKey", "kms:GetKeyRotationStatus"),
        write=("kms:EnableKeyRotation",),
        revert=("kms:DisableKeyRotation",),
    ),
    risk=Risk.SAFE,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
    parameters={
        "rotation_period_days": {
            "type": "integer",
            "minimum": MIN_ROTATION_DAYS,
            "maximum": MAX_ROTATION_DAYS,
            "description": "days between rotations when rotation is switched on (AWS's default: 365)",
        }
    },
)
