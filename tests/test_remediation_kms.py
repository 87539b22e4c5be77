"""KMS.4 beyond the meta-tests: never a period changed, and a key KMS cannot rotate is NOTIFIED.

The meta-tests (`tests/test_remediation_cases.py`) run the module's own cases; here a property
over every rotation state and rule period, and end to end through the engine against moto (with
the KMS double, which refuses what AWS refuses), the keys that cannot rotate: nothing is written
but the finding's note, which says why.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from localaws import estate
from localaws.engine_setup import make_engine
from localaws.events import load_event
from model.errors import UnsupportedResourceError
from remediations.kms_key_rotation import MAX_ROTATION_DAYS, MIN_ROTATION_DAYS, REMEDIATION, keeps

EVENT = "securityhub-imported-kms.4-consolidated.json"
EVENT_KEY = "0c0c4444-0000-4000-8000-00000000c004"
ROTATABLE = {
    "KeyId": EVENT_KEY,
    "KeyManager": "CUSTOMER",
    "KeySpec": "SYMMETRIC_DEFAULT",
    "Origin": "AWS_KMS",
    "CustomKeyStoreId": None,
    "KeyState": "Enabled",
    "MultiRegionKeyType": None,
    "PrimaryKeyArn": None,
}
periods = st.none() | st.integers(MIN_ROTATION_DAYS, MAX_ROTATION_DAYS)


@given(enabled=st.booleans(), period=periods, wanted=periods)
def test_rotation_stays_on_and_a_period_of_its_own_is_never_changed(
    enabled: bool, period: int | None, wanted: int | None
) -> None:
    state = {**ROTATABLE, "KeyRotationEnabled": enabled, "RotationPeriodInDays": period if enabled else None}
    params = {"rotation_period_days": wanted} if wanted else {}
    plan = REMEDIATION.plan(state, params)
    assert keeps(state, plan.after)
    assert plan.after["KeyRotationEnabled"]
    assert plan.compliant == enabled
    if not enabled:
        assert plan.calls[0].params.get("RotationPeriodInDays") == wanted


@pytest.mark.parametrize(
    ("changed", "reason"),
    [
        ({"KeyManager": "AWS"}, "AWS managed key"),
        ({"KeySpec": "RSA_2048"}, "key spec is RSA_2048"),
        ({"KeySpec": "HMAC_256"}, "key spec is HMAC_256"),
        ({"Origin": "EXTERNAL"}, "origin EXTERNAL"),
        ({"Origin": "AWS_CLOUDHSM", "CustomKeyStoreId": "cks-1"}, "custom key store cks-1"),
        ({"KeyState": "Disabled"}, "key state is Disabled"),
        ({"KeyState": "PendingDeletion"}, "key state is PendingDeletion"),
        ({"MultiRegionKeyType": "REPLICA", "PrimaryKeyArn": "arn:aws:kms:eu-west-1:1:key/mrk-1"}, "mrk-1"),
    ],
)
def test_a_key_kms_cannot_rotate_is_refused_with_the_reason(changed: dict[str, Any], reason: str) -> None:
    state = {**ROTATABLE, **changed, "KeyRotationEnabled": None, "RotationPeriodInDays": None}
    with pytest.raises(UnsupportedResourceError, match=reason):
        REMEDIATION.plan(state, {})


def _key(kind: str) -> str:
    """A key in moto that KMS cannot rotate; returns its id."""
    kms: Any = boto3.client("kms", region_name=estate.REGION)
    if kind == "asymmetric":
        return str(kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"])
    if kind == "imported":
        return str(kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"])
    key = str(kms.create_key()["KeyMetadata"]["KeyId"])
    if kind == "disabled":
        kms.disable_key(KeyId=key)
    else:
        kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    return key


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("asymmetric", "key spec is RSA_2048"),
        ("imported", "origin EXTERNAL"),
        ("disabled", "key state is Disabled"),
        ("pending-deletion", "key state is PendingDeletion"),
    ],
)
def test_a_finding_on_a_key_that_cannot_rotate_is_notified_and_nothing_is_written(
    kind: str, reason: str
) -> None:
    estate.enable_security_hub()
    key = _key(kind)
    event = json.loads(json.dumps(load_event(EVENT)).replace(EVENT_KEY, key))
    estate.import_findings(event)
    engine, recorder = make_engine()

    report = engine.handle(event)

    (line,) = report["findings"]
    assert line["status"] == "failed" and line["error_code"] == "UnsupportedResource", line
    stored = estate.finding(event["detail"]["findings"][0]["Id"])
    assert stored["Workflow"]["Status"] == "NOTIFIED"
    assert reason in stored["Note"]["Text"] and "nothing was changed" in stored["Note"]["Text"]
    assert [call for call in recorder.writes if call != "securityhub.BatchUpdateFindings"] == []
    assert "kms.GetKeyRotationStatus" not in recorder.calls, "a key that cannot rotate is not asked"
