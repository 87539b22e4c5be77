"""KMS automatic key rotation as AWS documents it, where moto 5 differs in ways that matter.

moto accepts `EnableKeyRotation` for any key and answers `GetKeyRotationStatus` with
`KeyRotationEnabled` alone. AWS (API references below):

* `EnableKeyRotation` takes `RotationPeriodInDays` (default 365; botocore itself refuses a value
  outside 90 to 2560) and `GetKeyRotationStatus` returns it while rotation is on;
* rotation is refused with `UnsupportedOperationException` for asymmetric and HMAC keys, keys
  with imported key material (Origin `EXTERNAL`) and keys in a custom key store, and for
  AWS managed keys;
* a disabled key gets `DisabledException`, a key in any other state but Enabled
  `KMSInvalidStateException`.

Not modelled: multi-Region replicas (moto makes none through `ReplicateKey` rotation-aware),
on-demand rotation, and the rotation itself (no new key material, no `ListKeyRotations` entry).
https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyRotationStatus.html
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.kms.models import Key
from moto.kms.responses import KmsResponse

DEFAULT_ROTATION_DAYS = 365


class UnsupportedOperationException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("UnsupportedOperationException", message)


class DisabledException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("DisabledException", message)


class KMSInvalidStateException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("KMSInvalidStateException", message)


def _key(response: KmsResponse) -> Key:
    key_id = response._get_param("KeyId")
    response._validate_cmk_id(key_id)
    backend = response.kms_backend
    return backend.keys[backend.get_key_id(key_id)]


def _check_rotatable(key: Key) -> None:
    if (
        key.key_spec != "SYMMETRIC_DEFAULT"
        or key.origin != "AWS_KMS"
        or key.key_manager == "AWS"
        or getattr(key, "custom_key_store_id", None)
    ):
        raise UnsupportedOperationException(
            f"{key.arn} origin/spec/store does not support automatic rotation"
        )
    if key.key_state == "Disabled":
        raise DisabledException(f"{key.arn} is disabled.")
    if key.key_state != "Enabled":
        raise KMSInvalidStateException(f"{key.arn} is {key.key_state}")


def respond_enable_key_rotation(response: KmsResponse) -> str:
    key = _key(response)
    period = response._get_param("RotationPeriodInDays")
    _check_rotatable(key)
    key.key_rotation_status = True
    key.__dict__["rotation_period_in_days"] = int(period) if period is not None else DEFAULT_ROTATION_DAYS
    return json.dumps(None)


def respond_disable_key_rotation(response: KmsResponse) -> str:
    key = _key(response)
    _check_rotatable(key)
    key.key_rotation_status = False
    key.__dict__.pop("rotation_period_in_days", None)
    return json.dumps(None)


def respond_get_key_rotation_status(response: KmsResponse) -> str:
    key = _key(response)
    answer: dict[str, Any] = {"KeyId": key.arn, "KeyRotationEnabled": bool(key.key_rotation_status)}
    if key.key_rotation_status:
        answer["RotationPeriodInDays"] = key.__dict__.get("rotation_period_in_days", DEFAULT_ROTATION_DAYS)
    return json.dumps(answer)


KMS_RESPONSES: dict[str, Callable[[KmsResponse], str]] = {
    "enable_key_rotation": respond_enable_key_rotation,
    "disable_key_rotation": respond_disable_key_rotation,
    "get_key_rotation_status": respond_get_key_rotation_status,
}
