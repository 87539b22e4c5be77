"""Make an S3 bucket refuse requests that do not use TLS (control S3.5).

Controls: S3.5; CIS 1.4 2.1.2, CIS 3.0 2.1.1, CIS 5.0 2.1.1, PCI.S3.5; Config rule
`s3-bucket-ssl-requests-only`. It passes when the bucket policy denies every S3 action to
everyone when `aws:SecureTransport` is false.
Guarantee: the bucket policy is merged, never replaced: every existing statement stays as it
is and one `Deny` statement is appended (PutBucketPolicy replaces the whole document, so the
request carries all of it). A policy that already denies insecure transport is compliant.
Revert removes that one statement and nothing else, only while it is still there; statements
added since are kept, and a policy that did not exist before is deleted again.
Risk: clients still using plain HTTP get 403: `workload-affecting`, manual by default.
APIs: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicy.html
https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html
https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketPolicy.html
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Params, Permissions, Remediation, Risk
from remediations.identities import S3_BUCKET, bucket_in, bucket_of
from remediations.revert import refuse_unless_forced

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from remediations.cases import Cases

SID = "DenyInsecureTransport"
NO_POLICY = "NoSuchBucketPolicy"


def read(client: S3Client, resource: Resource, params: Params) -> dict[str, Any]:
    """The bucket policy as a document (`Policy`), None when the bucket has none."""
    try:
        policy = client.get_bucket_policy(**bucket_of(resource))["Policy"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == NO_POLICY:
            return {**bucket_of(resource), "Partition": resource.partition, "Policy": None}
        raise
    return {**bucket_of(resource), "Partition": resource.partition, "Policy": json.loads(policy)}


def denies_insecure_transport(statement: Mapping[str, Any]) -> bool:
    """A Deny to everyone, on every S3 action, when `aws:SecureTransport` is false."""
    actions = statement.get("Action")
    actions = [actions] if isinstance(actions, str) else actions or []
    principal = statement.get("Principal")
    condition = {
        key.lower(): value for key, value in (statement.get("Condition") or {}).get("Bool", {}).items()
    }
    return (
        statement.get("Effect") == "Deny"
        and principal in ("*", {"AWS": "*"})
        and any(action in ("s3:*", "*") for action in actions)
        and str(condition.get("aws:securetransport", "")).lower() == "false"
    )


def plan(state: dict[str, Any], params: Params) -> Plan:
    policy = state["Policy"] or {"Version": "2012-10-17", "Statement": []}
    statements = _statements(policy)
    if any(denies_insecure_transport(statement) for statement in statements):
        return Plan(after=state)
    deny = deny_statement(state["Partition"], state["Bucket"], _free_sid(statements))
    merged = {**policy, "Statement": [*statements, deny]}
    return Plan(
        changes=(
            Change("BucketPolicy", None, f"{deny['Sid']}: deny s3:* when aws:SecureTransport is false"),
        ),
        calls=(ApiCall("put_bucket_policy", {**bucket_in(state), "Policy": json.dumps(merged)}),),
        after={**state, "Policy": merged},
    )


def revert(current: dict[str, Any], before: dict[str, Any], after: dict[str, Any], force: bool) -> Plan:
    added = [s for s in _statements(after["Policy"]) if s not in _statements(before["Policy"])]
    now = _statements(current["Policy"])
    ours = [statement for statement in now if statement in added]
    if not ours:
        refuse_unless_forced(
            force, f"the policy of bucket {current['Bucket']}", "without it", "the Deny statement"
        )
        return Plan(after=current)
    left = [statement for statement in now if statement not in ours]
    since = [s for s in left if s not in _statements(before["Policy"])]
    notes = tuple(f"kept statement {s.get('Sid', '(no Sid)')}: added since" for s in since)
    change = Change(
        "BucketPolicy", f"{ours[0].get('Sid')}: deny s3:* when aws:SecureTransport is false", None
    )
    if not left and before["Policy"] is None:
        call = ApiCall("delete_bucket_policy", bucket_in(current))
        return Plan(changes=(change,), calls=(call,), after={**current, "Policy": None}, notes=notes)
    policy = {**current["Policy"], "Statement": left}
    call = ApiCall("put_bucket_policy", {**bucket_in(current), "Policy": json.dumps(policy)})
    return Plan(changes=(change,), calls=(call,), after={**current, "Policy": policy}, notes=notes)


def deny_statement(partition: str, bucket: str, sid: str = SID) -> dict[str, Any]:
    arn = f"arn:{partition}:s3:::{bucket}"
    return {
        "Sid": sid,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def keeps(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Every statement the bucket had is still there, unchanged."""
    return all(statement in _statements(after["Policy"]) for statement in _statements(before["Policy"]))


def _statements(policy: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    statements = (policy or {}).get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def _free_sid(statements: list[dict[str, Any]]) -> str:
    taken = {statement.get("Sid") for statement in statements}
    return next(sid for n in range(len(taken) + 1) if (sid := SID if n == 0 else f"{SID}{n}") not in taken)


def cases() -> Cases:
    from remediations.cases import (
        ACCOUNT,
        Cases,
        Exchange,
        LiveCase,
        PlanCase,
        RevertCase,
        StubbedCase,
        resource,
    )

    reader = {
        "Sid": "PartnerRead",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/*",
    }
    deny = deny_statement("aws", "b")
    none = {"Bucket": "b", "ExpectedBucketOwner": ACCOUNT, "Partition": "aws", "Policy": None}
    shared = {**none, "Policy": {"Version": "2012-10-17", "Statement": [reader]}}
    fixed = {**none, "Policy": {"Version": "2012-10-17", "Statement": [reader, deny]}}
    other_deny = {**deny, "Sid": "TeamTls", "Action": ["s3:*"], "Principal": {"AWS": "*"}}

    def setup(session: Any) -> Resource:
        session.client("s3").create_bucket(Bucket="case-tls-bucket")
        return resource("AwsS3Bucket", "arn:aws:s3:::case-tls-bucket")

    added = "BucketPolicy: none → DenyInsecureTransport: deny s3:* when aws:SecureTransport is false"
    removed = "BucketPolicy: DenyInsecureTransport: deny s3:* when aws:SecureTransport is false → none"
    return Cases(
        plans=(
            PlanCase("no policy", none, {}, (added,)),
            PlanCase("a policy: its statements are kept", shared, {}, (added,)),
            PlanCase(
                "denies insecure transport already", {**none, "Policy": {"Statement": other_deny}}, {}, ()
            ),
            PlanCase(
                "the Sid is taken",
                {**none, "Policy": {"Statement": [{**reader, "Sid": SID}]}},
                {},
                (added.replace(SID, SID + "1"),),
            ),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsS3Bucket", "arn:aws:s3:::b"),
            params={},
            calls=(
                Exchange(
                    "get_bucket_policy",
                    {"Bucket": "b", "ExpectedBucketOwner": ACCOUNT},
                    {"Policy": json.dumps(shared["Policy"])},
                ),
                Exchange(
                    "put_bucket_policy",
                    {"Bucket": "b", "ExpectedBucketOwner": ACCOUNT, "Policy": json.dumps(fixed["Policy"])},
                ),
            ),
            refusals=((0, "AccessDenied"), (0, "NoSuchBucket"), (1, "MalformedPolicy"), (1, "SlowDown")),
        ),
        reverts=(
            RevertCase("only its statement is removed", shared, fixed, fixed, (removed,)),
            RevertCase(
                "no policy before: deleted again",
                none,
                {**none, "Policy": {"Statement": [deny]}},
                {**none, "Policy": {"Statement": [deny]}},
                (removed,),
            ),
            RevertCase(
                "stricter since: another Deny added, kept",
                shared,
                fixed,
                {**fixed, "Policy": {"Version": "2012-10-17", "Statement": [reader, deny, other_deny]}},
                (removed,),
                kept="TeamTls",
                since="stricter",
            ),
            RevertCase(
                "changed by someone else since: the statement removed",
                shared,
                fixed,
                shared,
                conflict=True,
                since="changed",
            ),
        ),
        live=LiveCase(setup, {}),
        keeps=keeps,
        identities=(
            (resource("AwsS3Bucket", "arn:aws:s3:::b"), "b"),
            (resource("AWS::S3::Bucket", "b", ResourceFormat.CONFIG), "b"),
        ),
    )


REMEDIATION = Remediation(
    name="s3.require-ssl",
    summary="Append a Deny on aws:SecureTransport=false to the bucket policy; every existing statement stays.",
    service="s3",
    identity=S3_BUCKET,
    permissions=Permissions(
        read=("s3:GetBucketPolicy",),
        write=("s3:PutBucketPolicy",),
        revert=("s3:PutBucketPolicy", "s3:DeleteBucketPolicy"),
    ),
    risk=Risk.WORKLOAD_AFFECTING,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
)
