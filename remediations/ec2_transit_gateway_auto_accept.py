"""Stop a transit gateway from accepting cross-account attachment requests on its own (EC2.23).

Controls: EC2.23 (Config rule `ec2-transit-gateway-auto-vpc-attach-disabled`).
Why: with `AutoAcceptSharedAttachments` on, any account the transit gateway is shared with
(through AWS RAM) can attach a VPC and reach whatever the gateway routes to, with no one in
this account agreeing. Turned off, each request waits as `pendingAcceptance` for a person here.
Guarantee: one read, one write, and the request names `Options.AutoAcceptSharedAttachments`
alone: no route table, DNS, ECMP or CIDR option is sent. AWS applies a modified option to new
attachments only, so attachments that exist already (accepted or pending) stay as they are;
an absent option reads as AWS's default, `disable`. A transit gateway
of another account (shared with this one) is not touched: only its owner can modify it, so the
finding fails with `UnsupportedResourceError`. Revert sets `enable` again, unless someone did
since.
Risk: automation in other accounts that attaches VPCs and expects them to come up (account
vending, landing zones) now waits for `AcceptTransitGatewayVpcAttachment`: `workload-affecting`.
APIs: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeTransitGateways.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyTransitGateway.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.errors import RemediationFailedError, UnsupportedResourceError
from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Identity, Params, Permissions, Remediation, Risk
from remediations.revert import refuse_unless_forced

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

    from remediations.cases import Cases

OPTION = "AutoAcceptSharedAttachments"
ENABLE, DISABLE = "enable", "disable"
NOT_FOUND = "InvalidTransitGatewayID.NotFound"


def read(client: EC2Client, resource: Resource, params: Params) -> dict[str, Any]:
    """`TransitGatewayId` and `AutoAcceptSharedAttachments`.

    An id that names no transit gateway fails with `InvalidTransitGatewayID.NotFound`, whether
    EC2 answers with that error or with an empty list, never as "compliant".
    """
    gateways = client.describe_transit_gateways(TransitGatewayIds=[resource.name])["TransitGateways"]
    if not gateways:
        raise RemediationFailedError(
            f"no transit gateway {resource.name} in this account and Region",
            error_code=NOT_FOUND,
            operation="DescribeTransitGateways",
        )
    gateway = gateways[0]
    owner = gateway.get("OwnerId")
    if owner and owner != resource.account_id:
        raise UnsupportedResourceError(
            f"{resource.name} belongs to account {owner} and is shared with {resource.account_id}: "
            "only its owner can change it, nothing was changed"
        )
    return {"TransitGatewayId": resource.name, OPTION: gateway.get("Options", {}).get(OPTION, DISABLE)}


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    if state[OPTION] != ENABLE:
        return Plan(after=dict(state))
    return Plan(
        changes=(Change(OPTION, ENABLE, DISABLE),),
        calls=(_set(state["TransitGatewayId"], DISABLE),),
        after={**state, OPTION: DISABLE},
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    if current[OPTION] != after[OPTION]:
        refuse_unless_forced(
            force, f"transit gateway {current['TransitGatewayId']} {OPTION}", current[OPTION], after[OPTION]
        )
    if current[OPTION] == before[OPTION]:
        return Plan(after=dict(current))
    return Plan(
        changes=(Change(OPTION, current[OPTION], before[OPTION]),),
        calls=(_set(current["TransitGatewayId"], before[OPTION]),),
        after={**current, OPTION: before[OPTION]},
    )


def _set(gateway_id: str, value: str) -> ApiCall:
    return ApiCall("modify_transit_gateway", {"TransitGatewayId": gateway_id, "Options": {OPTION: value}})


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    return bool(before[OPTION] == ENABLE or after[OPTION] == before[OPTION])


TRANSIT_GATEWAY = Identity(
    {
        ResourceFormat.ASFF: frozenset({"AwsEc2TransitGateway"}),
        ResourceFormat.CONFIG: frozenset({"AWS::EC2::TransitGateway"}),
    },
    arn="arn:{partition}:ec2:{region}:{account}:transit-gateway/{name}",
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

    gateway_id = "tgw-0a1b2c3d4e5f60718"
    auto = {"TransitGatewayId": gateway_id, OPTION: ENABLE}
    manual = {**auto, OPTION: DISABLE}
    named = resource("AwsEc2TransitGateway", f"arn:aws:ec2:{REGION}:{ACCOUNT}:transit-gateway/{gateway_id}")
    options = {
        "AmazonSideAsn": 64512,
        OPTION: ENABLE,
        "DefaultRouteTableAssociation": "enable",
        "DefaultRouteTablePropagation": "enable",
        "DnsSupport": "enable",
        "VpnEcmpSupport": "enable",
    }

    def setup(session: Any) -> Resource:
        made = session.client("ec2").create_transit_gateway(Description="case", Options={OPTION: ENABLE})[
            "TransitGateway"
        ]["TransitGatewayId"]
        return resource("AwsEc2TransitGateway", f"arn:aws:ec2:{REGION}:{ACCOUNT}:transit-gateway/{made}")

    return Cases(
        plans=(
            PlanCase("accepts on its own", auto, {}, ("AutoAcceptSharedAttachments: enable → disable",)),
            PlanCase("waits for a person already", manual, {}, ()),
        ),
        stubbed=StubbedCase(
            resource=named,
            params={},
            calls=(
                Exchange(
                    "describe_transit_gateways",
                    {"TransitGatewayIds": [gateway_id]},
                    {
                        "TransitGateways": [
                            {
                                "TransitGatewayId": gateway_id,
                                "OwnerId": ACCOUNT,
                                "State": "available",
                                "Options": options,
                            }
                        ]
                    },
                ),
                Exchange(
                    "modify_transit_gateway",
                    {"TransitGatewayId": gateway_id, "Options": {OPTION: DISABLE}},
                    {"TransitGateway": {"TransitGatewayId": gateway_id, "State": "modifying"}},
                ),
            ),
            refusals=(
                (0, NOT_FOUND),
                (0, "UnauthorizedOperation"),
                (1, "IncorrectState"),
                (1, "UnauthorizedOperation"),
            ),
        ),
        reverts=(
            RevertCase(
                "accepts on its own again",
                auto,
                manual,
                manual,
                ("AutoAcceptSharedAttachments: disable → enable",),
            ),
            RevertCase(
                "changed by someone else since: on again",
                auto,
                manual,
                auto,
                conflict=True,
                since="changed",
            ),
        ),
        live=LiveCase(setup, {}),
        keeps=keeps,
        strictest="AutoAcceptSharedAttachments disable is the strictest value: nothing can be stricter since",
        identities=(
            (named, gateway_id),
            (resource("AWS::EC2::TransitGateway", gateway_id, ResourceFormat.CONFIG), gateway_id),
        ),
    )


REMEDIATION = Remediation(
    name="ec2.disable-transit-gateway-auto-accept",
    summary="Make a transit gateway wait for a person to accept shared VPC attachment requests.",
    service="ec2",
    identity=TRANSIT_GATEWAY,
    permissions=Permissions(
        read=("ec2:DescribeTransitGateways",),
        write=("ec2:ModifyTransitGateway",),
        revert=("ec2:ModifyTransitGateway",),
    ),
    risk=Risk.WORKLOAD_AFFECTING,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
)
