"""Turn on S3 server access logging for a bucket, to the baseline's log bucket (S3.9, CloudTrail.7).

Controls: S3.9 (Config rule s3-bucket-logging-enabled); CloudTrail.7 (CIS 1.2 2.6, CIS 1.4 3.6,
CIS 3.0 3.4, CIS 5.0 3.4), whose finding names the trail's log bucket: the same fix, aimed at
that bucket.
Why: access logs record every request made to the bucket (who read or deleted which object),
which CloudTrail's management events do not; for a trail's bucket they show who read the logs.
Destination: the access log bucket of the bucket's account and Region, never made here. It is
the rule's `log_bucket`, else the SSM parameter `/sechub-remediator/baseline/access-log-bucket`
that `deploy/member-baseline.yaml` publishes (remediations/destinations.py). S3 delivers access
logs only to a bucket of the same account and Region (S3 user guide, "Enabling Amazon S3 server
access logging"), so the parameter is read where the bucket is. A missing parameter leaves the
bucket alone and the finding NOTIFIED, naming the parameter and the template.
Guarantee: a bucket that logs already keeps its target and prefix, whatever they are: it is
compliant. Logs go under the prefix `<bucket>/`. A bucket never logs to itself (each log
delivery would be a new request to log): the log bucket's own finding is NOTIFIED, to be
suppressed (AWS: the target bucket need not log). One read (GetBucketLogging), one write
(PutBucketLogging); the destination read (GetParameters) only when there is something to change.
Revert switches logging off, unless it now logs elsewhere (someone else's change: refused
unless forced).
APIs: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLogging.html
https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLogging.html
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.errors import UnsupportedResourceError
from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Params, Permissions, Remediation, Risk
from remediations.destinations import Destination, needed
from remediations.identities import S3_BUCKET, bucket_in, bucket_of
from remediations.revert import refuse_unless_forced

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from remediations.cases import Cases

FIELD = "LoggingEnabled"
LOG_BUCKET = Destination("log_bucket", "access-log-bucket", "the S3 server access log bucket")
#: A bucket name as S3 allows it.
BUCKET_SCHEMA: Mapping[str, Any] = {"type": "string", "pattern": "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"}


def read(client: S3Client, resource: Resource, params: Params) -> dict[str, Any]:
    logging = client.get_bucket_logging(**bucket_of(resource)).get("LoggingEnabled")
    if not logging:
        return {**bucket_of(resource), FIELD: None}
    return {
        **bucket_of(resource),
        FIELD: {"TargetBucket": logging["TargetBucket"], "TargetPrefix": logging["TargetPrefix"]},
    }


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    if state[FIELD]:
        return Plan(after=dict(state))
    target = needed(params, LOG_BUCKET)
    if target == state["Bucket"]:
        raise UnsupportedResourceError(
            f"{target} is the access log bucket itself: a bucket never logs to itself (every delivery "
            "would be logged again); suppress this finding for the log bucket"
        )
    logging = {"TargetBucket": target, "TargetPrefix": f"{state['Bucket']}/"}
    return Plan(
        changes=(Change(FIELD, None, f"s3://{target}/{logging['TargetPrefix']}"),),
        calls=(_put(state, {FIELD: logging}),),
        after={**state, FIELD: logging},
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    if current[FIELD] != after[FIELD]:
        refuse_unless_forced(
            force, f"access logging of bucket {current['Bucket']}", current[FIELD], after[FIELD]
        )
    if not current[FIELD]:
        return Plan(after=dict(current))
    now = current[FIELD]
    return Plan(
        changes=(Change(FIELD, f"s3://{now['TargetBucket']}/{now.get('TargetPrefix', '')}", None),),
        calls=(_put(current, {}),),
        after={**current, FIELD: None},
    )


def _put(state: Mapping[str, Any], status: Mapping[str, Any]) -> ApiCall:
    return ApiCall("put_bucket_logging", {**bucket_in(state), "BucketLoggingStatus": dict(status)})


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    return not before[FIELD] or after[FIELD] == before[FIELD]


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

    logs = "access-logs-123456789012-us-east-1"

    def state(logging: Mapping[str, str] | None, bucket: str = "b") -> dict[str, Any]:
        return {"Bucket": bucket, "ExpectedBucketOwner": ACCOUNT, FIELD: dict(logging) if logging else None}

    ours = {"TargetBucket": logs, "TargetPrefix": "b/"}
    theirs = {"TargetBucket": "central-access-logs", "TargetPrefix": "s3/b/"}

    def setup(session: Any) -> Resource:
        """A bucket that does not log, and the baseline's log bucket, published as the template does."""
        s3 = session.client("s3")
        s3.create_bucket(Bucket=logs)
        delivery = {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}}
        statement = {**delivery, "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{logs}/*"}
        s3.put_bucket_policy(
            Bucket=logs, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        )
        session.client("ssm").put_parameter(
            Name=LOG_BUCKET.ssm_name, Value=logs, Type="String", Overwrite=True
        )
        s3.create_bucket(Bucket="case-unlogged-bucket")
        return resource("AwsS3Bucket", "arn:aws:s3:::case-unlogged-bucket")

    return Cases(
        plans=(
            PlanCase(
                "not logging", state(None), {"log_bucket": logs}, (f"LoggingEnabled: none → s3://{logs}/b/",)
            ),
            PlanCase("logging to its own target already", state(theirs), {"log_bucket": logs}, ()),
            PlanCase("logging, no destination needed", state(ours), {}, ()),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsS3Bucket", "arn:aws:s3:::b"),
            params={},
            calls=(
                Exchange("get_bucket_logging", {"Bucket": "b", "ExpectedBucketOwner": ACCOUNT}, {}),
                Exchange(
                    "put_bucket_logging",
                    {"Bucket": "b", "ExpectedBucketOwner": ACCOUNT, "BucketLoggingStatus": {FIELD: ours}},
                ),
            ),
            refusals=((0, "NoSuchBucket"), (0, "AccessDenied"), (1, "InvalidTargetBucketForLogging")),
        ),
        reverts=(
            RevertCase(
                "logging off again",
                state(None),
                state(ours),
                state(ours),
                (f"LoggingEnabled: s3://{logs}/b/ → none",),
            ),
            RevertCase(
                "pointed elsewhere by someone else since",
                state(None),
                state(ours),
                state(theirs),
                conflict=True,
                forced=("LoggingEnabled: s3://central-access-logs/s3/b/ → none",),
                since="changed",
            ),
        ),
        live=LiveCase(setup, {"log_bucket": logs}),
        keeps=keeps,
        strictest="logging is on or off: another target is not stricter, only someone else's choice (refused)",
        identities=(
            (resource("AwsS3Bucket", "arn:aws:s3:::b"), "b"),
            (resource("AWS::S3::Bucket", "b", ResourceFormat.CONFIG), "b"),
        ),
        destinations={"log_bucket": logs},
    )


REMEDIATION = Remediation(
    name="s3.enable-server-access-logging",
    summary="Turn on server access logging to the baseline's log bucket of the bucket's Region; a bucket that logs keeps its target.",
    service="s3",
    identity=S3_BUCKET,
    permissions=Permissions(
        read=("s3:GetBucketLogging",),
        write=("s3:PutBucketLogging",),
        revert=("s3:PutBucketLogging",),
    ),
    risk=Risk.SAFE,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
    parameters={"log_bucket": BUCKET_SCHEMA},
    destinations=(LOG_BUCKET,),
)
