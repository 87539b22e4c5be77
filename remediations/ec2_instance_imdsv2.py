"""Make an instance require IMDSv2, session tokens, for its instance metadata (control EC2.8).

Controls: EC2.8; CIS 3.0 5.6, CIS 5.0 5.7 (Config rule `ec2-imdsv2-check`: NON_COMPLIANT while
`HttpTokens` is `optional`).
Why: IMDSv1 answers any plain GET, so an SSRF bug or an open proxy on the instance can read its
role's credentials; IMDSv2 needs a token from a PUT first, which such requests cannot make.
Guarantee: one read, one write, and the request names `HttpTokens` alone: AWS keeps every
option a request leaves out (endpoint, hop limit, IPv6 endpoint, tags in metadata), so nothing
but the token requirement changes. That matters where the endpoint is switched off: AWS's own
runbook also sends `HttpEndpoint=enabled` and would switch it back on; here a disabled endpoint
stays disabled (the instance reads no metadata either way, the control passes, and should
someone enable the endpoint later it answers IMDSv2 only). An instance that is shutting down
or terminated fails with `UnsupportedResourceError`. A stopped instance takes the change at
its next start. Revert sets `HttpTokens` back to `optional`, unless someone did since, and
keeps `required` where the endpoint has been switched off since (stricter).
Risk: software on the instance still using IMDSv1 (old SDKs and agents) can no longer read
metadata or its role's credentials; containers that reach IMDS through an extra network hop
also need a hop limit of 2, which this fix does not change: `workload-affecting`.
Launch templates keep launching IMDSv1 instances until they are fixed too (other controls).
APIs: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceMetadataOptions.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.errors import UnsupportedResourceError
from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Identity, Params, Permissions, Remediation, Risk
from remediations.revert import refuse_unless_forced

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

    from remediations.cases import Cases

TOKENS, ENDPOINT = "HttpTokens", "HttpEndpoint"
REQUIRED, OPTIONAL = "required", "optional"
#: The metadata options recorded with the state (DescribeInstances' `MetadataOptions` less `State`).
OPTIONS = (TOKENS, ENDPOINT, "HttpPutResponseHopLimit", "HttpProtocolIpv6", "InstanceMetadataTags")
GONE = ("shutting-down", "terminated")


def read(client: EC2Client, resource: Resource, params: Params) -> dict[str, Any]:
    """The instance's metadata options; an unknown instance fails with `InvalidInstanceID.NotFound`."""
    instance = client.describe_instances(InstanceIds=[resource.name])["Reservations"][0]["Instances"][0]
    status = instance.get("State", {}).get("Name")
    if status in GONE:
        raise UnsupportedResourceError(f"{resource.name} is {status}: there is nothing to change")
    options: Mapping[str, Any] = instance.get("MetadataOptions", {})
    return {"InstanceId": resource.name} | {key: options.get(key) for key in OPTIONS}


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    if state[TOKENS] == REQUIRED:
        return Plan(after=dict(state))
    return Plan(
        changes=(Change(TOKENS, state[TOKENS] or OPTIONAL, REQUIRED),),
        calls=(_set(state["InstanceId"], REQUIRED),),
        after={**state, TOKENS: REQUIRED},
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    if current[TOKENS] != REQUIRED:
        refuse_unless_forced(force, f"instance {current['InstanceId']} {TOKENS}", current[TOKENS], REQUIRED)
        return Plan(after=dict(current))
    if current[ENDPOINT] == "disabled" and after[ENDPOINT] != "disabled":
        note = (
            f"kept {TOKENS} {REQUIRED}: the metadata endpoint has been disabled since, stricter than before"
        )
        return Plan(after=dict(current), notes=(note,))
    old = before[TOKENS] or OPTIONAL
    return Plan(
        changes=(Change(TOKENS, REQUIRED, old),),
        calls=(_set(current["InstanceId"], old),),
        after={**current, TOKENS: before[TOKENS]},
    )


def _set(instance_id: str, tokens: str) -> ApiCall:
    return ApiCall("modify_instance_metadata_options", {"InstanceId": instance_id, TOKENS: tokens})


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """IMDSv2 stays required where it was, and no other option moves (a disabled endpoint stays so)."""
    tokens_kept = before[TOKENS] != REQUIRED or after[TOKENS] == REQUIRED
    return tokens_kept and all(after[key] == before[key] for key in OPTIONS if key != TOKENS)


INSTANCE = Identity(
    {
        ResourceFormat.ASFF: frozenset({"AwsEc2Instance"}),
        ResourceFormat.CONFIG: frozenset({"AWS::EC2::Instance"}),
    },
    arn="arn:{partition}:ec2:{region}:{account}:instance/{name}",
)


def cases() -> Cases:
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

    instance_id = "i-0a1b2c3d4e5f60718"
    options = {
        TOKENS: OPTIONAL,
        ENDPOINT: "enabled",
        "HttpPutResponseHopLimit": 2,
        "HttpProtocolIpv6": "disabled",
        "InstanceMetadataTags": "enabled",
    }
    v1 = {"InstanceId": instance_id, **options}
    v2 = {**v1, TOKENS: REQUIRED}
    v1_off, v2_off = {**v1, ENDPOINT: "disabled"}, {**v2, ENDPOINT: "disabled"}
    named = resource("AwsEc2Instance", f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{instance_id}")

    def setup(session: Any) -> Resource:
        made = session.client("ec2").run_instances(
            ImageId="ami-12c6146b",
            MinCount=1,
            MaxCount=1,
            InstanceType="t3.micro",
            MetadataOptions={
                TOKENS: OPTIONAL,
                "HttpPutResponseHopLimit": 2,
                "InstanceMetadataTags": "enabled",
            },
        )["Instances"][0]["InstanceId"]
        return resource("AwsEc2Instance", f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{made}")

    return Cases(
        plans=(
            PlanCase("IMDSv1 allowed", v1, {}, ("HttpTokens: optional → required",)),
            PlanCase(
                "endpoint disabled: only the tokens change", v1_off, {}, ("HttpTokens: optional → required",)
            ),
            PlanCase("IMDSv2 required already", v2, {}, ()),
            PlanCase("IMDSv2 required, endpoint disabled", v2_off, {}, ()),
        ),
        stubbed=StubbedCase(
            resource=named,
            params={},
            calls=(
                Exchange(
                    "describe_instances",
                    {"InstanceIds": [instance_id]},
                    {
                        "Reservations": [
                            {
                                "Instances": [
                                    {
                                        "InstanceId": instance_id,
                                        "State": {"Code": 16, "Name": "running"},
                                        "MetadataOptions": {"State": "applied", **options},
                                    }
                                ]
                            }
                        ]
                    },
                ),
                Exchange(
                    "modify_instance_metadata_options",
                    {"InstanceId": instance_id, TOKENS: REQUIRED},
                    {
                        "InstanceId": instance_id,
                        "InstanceMetadataOptions": {"State": "pending", **options, TOKENS: REQUIRED},
                    },
                ),
            ),
            refusals=(
                (0, "InvalidInstanceID.NotFound"),
                (0, "UnauthorizedOperation"),
                (1, "IncorrectInstanceState"),
                (1, "UnauthorizedOperation"),
            ),
        ),
        reverts=(
            RevertCase("IMDSv1 allowed again", v1, v2, v2, ("HttpTokens: required → optional",)),
            RevertCase(
                "endpoint disabled before and still: tokens back",
                v1_off,
                v2_off,
                v2_off,
                ("HttpTokens: required → optional",),
            ),
            RevertCase(
                "endpoint disabled since: required kept",
                v1,
                v2,
                v2_off,
                kept="metadata endpoint has been disabled since",
                since="stricter",
            ),
            RevertCase(
                "changed by someone else since: IMDSv1 allowed again",
                v1,
                v2,
                {**v1, "HttpPutResponseHopLimit": 3},
                conflict=True,
                since="changed",
            ),
        ),
        live=LiveCase(setup, {}),
        keeps=keeps,
        identities=(
            (named, instance_id),
            (resource("AWS::EC2::Instance", instance_id, ResourceFormat.CONFIG), instance_id),
        ),
    )


REMEDIATION = Remediation(
    name="ec2.require-imdsv2",
    summary="Require IMDSv2 (HttpTokens required) on an instance; every other metadata option is kept.",
    service="ec2",
    identity=INSTANCE,
    permissions=Permissions(
        read=("ec2:DescribeInstances",),
        write=("ec2:ModifyInstanceMetadataOptions",),
        revert=("ec2:ModifyInstanceMetadataOptions",),
    ),
    risk=Risk.WORKLOAD_AFFECTING,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
)
