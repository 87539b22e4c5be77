"""What `deploy/member-baseline.yaml` creates, built in moto: the destinations remediations point at.

The baseline template creates an access log bucket (with the policy that lets S3 server access
logging deliver to it) among others, and publishes each under the
SSM prefix remediations read (remediations/destinations.py). Tests build the same here, in one
account and Region, so the engine finds its destinations as it would in a member account. (A
remediation's own cases build theirs inline: the Lambda's packages never import localaws.)
"""

from __future__ import annotations

import json
from typing import Any

from remediations.destinations import PREFIX


def publish(session: Any, name: str, value: str) -> None:
    """One baseline output, as the template publishes it: a String parameter under PREFIX."""
    session.client("ssm").put_parameter(Name=PREFIX + name, Value=value, Type="String", Overwrite=True)


def create_log_bucket(session: Any, name: str) -> str:
    """The access log bucket, whose policy admits S3 log delivery from this account, published."""
    s3 = session.client("s3")
    account = session.client("sts").get_caller_identity()["Account"]
    s3.create_bucket(Bucket=name)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "S3ServerAccessLogs",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{name}/*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account}},
            }
        ],
    }
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    publish(session, "access-log-bucket", name)
    return name
