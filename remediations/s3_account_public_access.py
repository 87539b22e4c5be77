"""Turn on all four S3 Block Public Access flags for the whole account (control S3.1).

Controls: S3.1; CIS 1.4 2.1.5 (finding ControlId 2.1.5.1), CIS 3.0 2.1.4 (2.1.4.1),
CIS 5.0 2.1.4, PCI.S3.6; Config rules `s3-account-level-public-access-blocks(-periodic)`.
Why: account-level BPA overrides every bucket and access point setting, so no bucket in
the account can be made public by an ACL or a policy.
Guarantee: flags are merged with the current configuration, only ever switched on. The
account id is the finding's resource (`AWS::::Account:<id>`, or the Config resource id).
APIs: https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetPublicAccessBlock.html
https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_PutPublicAccessBlock.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.finding import Resource
from model.outcome import Plan
from remediations.base import Params, Remediation, object_schema
from remediations.public_access_block import plan_all_flags_on, read_flags

if TYPE_CHECKING:
    from mypy_boto3_s3control import S3ControlClient


def read(client: S3ControlClient, resource: Resource, params: Params) -> dict[str, Any]:
    flags = read_flags(lambda: client.get_public_access_block(AccountId=resource.name))
    return {"AccountId": resource.name, **flags}


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    return plan_all_flags_on(state, {"AccountId": state["AccountId"]})


def apply(client: S3ControlClient, resource: Resource, plan: Plan) -> None:
    client.put_public_access_block(
        AccountId=plan.request["AccountId"],
        PublicAccessBlockConfiguration=plan.request["PublicAccessBlockConfiguration"],
    )


REMEDIATION = Remediation(
    name="s3.block-account-public-access",
    summary="Turn on all four account-level S3 Block Public Access flags; flags already on stay on.",
    service="s3control",
    resource_types=frozenset({"AwsAccount"}),
    permissions=("s3:GetAccountPublicAccessBlock", "s3:PutAccountPublicAccessBlock"),
    parameters_schema=object_schema({}),
    read=read,
    plan=plan,
    apply=apply,
)
