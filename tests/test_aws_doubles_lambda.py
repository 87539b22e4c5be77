"""The Lambda policy double (`localaws/doubles/lambda_policy.py`), through boto3 as the engine calls it.

Each test runs in-process under `mock_aws` and against a moto server, since the double patches
moto's server side and both routes must see the same calls. Server state is reset per test.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from localaws.doubles.moto_patches import install_aws_doubles
from localaws.estate.lambda_functions import create_function
from localaws.server import start_server

REGION = "us-east-1"
FUNCTION = "double-public-function"


@pytest.fixture(scope="module")
def server_endpoint() -> Iterator[str]:
    server, endpoint_url = start_server()
    yield endpoint_url
    server.stop()


@pytest.fixture(params=["in-process", "server"])
def session(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[boto3.Session]:
    install_aws_doubles()
    if request.param == "in-process":
        with mock_aws():
            yield boto3.Session(region_name=REGION)
        return
    endpoint = request.getfixturevalue("server_endpoint")
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).close()
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    yield boto3.Session(region_name=REGION)


def policy(client: Any) -> tuple[list[dict[str, Any]], str]:
    answer = client.get_policy(FunctionName=FUNCTION)
    return json.loads(answer["Policy"])["Statement"], answer["RevisionId"]


def by_sid(statements: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {statement["Sid"]: statement for statement in statements}


def test_add_permission_writes_conditions_and_account_principals_as_aws_does(session: boto3.Session) -> None:
    create_function(
        FUNCTION,
        session=session,
        grants=(
            {
                "StatementId": "url",
                "Action": "lambda:InvokeFunctionUrl",
                "Principal": "*",
                "FunctionUrlAuthType": "NONE",
            },
            {
                "StatementId": "via-url",
                "Action": "lambda:InvokeFunction",
                "Principal": "*",
                "InvokedViaFunctionUrl": True,
            },
            {"StatementId": "partner", "Action": "lambda:InvokeFunction", "Principal": "210987654321"},
            {
                "StatementId": "alexa",
                "Action": "lambda:InvokeFunction",
                "Principal": "alexa-connectedhome.amazon.com",
                "EventSourceToken": "token-1",
            },
            {"StatementId": "anyone", "Action": "lambda:InvokeFunction", "Principal": "*"},
        ),
    )
    statements = by_sid(policy(session.client("lambda"))[0])
    assert statements["url"]["Condition"] == {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}
    assert "FunctionUrlAuthType" not in statements["url"]
    assert statements["via-url"]["Condition"] == {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}}
    assert statements["partner"]["Principal"] == {"AWS": "arn:aws:iam::210987654321:root"}
    assert statements["alexa"]["Condition"] == {"StringEquals": {"lambda:EventSourceToken": "token-1"}}
    assert statements["anyone"]["Principal"] == "*" and "Condition" not in statements["anyone"]


def test_remove_permission_honours_the_revision_and_makes_a_new_one(session: boto3.Session) -> None:
    create_function(FUNCTION, session=session)
    client = session.client("lambda")
    statements, revision = policy(client)
    assert set(by_sid(statements)) == {"public-invoke", "partner-invoke"}

    client.remove_permission(FunctionName=FUNCTION, StatementId="public-invoke", RevisionId=revision)
    statements, newer = policy(client)
    assert set(by_sid(statements)) == {"partner-invoke"} and newer != revision

    with pytest.raises(ClientError) as stale:
        client.remove_permission(FunctionName=FUNCTION, StatementId="partner-invoke", RevisionId=revision)
    assert stale.value.response["Error"]["Code"] == "PreconditionFailedException"
    assert set(by_sid(policy(client)[0])) == {"partner-invoke"}, "a refused removal removes nothing"


def test_remove_permission_of_a_missing_statement_or_qualifier_is_not_found(session: boto3.Session) -> None:
    create_function(FUNCTION, session=session)
    client = session.client("lambda")
    for request in (
        {"FunctionName": FUNCTION, "StatementId": "no-such-sid"},
        {"FunctionName": FUNCTION, "StatementId": "public-invoke", "Qualifier": "no-such-alias"},
    ):
        with pytest.raises(ClientError) as missing:
            client.remove_permission(**request)
        assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert set(by_sid(policy(client)[0])) == {"public-invoke", "partner-invoke"}


def test_a_function_without_a_policy_reads_as_not_found(session: boto3.Session) -> None:
    create_function(FUNCTION, session=session, grants=())
    with pytest.raises(ClientError) as missing:
        session.client("lambda").get_policy(FunctionName=FUNCTION)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
