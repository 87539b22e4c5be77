"""The estate's names: those the sample events in `events/` use, so a fixture's ids match."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"
BUCKET = "example-unencrypted-bucket"
SG_PLACEHOLDER = "sg-0123456789abcdef0"
DEFAULT_SG_PLACEHOLDER = "sg-0fedcba9876543210"
QUEUE = "example-unencrypted-queue"
QUEUE_URL = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{QUEUE}"
TOPIC = "example-unencrypted-topic"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:{TOPIC}"
BPA_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
WEAK_POLICY: Mapping[str, Any] = {
    "MinimumPasswordLength": 8,
    "RequireNumbers": True,
    "MaxPasswordAge": 180,
    "PasswordReusePrevention": 5,
}
