"""The KMS rotation double (`localaws/doubles/kms_rotation.py`): what AWS documents, pinned.

In-process under `mock_aws` with the doubles installed (the `aws` fixture); the double patches
moto's response class, so a moto server answers the same.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.usefixtures("aws")


def kms() -> Any:
    return boto3.client("kms", region_name="us-east-1")


def refused(call: Any, **params: Any) -> str:
    with pytest.raises(ClientError) as error:
        call(**params)
    return str(error.value.response["Error"]["Code"])


def test_rotation_status_says_the_period_while_rotation_is_on() -> None:
    client = kms()
    key = client.create_key()["KeyMetadata"]["KeyId"]
    assert client.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] is False
    assert "RotationPeriodInDays" not in client.get_key_rotation_status(KeyId=key)
    client.enable_key_rotation(KeyId=key)
    assert client.get_key_rotation_status(KeyId=key)["RotationPeriodInDays"] == 365
    client.enable_key_rotation(KeyId=key, RotationPeriodInDays=90)
    status = client.get_key_rotation_status(KeyId=key)
    assert status["KeyRotationEnabled"] is True and status["RotationPeriodInDays"] == 90
    client.disable_key_rotation(KeyId=key)
    after = client.get_key_rotation_status(KeyId=key)
    assert after["KeyRotationEnabled"] is False and "RotationPeriodInDays" not in after


@pytest.mark.parametrize(
    ("create", "code"),
    [
        ({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}, "UnsupportedOperationException"),
        ({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}, "UnsupportedOperationException"),
        ({"Origin": "EXTERNAL"}, "UnsupportedOperationException"),
    ],
)
def test_keys_that_cannot_rotate_are_refused(create: dict[str, str], code: str) -> None:
    client = kms()
    key = client.create_key(**create)["KeyMetadata"]["KeyId"]
    assert refused(client.enable_key_rotation, KeyId=key) == code
    assert client.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] is False


def test_a_disabled_key_and_one_pending_deletion_are_refused_by_state() -> None:
    client = kms()
    disabled = client.create_key()["KeyMetadata"]["KeyId"]
    client.disable_key(KeyId=disabled)
    assert refused(client.enable_key_rotation, KeyId=disabled) == "DisabledException"
    doomed = client.create_key()["KeyMetadata"]["KeyId"]
    client.schedule_key_deletion(KeyId=doomed, PendingWindowInDays=7)
    assert refused(client.enable_key_rotation, KeyId=doomed) == "KMSInvalidStateException"
