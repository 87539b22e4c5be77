"""The deployed function makes its clients with botocore alone; a given boto3 Session still sees every call.

`ClientFactory` without a session is what Lambda runs: the clients it hands out must be the same
working clients boto3 would make, in the right region, and a test's or tool's hooks registered
on the boto3 view of the factory (`clients.session`) must see the calls those clients make.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.session import Session as BotocoreSession

from engine.clients import ClientFactory
from localaws import estate

ACCOUNT = estate.ACCOUNT


@pytest.fixture
def region(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    return "eu-west-1"


def test_without_a_session_the_clients_come_from_botocore_and_work(aws: None, region: str) -> None:
    estate.create_bucket("made-by-botocore", region)
    clients = ClientFactory(home_account_id=ACCOUNT)
    assert type(clients.session_for(ACCOUNT)) is BotocoreSession
    assert clients.home_region == region
    s3 = clients.client("s3", ACCOUNT, region)
    assert s3.meta.region_name == region
    assert s3.get_bucket_location(Bucket="made-by-botocore")["LocationConstraint"] == region
    assert clients.client("s3", ACCOUNT, region) is s3  # made once, reused


def test_hooks_on_the_boto3_view_see_the_factory_s_calls(aws: None, region: str) -> None:
    clients = ClientFactory(home_account_id=ACCOUNT)
    seen: list[str] = []

    def record(model: Any, **_: Any) -> None:
        seen.append(model.name)

    view = clients.session
    assert isinstance(view, boto3.Session) and view.region_name == region
    view.events.register("before-call.*.*", record)
    clients.client("s3", ACCOUNT, region).list_buckets()
    assert seen == ["ListBuckets"]


def test_a_given_boto3_session_is_used_through_its_botocore_session(aws: None) -> None:
    given = boto3.Session(region_name="ap-northeast-1")
    clients = ClientFactory(given, home_account_id=ACCOUNT)
    assert clients.session is given
    assert clients.session_for(ACCOUNT) is given._session
    assert clients.home_region == "ap-northeast-1"
