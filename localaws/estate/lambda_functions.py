"""Lambda functions for the estate: a function with a role and a tiny zip, and its policy statements.

moto creates a function only with an IAM role of the same account that exists, and a deployment
package; nothing here runs the code. `grants` are AddPermission requests (without
`FunctionName`), so a function's policy is built the way AWS builds it.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any

import boto3

from localaws.estate.names import REGION
from localaws.sessions import default_session

ROLE = "estate-lambda-execution"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
#: Public: anyone may invoke it; beside it, a grant to one account, which must stay.
PUBLIC_GRANTS: tuple[Mapping[str, Any], ...] = (
    {"StatementId": "public-invoke", "Action": "lambda:InvokeFunction", "Principal": "*"},
    {"StatementId": "partner-invoke", "Action": "lambda:InvokeFunction", "Principal": "210987654321"},
)


def create_function(
    name: str,
    region: str = REGION,
    *,
    session: boto3.Session | None = None,
    grants: Sequence[Mapping[str, Any]] = PUBLIC_GRANTS,
) -> str:
    """A Python function named `name` with `grants` in its policy; returns its ARN."""
    session = default_session(session)
    lambda_ = session.client("lambda", region_name=region)
    arn = lambda_.create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=_role(session),
        Handler="index.handler",
        Code={"ZipFile": _package()},
    )["FunctionArn"]
    for grant in grants:
        lambda_.add_permission(FunctionName=name, **grant)
    return arn


def function_policy(name: str, region: str = REGION, *, session: boto3.Session | None = None) -> list[Any]:
    """The statements of the function's policy, [] when it has none."""
    lambda_ = default_session(session).client("lambda", region_name=region)
    try:
        policy = lambda_.get_policy(FunctionName=name)["Policy"]
    except lambda_.exceptions.ResourceNotFoundException:
        return []
    return list(json.loads(policy)["Statement"])


def _role(session: boto3.Session) -> str:
    iam = session.client("iam")
    try:
        return iam.get_role(RoleName=ROLE)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        return iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]


def _package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()
