"""DynamoDB applies each write atomically; moto checks a condition and then writes without a lock.

AWS: PutItem, GetItem, UpdateItem and DeleteItem "are all atomic" (DynamoDB Developer Guide,
"Working with items and attributes", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithItems.html),
a condition included. moto 5 evaluates `ConditionExpression` and then updates the item in plain Python, so two
threads can both pass `n < :limit` and both add one: a threaded test of the blast-radius limit
against moto could then fail for moto's sake, or (worse) pass by luck. This double wraps moto's
single-item writes (PutItem, UpdateItem, DeleteItem) and TransactWriteItems in one lock, which
is what DynamoDB guarantees per item (and more: it serialises writes across items too, which
no test here depends on).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend

WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")
WRITE_LOCK = threading.RLock()


def _atomic(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def write(*args: Any, **kwargs: Any) -> Any:
        with WRITE_LOCK:
            return method(*args, **kwargs)

    write.atomic = True  # type: ignore[attr-defined]
    return write


def install() -> None:
    """Wrap moto's DynamoDB writes once (idempotent: a wrapped method is left as it is)."""
    for name in WRITES:
        method = getattr(DynamoDBBackend, name)
        if not getattr(method, "atomic", False):
            setattr(DynamoDBBackend, name, _atomic(method))
