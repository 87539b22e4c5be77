"""Lambda function policies in moto 5.x, as AWS writes and removes their statements.

The Lambda.1 remediation reads a function's policy, removes statements by Sid with the policy's
`RevisionId`, and its revert adds them back with `AddPermission`. moto 5.2.5 differs from AWS
where that matters:

* `RemovePermission` with a `RevisionId` always fails with `PreconditionFailedException` (moto
  compares the query-string list with the revision string), ignores `Qualifier`, and leaves the
  policy's `RevisionId` unchanged, so a later stale revision would pass. Here the revision is
  compared as AWS does, the qualified function is looked up (an unknown qualifier is
  `ResourceNotFoundException`), and every removal gives the policy a new revision.
* `AddPermission` writes `FunctionUrlAuthType` as a top-level statement field instead of a
  condition, drops `EventSourceToken` and `InvokedViaFunctionUrl`, and keeps a bare account id
  as the principal. AWS writes them as conditions (`StringEquals` `lambda:FunctionUrlAuthType`
  and `lambda:EventSourceToken`; `Bool` `lambda:InvokedViaFunctionUrl` — the operator of this
  last one is **unverified**, the key is documented) and an account as `{"AWS": "arn:…:root"}`.

Not modelled: one policy per version or alias (moto's published versions share the function's
policy object), `PublicPolicyException`, policy size limits.
APIs: https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
https://docs.aws.amazon.com/lambda/latest/api/API_RemovePermission.html
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from moto.awslambda.models import LambdaBackend
from moto.awslambda.policy import Policy
from moto.awslambda.responses import LambdaResponse
from moto.moto_api._internal import mock_random

ACCOUNT_ID = re.compile(r"^\d{12}$")
_moto_add_statement = Policy.add_statement


def remove_permission(
    backend: LambdaBackend, function_name: str, sid: str, revision: str = "", qualifier: str | None = None
) -> None:
    """Remove statement `sid` of the (qualified) function's policy; the policy gets a new revision."""
    policy = backend.get_function(function_name, qualifier).policy
    policy.del_statement(sid, revision)
    policy.revision = str(mock_random.uuid4())


def respond_remove_permission(response: LambdaResponse) -> tuple[int, dict[str, Any], str]:
    """DELETE /2015-03-31/functions/{FunctionName}/policy/{StatementId}?Qualifier=…&RevisionId=…"""
    function_name = unquote(response.path.split("/")[-3])
    statement_id = unquote(response.path.split("/")[-1].split("?")[0])
    qualifier = response.querystring.get("Qualifier", [None])[0]
    revision = response.querystring.get("RevisionId", [""])[0]
    remove_permission(response.backend, function_name, statement_id, revision or "", qualifier)
    return 204, {"status": 204}, ""


def add_statement(policy: Policy, raw: str, qualifier: str | None = None) -> tuple[Any, str]:
    """moto's AddPermission, then the statement rewritten as AWS writes it."""
    request = json.loads(raw)
    extra = {
        key: request.pop(key) for key in ("FunctionUrlAuthType", "InvokedViaFunctionUrl") if key in request
    }
    token = request.get("EventSourceToken")
    statement, revision = _moto_add_statement(policy, json.dumps(request), qualifier)
    conditions: dict[str, dict[str, str]] = statement.setdefault("Condition", {})
    if "FunctionUrlAuthType" in extra:
        conditions.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = extra["FunctionUrlAuthType"]
    if token:
        conditions.setdefault("StringEquals", {})["lambda:EventSourceToken"] = token
    if extra.get("InvokedViaFunctionUrl"):
        conditions.setdefault("Bool", {})["lambda:InvokedViaFunctionUrl"] = "true"
    if not conditions:
        del statement["Condition"]
    principal = statement.get("Principal")
    if isinstance(principal, str) and ACCOUNT_ID.match(principal):
        arn = getattr(policy.parent, "function_arn", "") or getattr(policy.parent, "arn", "")
        partition = arn.split(":")[1]
        statement["Principal"] = {"AWS": f"arn:{partition}:iam::{principal}:root"}
    return statement, revision


LAMBDA_RESPONSES: dict[str, Callable[..., Any]] = {"remove_permission": respond_remove_permission}
LAMBDA_BACKEND_METHODS: dict[str, Callable[..., Any]] = {"remove_permission": remove_permission}
LAMBDA_POLICY_METHODS: dict[str, Callable[..., Any]] = {"add_statement": add_statement}
