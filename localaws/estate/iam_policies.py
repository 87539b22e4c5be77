"""AWS managed IAM policies in moto, one at a time, for the remediations that attach one (IAM.18).

moto knows AWS's managed policies (`arn:aws:iam::aws:policy/…`) only when it loads all of them
(`MOTO_IAM_LOAD_MANAGED_POLICIES`, about a thousand, at every account's first IAM call): without
them `AttachRolePolicy` answers `NoSuchEntity`, as AWS would for a policy that does not exist.
`load_aws_managed_policy` adds the one a case needs, from moto's own copy of AWS's policies, to
the account's IAM backend: in-process moto (`mock_aws`) only.
"""

from __future__ import annotations

import json
from typing import Any

from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.models import AWSManagedPolicy, iam_backends

from localaws.estate.names import ACCOUNT


def load_aws_managed_policy(name: str, account: str = ACCOUNT) -> str:
    """Make `arn:aws:iam::aws:policy/<name>` known to the account's IAM; its ARN."""
    backend = iam_backends[account]["global"]
    policy = AWSManagedPolicy.from_data(
        name, account, "us-east-1", json.loads(aws_managed_policies_data)[name]
    )
    backend.managed_policies.setdefault(policy.arn, policy)
    return str(policy.arn)


def account_with_support_policy(session: Any = None, account: str = ACCOUNT) -> str:
    """IAM.18's live case: the account (as its finding names it) once `AWSSupportAccess` is known."""
    load_aws_managed_policy("AWSSupportAccess", account)
    return f"AWS::::Account:{account}"
