"""The DynamoDB double (`localaws/doubles/dynamodb_atomic.py`): each write is atomic, as in AWS.

moto 5 checks a write's condition and then applies it without a lock; DynamoDB applies each
single-item write atomically. Pinned: moto's writes are wrapped, and conditional counters
raised from many threads at once stop exactly at their limit.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models import DynamoDBBackend

from localaws.doubles.dynamodb_atomic import WRITES
from localaws.engine_setup import create_state_table

pytestmark = pytest.mark.usefixtures("aws")


def test_every_write_of_moto_is_wrapped() -> None:
    assert all(getattr(getattr(DynamoDBBackend, name), "atomic", False) for name in WRITES)


def test_a_conditional_counter_stops_at_its_limit_under_threads() -> None:
    create_state_table("t")
    client = boto3.client("dynamodb", region_name="us-east-1")

    def add(_: int) -> bool:
        try:
            client.update_item(
                TableName="t",
                Key={"pk": {"S": "counter"}, "sk": {"S": "count"}},
                UpdateExpression="ADD n :one",
                ConditionExpression="attribute_not_exists(n) OR n < :limit",
                ExpressionAttributeValues={":one": {"N": "1"}, ":limit": {"N": "25"}},
            )
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ConditionalCheckFailedException"
            return False
        return True

    with ThreadPoolExecutor(max_workers=16) as pool:
        succeeded = sum(pool.map(add, range(200)))
    item = client.get_item(TableName="t", Key={"pk": {"S": "counter"}, "sk": {"S": "count"}})["Item"]
    assert succeeded == 25 and item["n"]["N"] == "25"
