"""Turn on all four S3 Block Public Access flags for the whole account (control S3.1).

Controls: S3.1; CIS 1.4 2.1.5 (finding ControlId 2.1.5.1), CIS 3.0 2.1.4 (2.1.4.1),
CIS 5.0 2.1.4, PCI.S3.6; Config rules `s3-account-level-public-access-blocks(-periodic)`.
Why: account-level BPA overrides every bucket and access point setting, so no bucket in
the account can be made public by an ACL or a policy.
Risk: every public bucket of the account (a website, a public dataset) stops being public:
`workload-affecting`.
Guarantee: flags are merged with the current configuration, only ever switched on. The
account id is the finding's resource (`AWS::::Account:<id>`, or the Config resource id).
APIs: https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetPublicAccessBlock.html
https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_PutPublicAccessBlock.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.finding import Resource, ResourceFormat
from model.outcome import Plan
from remediations.base import Params, Permissions, Remediation, Risk
from remediations.identities import ACCOUNT
from remediations.public_access_block import FLAGS, keeps, plan_all_flags_on, read_flags, revert_flags

if TYPE_CHECKING:
    from mypy_boto3_s3control import S3ControlClient

    from remediations.cases import Cases


def read(client: S3ControlClient, resource: Resource, params: Params) -> dict[str, Any]:
    flags = read_flags(lambda: client.get_public_access_block(AccountId=resource.name))
    return {"AccountId": resource.name, **flags}


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    return plan_all_flags_on(state)


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    return revert_flags(current, before, force)


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

    def state(*on: str) -> dict[str, Any]:
        return {"AccountId": ACCOUNT, **{flag: flag in on for flag in FLAGS}}

    def setup(session: Any) -> Resource:
        return resource("AwsAccount", f"AWS::::Account:{ACCOUNT}")

    return Cases(
        plans=(
            PlanCase("none", state(), {}, tuple(f"{flag}: false → true" for flag in FLAGS)),
            PlanCase("all on", state(*FLAGS), {}, ()),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsAccount", f"AWS::::Account:{ACCOUNT}"),
            params={},
            calls=(
                Exchange(
                    "get_public_access_block",
                    {"AccountId": ACCOUNT},
                    error="NoSuchPublicAccessBlockConfiguration",
                ),
                Exchange(
                    "put_public_access_block",
                    {"AccountId": ACCOUNT, "PublicAccessBlockConfiguration": dict.fromkeys(FLAGS, True)},
                ),
            ),
            refusals=((0, "AccessDenied"), (1, "SlowDown")),
        ),
        reverts=(
            RevertCase(
                "back to none: the configuration is deleted",
                state(),
                state(*FLAGS),
                state(*FLAGS),
                tuple(f"{flag}: true → false" for flag in FLAGS),
            ),
            RevertCase(
                "a flag it had is kept",
                state("BlockPublicPolicy"),
                state(*FLAGS),
                state(*FLAGS),
                (
                    "BlockPublicAcls: true → false",
                    "IgnorePublicAcls: true → false",
                    "RestrictPublicBuckets: true → false",
                ),
            ),
            RevertCase(
                "changed by someone else since",
                state(),
                state(*FLAGS),
                state("BlockPublicAcls", "IgnorePublicAcls"),
                conflict=True,
                forced=("BlockPublicAcls: true → false", "IgnorePublicAcls: true → false"),
                since="changed",
            ),
        ),
        live=LiveCase(setup, {}),
        keeps=keeps,
        strictest="all four flags on is the strictest configuration: nothing can be stricter since",
        identities=(
            (resource("AwsAccount", f"AWS::::Account:{ACCOUNT}"), ACCOUNT),
            (resource("AWS::::Account", ACCOUNT, ResourceFormat.CONFIG), ACCOUNT),
        ),
    )


REMEDIATION = Remediation(
    name="s3.block-account-public-access",
    summary="Turn on all four account-level S3 Block Public Access flags; flags already on stay on.",
    service="s3control",
    identity=ACCOUNT,
    permissions=Permissions(
        read=("s3:GetAccountPublicAccessBlock",),
        write=("s3:PutAccountPublicAccessBlock",),
        revert=("s3:PutAccountPublicAccessBlock",),
    ),
    risk=Risk.WORKLOAD_AFFECTING,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
)
