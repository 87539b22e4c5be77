"""Builders of a KMS key without rotation and a DynamoDB table without deletion protection.

Like `localaws.estate.builders`, each takes an optional `session` (an assumed-role session for a
member account) and a Region; each returns the ARN the resource's findings name.
"""

from __future__ import annotations

import boto3

from localaws.estate.names import REGION
from localaws.sessions import default_session


def create_key_without_rotation(
    region: str = REGION, *, session: boto3.Session | None = None, description: str = "key without rotation"
) -> str:
    """A customer managed symmetric key (new keys do not rotate); returns its ARN."""
    kms = default_session(session).client("kms", region_name=region)
    return str(kms.create_key(Description=description)["KeyMetadata"]["Arn"])


def create_unprotected_table(name: str, region: str = REGION, *, session: boto3.Session | None = None) -> str:
    """An on-demand table without deletion protection (the default); returns its ARN."""
    dynamodb = default_session(session).client("dynamodb", region_name=region)
    table = dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        DeletionProtectionEnabled=False,
    )
    return str(table["TableDescription"]["TableArn"])
