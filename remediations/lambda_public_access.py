"""Remove the statements of a Lambda function's policy that let anyone use it (control Lambda.1).

Controls: Lambda.1 (PCI.Lambda.1 in PCI DSS 3.2.1; Config rule
`lambda-function-public-access-prohibited`). Why: a function anyone may invoke runs, and bills,
for whoever calls it; Lambda.1 is Critical.
Guarantee: only statements granting access to everyone without a condition that limits the
caller are removed (`lambda_policy_statements.judge`); statements naming an account, an
organisation, a service or a source stay as they are. When any statement is unclear (NotPrincipal,
a condition key it does not know, S3 without `AWS:SourceAccount`…), nothing at all is changed and
the finding is left NOTIFIED naming that statement's Sid and what the fix would remove: a
partial fix would have to mark the finding resolved while a possibly public statement stays.
One `RemovePermission` per public statement (a policy is edited only statement by statement),
with the function's qualifier when the finding names a version or alias; the first carries the
`RevisionId` read, so a policy changed since the read is refused (`PreconditionFailedException`)
rather than edited blindly. Later calls cannot carry it: each removal makes a new revision.
A function without a policy reads as compliant (GetPolicy's `ResourceNotFoundException`, which
a deleted function also gives: nothing grants access to it either).
Revert adds each removed statement back with `AddPermission` from the recorded before-state,
unless a statement with that Sid exists again (kept, and said); it only adds, so it never
overwrites a change someone made since.
Risk: callers relying on public access lose it (a function URL with auth `NONE` stops answering
anyone): `workload-affecting`, manual by default.
APIs: https://docs.aws.amazon.com/lambda/latest/api/API_GetPolicy.html
https://docs.aws.amazon.com/lambda/latest/api/API_RemovePermission.html
https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from model.errors import NeedsReviewError
from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Identity, Params, Permissions, Remediation, Risk
from remediations.lambda_policy_statements import PUBLIC, UNCLEAR, describe, judge

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

    from remediations.cases import Cases

NOT_FOUND = "ResourceNotFoundException"
FIELD = "FunctionPolicy"


def function_name(resource: Resource) -> str:
    """`f` of `arn:aws:lambda:<region>:<account>:function:f[:qualifier]`, or of Config's `f`."""
    parts = resource.id.split(":")
    return parts[6] if resource.id.startswith("arn:") and len(parts) > 6 else parts[0]


def qualifier(resource: Resource) -> str | None:
    """The version or alias a qualified function ARN names, else None (`$LATEST` has no policy)."""
    parts = resource.id.split(":")
    named = parts[7] if resource.id.startswith("arn:") and len(parts) > 7 else ""
    return named if named and named != "$LATEST" else None


def read(client: LambdaClient, resource: Resource, params: Params) -> dict[str, Any]:
    """The function (and qualifier), the policy's statements and its RevisionId."""
    target = {"FunctionName": resource.name, "Qualifier": qualifier(resource)}
    try:
        answer = client.get_policy(**_named(target))
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == NOT_FOUND:
            return {**target, "RevisionId": None, "Statements": []}
        raise
    statements = json.loads(answer["Policy"]).get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else list(statements)
    return {**target, "RevisionId": answer.get("RevisionId"), "Statements": statements}


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    verdicts = [(statement, judge(statement)) for statement in state["Statements"]]
    public = [statement for statement, verdict in verdicts if verdict.kind == PUBLIC]
    unclear = [(statement, verdict) for statement, verdict in verdicts if verdict.kind == UNCLEAR]
    if unclear:
        listed = "; ".join(f"statement {_sid(s)}: {verdict.why}" for s, verdict in unclear)
        would = f" (it would remove {', '.join(_sid(s) for s in public)})" if public else ""
        raise NeedsReviewError(
            f"function {state['FunctionName']}: cannot tell whether it is public: {listed}. "
            f"Nothing was changed{would}; review the policy and remove or scope those statements"
        )
    if not public:
        return Plan(after=dict(state))
    calls = tuple(
        ApiCall(
            "remove_permission",
            {
                **_named(state),
                "StatementId": statement["Sid"],
                **({"RevisionId": state["RevisionId"]} if index == 0 and state["RevisionId"] else {}),
            },
            tolerate=(NOT_FOUND,),  # the statement is gone already
        )
        for index, statement in enumerate(public)
    )
    return Plan(
        changes=tuple(Change(FIELD, describe(statement), None) for statement in public),
        calls=calls,
        after={**state, "Statements": [s for s in state["Statements"] if s not in public]},
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    left = {_sid(statement) for statement in after["Statements"]}
    removed = [statement for statement in before["Statements"] if _sid(statement) not in left]
    present = {_sid(statement) for statement in current["Statements"]}
    missing = [statement for statement in removed if _sid(statement) not in present]
    notes = [
        f"kept statement {_sid(s)}: a statement with this Sid exists again"
        for s in removed
        if _sid(s) in present
    ]
    notes += [f"kept statement {sid} removed: removed since the fix" for sid in sorted(left - present)]
    calls = tuple(
        ApiCall(
            "add_permission",
            {**_named(current), "StatementId": statement["Sid"], **judge(statement).grant},
            tolerate=("ResourceConflictException",),  # a statement with that Sid is there already
        )
        for statement in missing
    )
    return Plan(
        changes=tuple(Change(FIELD, None, describe(statement)) for statement in missing),
        calls=calls,
        after={**current, "Statements": [*current["Statements"], *missing]},
        notes=tuple(notes),
    )


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Never weaken: the fix only removes statements, and only public ones."""
    kept = after["Statements"]
    return all(s in before["Statements"] for s in kept) and all(
        s in kept for s in before["Statements"] if judge(s).kind != PUBLIC
    )


def _named(state: Mapping[str, Any]) -> dict[str, str]:
    return {
        "FunctionName": state["FunctionName"],
        **({"Qualifier": state["Qualifier"]} if state["Qualifier"] else {}),
    }


def _sid(statement: Any) -> str:
    return str(statement.get("Sid", "(no Sid)")) if isinstance(statement, Mapping) else "(not an object)"


def cases() -> Cases:
    import io
    import zipfile

    from remediations.cases import (
        ACCOUNT,
        REGION,
        Cases,
        Exchange,
        LiveCase,
        PlanCase,
        RevertCase,
        StubbedCase,
        resource,
    )

    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"
    anyone = {"Sid": "public-invoke", "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction"}
    url = {
        **anyone,
        "Sid": "FunctionURLAllowPublicAccess",
        "Action": "lambda:InvokeFunctionUrl",
        "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}},
    }
    partner = {**anyone, "Sid": "partner-invoke", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}}
    org = {
        **anyone,
        "Sid": "org-invoke",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
    }
    bucket = {
        **anyone,
        "Sid": "s3-invoke",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Condition": {
            "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::uploads"},
            "StringEquals": {"AWS:SourceAccount": ACCOUNT},
        },
    }

    def state(*statements: dict[str, Any], qualifier: str | None = None) -> dict[str, Any]:
        listed = [{**s, "Resource": arn + (f":{qualifier}" if qualifier else "")} for s in statements]
        return {"FunctionName": "f", "Qualifier": qualifier, "RevisionId": "rev-1", "Statements": listed}

    def setup(session: Any) -> Resource:
        trust = {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
        role = session.client("iam").create_role(
            RoleName="case-lambda-role", AssumeRolePolicyDocument=json.dumps({"Statement": [trust]})
        )["Role"]["Arn"]
        package = io.BytesIO()
        with zipfile.ZipFile(package, "w") as archive:
            archive.writestr("index.py", "def handler(event, context):\n    return event\n")
        client = session.client("lambda")
        made = client.create_function(
            FunctionName="case-public-function",
            Runtime="python3.13",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": package.getvalue()},
        )["FunctionArn"]
        for grant in (
            {"StatementId": "public-invoke", "Action": "lambda:InvokeFunction", "Principal": "*"},
            {
                "StatementId": "public-url",
                "Action": "lambda:InvokeFunctionUrl",
                "Principal": "*",
                "FunctionUrlAuthType": "NONE",
            },
            {"StatementId": "partner-invoke", "Action": "lambda:InvokeFunction", "Principal": "210987654321"},
        ):
            client.add_permission(FunctionName=made, **grant)
        return resource("AwsLambdaFunction", made)

    def normalize(state: Mapping[str, Any]) -> Any:
        """A re-added statement comes back last, and every change makes a new RevisionId."""
        return {**state, "RevisionId": None, "Statements": sorted(state["Statements"], key=_sid)}

    removed = "FunctionPolicy: public-invoke: lambda:InvokeFunction by anyone → none"
    removed_url = (
        "FunctionPolicy: FunctionURLAllowPublicAccess: lambda:InvokeFunctionUrl by anyone "
        "(function URL, auth NONE) → none"
    )
    back = "FunctionPolicy: none → public-invoke: lambda:InvokeFunction by anyone"
    back_url = (
        "FunctionPolicy: none → FunctionURLAllowPublicAccess: lambda:InvokeFunctionUrl by anyone "
        "(function URL, auth NONE)"
    )
    named = {"FunctionName": "f", "Qualifier": "live"}
    return Cases(
        plans=(
            PlanCase(
                "anyone may invoke it, beside a partner's grant", state(anyone, partner), {}, (removed,)
            ),
            PlanCase("a public function URL", state(url, anyone, org), {}, (removed_url, removed)),
            PlanCase("an account, an organisation, a bucket: scoped", state(partner, org, bucket), {}, ()),
            PlanCase("no policy", {**state(), "RevisionId": None}, {}, ()),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsLambdaFunction", f"{arn}:live"),
            params={},
            calls=(
                Exchange(
                    "get_policy",
                    named,
                    {
                        "Policy": json.dumps(
                            {
                                "Version": "2012-10-17",
                                "Statement": state(anyone, url, partner, qualifier="live")["Statements"],
                            }
                        ),
                        "RevisionId": "rev-1",
                    },
                ),
                Exchange(
                    "remove_permission", {**named, "StatementId": "public-invoke", "RevisionId": "rev-1"}
                ),
                Exchange("remove_permission", {**named, "StatementId": "FunctionURLAllowPublicAccess"}),
            ),
            refusals=(
                (0, "AccessDeniedException"),
                (1, "PreconditionFailedException"),
                (1, "TooManyRequestsException"),
                (2, "AccessDeniedException"),
            ),
        ),
        reverts=(
            RevertCase(
                "both statements back",
                state(anyone, url, partner),
                state(partner),
                state(partner),
                (back, back_url),
            ),
            RevertCase(
                "stricter since: the partner's grant removed too, and stays removed",
                state(anyone, url, partner),
                state(partner),
                state(),
                (back, back_url),
                kept="partner-invoke",
                since="stricter",
            ),
            RevertCase(
                "changed by someone else since: public-invoke added back",
                state(anyone, url, partner),
                state(partner),
                state(partner, {**anyone, "Action": "lambda:*"}),
                (back_url,),
                kept="public-invoke",
                since="changed",
            ),
        ),
        live=LiveCase(setup, {}, normalize),
        keeps=keeps,
        identities=(
            (resource("AwsLambdaFunction", arn), "f"),
            (resource("AwsLambdaFunction", f"{arn}:live"), "f"),
            (resource("AWS::Lambda::Function", "f", ResourceFormat.CONFIG), "f"),
        ),
    )


REMEDIATION = Remediation(
    name="lambda.remove-public-access",
    summary="Remove the function policy statements that grant access to everyone; scoped statements stay.",
    service="lambda",
    identity=Identity(
        {
            ResourceFormat.ASFF: frozenset({"AwsLambdaFunction"}),
            ResourceFormat.CONFIG: frozenset({"AWS::Lambda::Function"}),
        },
        arn="arn:{partition}:lambda:{region}:{account}:function:{name}",
        name=function_name,
    ),
    permissions=Permissions(
        read=("lambda:GetPolicy",),
        write=("lambda:RemovePermission",),
        revert=("lambda:AddPermission",),
    ),
    risk=Risk.WORKLOAD_AFFECTING,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
)
