"""Lambda.1: only and all public statements are removed; a statement it cannot judge stops the fix.

Random policies mix principals (everyone in its three spellings, an account, services, S3,
shapes it does not know), conditions (keys that pin the caller to fixed values, the same keys
with a wildcard or a loose operator, the function-URL keys, keys it does not know), Deny and
NotPrincipal. The oracle below is written from the control's text, independently of
`lambda_policy_statements`: it labels each statement from how it was generated.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localaws import estate
from localaws.engine_setup import make_engine
from localaws.estate.lambda_functions import create_function, function_policy
from localaws.events import load_event
from model.errors import NeedsReviewError
from remediations.lambda_public_access import REMEDIATION, keeps, plan, qualifier, revert

ACCOUNT = "123456789012"
EVERYONE = ["*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::210987654321:root", "*"]}]
NAMED = [
    {"AWS": "arn:aws:iam::210987654321:root"},
    {"AWS": ["arn:aws:iam::210987654321:root", "arn:aws:iam::111122223333:role/caller"]},
    {"Service": "sns.amazonaws.com"},
    {"Service": "events.amazonaws.com"},
]
S3 = {"Service": "s3.amazonaws.com"}
ODD = [{"Federated": "cognito-identity.amazonaws.com"}, {"AWS": "arn:aws:iam::*:root"}, "210987654321"]
#: (operator, key, value, label): "pins" limits the caller, "url" says how it is called, else unclear
CONDITIONS = [
    ("StringEquals", "AWS:SourceAccount", ACCOUNT, "pins-account"),
    ("StringEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5", "pins"),
    ("ArnLike", "AWS:SourceArn", "arn:aws:s3:::uploads", "pins"),
    ("StringEquals", "aws:SourceOwner", ACCOUNT, "pins"),
    ("ArnLike", "AWS:SourceArn", "arn:aws:s3:::*", "loose"),
    ("StringLike", "aws:SourceAccount", "12345678901?", "loose-account"),
    ("StringNotEquals", "aws:SourceAccount", ACCOUNT, "loose-account"),
    ("StringEqualsIfExists", "aws:PrincipalOrgID", "o-a1b2c3d4e5", "loose"),
    ("StringEquals", "aws:PrincipalOrgID", "${aws:PrincipalTag/org}", "loose"),
    ("StringEquals", "lambda:FunctionUrlAuthType", "NONE", "url"),
    ("Bool", "lambda:InvokedViaFunctionUrl", "true", "url"),
    ("StringEquals", "aws:UserAgent", "partner-client", "unknown"),
    ("IpAddress", "aws:SourceIp", "203.0.113.0/24", "unknown"),
]


@st.composite
def statements(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """A statement and what the control's text makes of it: public, scoped or unclear."""
    kind = draw(st.sampled_from(["everyone", "named", "s3", "odd"]))
    principals: dict[str, list[Any]] = {"everyone": EVERYONE, "named": NAMED, "s3": [S3], "odd": ODD}
    principal = draw(st.sampled_from(principals[kind]))
    chosen = draw(st.lists(st.sampled_from(CONDITIONS), max_size=3, unique_by=lambda c: c[1].lower()))
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": draw(st.sampled_from(["lambda:InvokeFunction", "lambda:InvokeFunctionUrl", "lambda:*"])),
        "Resource": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f",
    }
    condition: dict[str, dict[str, str]] = {}
    for operator, key, value, _ in chosen:
        condition.setdefault(operator, {})[key] = value
    if condition:
        statement["Condition"] = condition
    labels = {label for *_, label in chosen}
    pinned = bool(labels & {"pins", "pins-account"})
    if draw(st.booleans()) and draw(st.booleans()):
        statement["Effect"] = "Deny"
        return statement, "scoped"
    if kind == "odd":
        return statement, "unclear"
    if kind == "named":
        return statement, "scoped"
    if kind == "s3":
        return statement, "scoped" if "pins-account" in labels else "unclear"
    if pinned:
        return statement, "scoped"
    return statement, "public" if labels <= {"url"} else "unclear"


policies = st.lists(statements(), max_size=6).map(
    lambda drawn: [({**statement, "Sid": f"sid-{n}"}, label) for n, (statement, label) in enumerate(drawn)]
)


def state(listed: list[dict[str, Any]]) -> dict[str, Any]:
    return {"FunctionName": "f", "Qualifier": None, "RevisionId": "rev-1", "Statements": listed}


@settings(max_examples=300, deadline=None)
@given(policies)
def test_removes_only_and_all_public_statements_or_changes_nothing(
    policy: list[tuple[dict[str, Any], str]],
) -> None:
    listed = [statement for statement, _ in policy]
    unclear = [statement["Sid"] for statement, label in policy if label == "unclear"]
    if unclear:
        with pytest.raises(NeedsReviewError) as refused:
            plan(state(listed), {})
        message = str(refused.value)
        named = {statement["Sid"] for statement, _ in policy if f"statement {statement['Sid']}:" in message}
        assert named == set(unclear), message
        public = [statement["Sid"] for statement, label in policy if label == "public"]
        assert "Nothing was changed" in message and (not public or f"remove {', '.join(public)})" in message)
        return
    result = plan(state(listed), {})
    public = [statement for statement, label in policy if label == "public"]
    assert [call.params["StatementId"] for call in result.calls] == [s["Sid"] for s in public]
    assert result.after["Statements"] == [s for s in listed if s not in public]
    assert keeps(state(listed), result.after)
    assert plan(result.after, {}).compliant
    back = revert(result.after, state(listed), result.after, False)
    assert [call.params["StatementId"] for call in back.calls] == [s["Sid"] for s in public]
    assert all(call.params["Principal"] == "*" for call in back.calls)


def test_the_first_removal_carries_the_revision_read_and_a_qualifier_goes_on_every_call() -> None:
    anyone = {"Sid": "a", "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction"}
    calls = plan({**state([anyone, {**anyone, "Sid": "b"}]), "Qualifier": "live"}, {}).calls
    assert [dict(call.params) for call in calls] == [
        {"FunctionName": "f", "Qualifier": "live", "StatementId": "a", "RevisionId": "rev-1"},
        {"FunctionName": "f", "Qualifier": "live", "StatementId": "b"},
    ]


@pytest.mark.parametrize(
    ("named", "expected"),
    [("f", None), ("f:live", "live"), ("f:7", "7"), ("f:$LATEST", None)],
)
def test_the_qualifier_is_the_version_or_alias_a_function_arn_names(named: str, expected: str | None) -> None:
    located = REMEDIATION.identity.locate(
        [estate_resource(f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{named}")]
    )
    assert located is not None and located.name == "f" and qualifier(located) == expected
    assert located.arn == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f"


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize(
    ("grant", "why"),
    [
        ({"SourceArn": "arn:aws:s3:::*"}, "does not pin the caller"),
        (
            {"Principal": "s3.amazonaws.com", "SourceArn": "arn:aws:s3:::uploads"},
            "without an AWS:SourceAccount",
        ),
    ],
)
def test_an_unclear_statement_leaves_the_function_as_it_is_and_the_finding_notified(
    grant: dict[str, Any], why: str
) -> None:
    """Through the engine on moto, from the consolidated sample event, by the custom action's path too."""
    estate.enable_security_hub()
    unclear = {"StatementId": "unclear-invoke", "Action": "lambda:InvokeFunction", "Principal": "*", **grant}
    name = "example-public-function"
    create_function(
        name,
        grants=(
            {"StatementId": "public-invoke", "Action": "lambda:InvokeFunction", "Principal": "*"},
            unclear,
        ),
    )
    before = function_policy(name)
    event = load_event("securityhub-imported-lambda.1-consolidated.json")
    estate.import_findings(event)
    engine, recorder = make_engine()

    report = engine.handle(event)

    assert [line["status"] for line in report["findings"]] == ["failed"]
    stored = estate.finding(event["detail"]["findings"][0]["Id"])
    assert stored["Workflow"]["Status"] == "NOTIFIED"
    note = stored["Note"]["Text"]
    assert "statement unclear-invoke:" in note and why in note and "it would remove public-invoke" in note, (
        note
    )
    assert function_policy(name) == before
    assert [call for call in recorder.writes if call != "securityhub.BatchUpdateFindings"] == []


@pytest.mark.usefixtures("aws")
def test_a_function_url_policy_round_trips_through_fix_and_revert() -> None:
    """AddPermission writes back the function-URL condition the removed statement had."""
    url = {
        "StatementId": "url",
        "Action": "lambda:InvokeFunctionUrl",
        "Principal": "*",
        "FunctionUrlAuthType": "NONE",
    }
    via = {
        "StatementId": "via",
        "Action": "lambda:InvokeFunction",
        "Principal": "*",
        "InvokedViaFunctionUrl": True,
    }
    arn = create_function("url-function", grants=(url, via))
    client = boto3.client("lambda", region_name=estate.REGION)
    resource = REMEDIATION.identity.locate([estate_resource(arn)])
    assert resource is not None
    before = REMEDIATION.read(client, resource, {})
    fix = plan(before, {})
    REMEDIATION.apply(client, fix)
    assert function_policy("url-function") == []
    REMEDIATION.apply(client, revert(REMEDIATION.read(client, resource, {}), before, fix.after, False))
    by_sid = {s["Sid"]: s for s in function_policy("url-function")}
    assert by_sid == {s["Sid"]: s for s in before["Statements"]}, json.dumps(by_sid)


def estate_resource(arn: str) -> Any:
    from remediations.cases import resource

    return resource("AwsLambdaFunction", arn)
