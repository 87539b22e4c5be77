"""Stop a subnet from giving new network interfaces a public IPv4 address (control EC2.15).

Controls: EC2.15 (Config rule `subnet-auto-assign-public-ip-disabled`).
Why: with `MapPublicIpOnLaunch` on, every instance launched into the subnet without an explicit
choice gets a public IPv4 address, reachable from the internet wherever the subnet routes to an
internet gateway. Turned off, a public address has to be asked for (or an Elastic IP attached).
Guarantee: one read, one write: `MapPublicIpOnLaunch` is set to false and nothing else. Running
instances keep the addresses they have; only launches from now on are affected. A subnet of
another account (shared with this one through AWS RAM) is not touched: its owner's account
must fix it, so the finding fails with `UnsupportedResourceError`. Revert turns the attribute
back on, unless someone turned it on again since.
Not done: `AssignIpv6AddressOnCreation`. AWS Config's current rule text also counts a subnet
that auto-assigns IPv6 addresses, but turning that off breaks launches in IPv6-only subnets and
leaves dual-stack instances without IPv6: a person decides that, and such a subnet keeps failing.
Risk: a bastion, NAT instance or Auto Scaling group that relies on the automatic public address
launches unreachable from the internet: `workload-affecting`.
APIs: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSubnets.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySubnetAttribute.html
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

ATTRIBUTE = "MapPublicIpOnLaunch"


def read(client: EC2Client, resource: Resource, params: Params) -> dict[str, Any]:
    """`SubnetId` and `MapPublicIpOnLaunch`; an unknown subnet fails with `InvalidSubnetID.NotFound`."""
    subnet = client.describe_subnets(SubnetIds=[resource.name])["Subnets"][0]
    owner = subnet.get("OwnerId")
    if owner and owner != resource.account_id:
        raise UnsupportedResourceError(
            f"{resource.name} belongs to account {owner} and is shared with {resource.account_id}: "
            "only its owner can change it, nothing was changed"
        )
    return {"SubnetId": resource.name, ATTRIBUTE: bool(subnet.get(ATTRIBUTE))}


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    if not state[ATTRIBUTE]:
        return Plan(after=dict(state))
    return Plan(
        changes=(Change(ATTRIBUTE, True, False),),
        calls=(_set(state["SubnetId"], False),),
        after={**state, ATTRIBUTE: False},
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    if current[ATTRIBUTE] != after[ATTRIBUTE]:
        refuse_unless_forced(force, f"subnet {current['SubnetId']} {ATTRIBUTE}", current[ATTRIBUTE], False)
    if current[ATTRIBUTE] == before[ATTRIBUTE]:
        return Plan(after=dict(current))
    return Plan(
        changes=(Change(ATTRIBUTE, current[ATTRIBUTE], before[ATTRIBUTE]),),
        calls=(_set(current["SubnetId"], before[ATTRIBUTE]),),
        after={**current, ATTRIBUTE: before[ATTRIBUTE]},
    )


def _set(subnet_id: str, value: bool) -> ApiCall:
    return ApiCall("modify_subnet_attribute", {"SubnetId": subnet_id, ATTRIBUTE: {"Value": value}})


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    return bool(before[ATTRIBUTE] or not after[ATTRIBUTE])


SUBNET = Identity(
    {
        ResourceFormat.ASFF: frozenset({"AwsEc2Subnet"}),
        ResourceFormat.CONFIG: frozenset({"AWS::EC2::Subnet"}),
    },
    arn="arn:{partition}:ec2:{region}:{account}:subnet/{name}",
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

    subnet_id = "subnet-0a1b2c3d4e5f60718"
    public = {"SubnetId": subnet_id, ATTRIBUTE: True}
    private = {**public, ATTRIBUTE: False}
    named = resource("AwsEc2Subnet", f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/{subnet_id}")

    def setup(session: Any) -> Resource:
        ec2 = session.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        made = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
        ec2.modify_subnet_attribute(SubnetId=made, MapPublicIpOnLaunch={"Value": True})
        return resource("AwsEc2Subnet", f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/{made}")

    return Cases(
        plans=(
            PlanCase("public IPv4 on launch", public, {}, ("MapPublicIpOnLaunch: true → false",)),
            PlanCase("off already", private, {}, ()),
        ),
        stubbed=StubbedCase(
            resource=named,
            params={},
            calls=(
                Exchange(
                    "describe_subnets",
                    {"SubnetIds": [subnet_id]},
                    {"Subnets": [{"SubnetId": subnet_id, "OwnerId": ACCOUNT, ATTRIBUTE: True}]},
                ),
                Exchange("modify_subnet_attribute", {"SubnetId": subnet_id, ATTRIBUTE: {"Value": False}}),
            ),
            refusals=(
                (0, "InvalidSubnetID.NotFound"),
                (0, "UnauthorizedOperation"),
                (1, "UnauthorizedOperation"),
                (1, "RequestLimitExceeded"),
            ),
        ),
        reverts=(
            RevertCase("on again", public, private, private, ("MapPublicIpOnLaunch: false → true",)),
            RevertCase(
                "changed by someone else since: on again",
                public,
                private,
                public,
                conflict=True,
                since="changed",
            ),
        ),
        live=LiveCase(setup, {}),
        keeps=keeps,
        strictest="MapPublicIpOnLaunch false is the strictest value: nothing can be stricter since",
        identities=(
            (named, subnet_id),
            (resource("AWS::EC2::Subnet", subnet_id, ResourceFormat.CONFIG), subnet_id),
        ),
    )


REMEDIATION = Remediation(
    name="ec2.disable-subnet-public-ip",
    summary="Stop a subnet from assigning public IPv4 addresses on launch (MapPublicIpOnLaunch off).",
    service="ec2",
    identity=SUBNET,
    permissions=Permissions(
        read=("ec2:DescribeSubnets",),
        write=("ec2:ModifySubnetAttribute",),
        revert=("ec2:ModifySubnetAttribute",),
    ),
    risk=Risk.WORKLOAD_AFFECTING,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
)
