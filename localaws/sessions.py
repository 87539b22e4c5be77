"""boto3 sessions for the accounts of a local estate: the default one, and one per assumed role.

moto maps assumed-role credentials to the role's account, so a session from
`assume_role_session` acts in the member account exactly as the engine's own member sessions
do in production (`engine.clients`). moto does not check trust policies: any role ARN works
unless a test injects a refusal (`localaws.faults`).
"""

from __future__ import annotations

import boto3

REGION = "us-east-1"


def default_session(session: boto3.Session | None = None) -> boto3.Session:
    """`session`, else boto3's default session: the one `boto3.client(...)` uses."""
    if session is not None:
        return session
    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    assert boto3.DEFAULT_SESSION is not None
    return boto3.DEFAULT_SESSION


def role_arn(account: str, role_name: str) -> str:
    return f"arn:aws:iam::{account}:role/{role_name}"


def assume_role_session(
    account: str,
    role_name: str,
    *,
    source: boto3.Session | None = None,
    region: str = REGION,
    session_name: str = "localaws",
) -> boto3.Session:
    """A session in `account` through `role_name`, assumed from `source` (default session if None)."""
    credentials = (
        default_session(source)
        .client("sts", region_name=region)
        .assume_role(RoleArn=role_arn(account, role_name), RoleSessionName=session_name)["Credentials"]
    )
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )
