"""Read a security group with its rules, and describe or re-create single rules.

Shared by the remediations that revoke security-group rules (`ec2_public_ingress`,
`ec2_default_security_group`). A `DescribeSecurityGroupRules` filter on an unknown group id
answers with an empty list, so an empty answer is checked with `DescribeSecurityGroups`: a
group that does not exist fails with `InvalidGroup.NotFound` instead of reading as compliant.
APIs: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroups.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroupRules.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

#: IpProtocol as DescribeSecurityGroupRules reports it → the name used in notes and port logic.
PROTOCOL_NAMES = {"6": "tcp", "17": "udp", "-1": "all", "all": "all", "tcp": "tcp", "udp": "udp"}
READ_PERMISSIONS = ("ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules")


def read_group(client: EC2Client, group_id: str, *, with_name: bool = False) -> dict[str, Any]:
    """`GroupId`, every rule (ingress and egress) and, when asked or needed, `GroupName` / `VpcId`.

    The rules come first: a group always has rules in practice, so one call usually suffices.
    The group itself is described when its name is wanted, or when no rule came back, so that
    a deleted group fails with `InvalidGroup.NotFound` instead of reading as compliant.
    """
    rules: list[dict[str, Any]] = []
    paginator = client.get_paginator("describe_security_group_rules")
    for page in paginator.paginate(Filters=[{"Name": "group-id", "Values": [group_id]}]):
        rules.extend(dict(rule) for rule in page["SecurityGroupRules"])
    state: dict[str, Any] = {"GroupId": group_id, "Rules": rules}
    if with_name or not rules:
        group = client.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
        state.update(GroupName=group.get("GroupName"), VpcId=group.get("VpcId"))
    return state


def protocol_name(rule: Mapping[str, Any]) -> str:
    """`tcp`, `udp`, `all`, or the protocol as AWS gave it (`icmp`, `icmpv6`, `50`…)."""
    raw = str(rule.get("IpProtocol", "")).lower()
    return PROTOCOL_NAMES.get(raw, raw)


def port_range(rule: Mapping[str, Any]) -> tuple[int, int] | None:
    """The TCP/UDP ports the rule opens (all of them for protocol -1); None for port-less protocols."""
    protocol = protocol_name(rule)
    if protocol not in ("tcp", "udp", "all"):
        return None
    low, high = rule.get("FromPort", -1), rule.get("ToPort", -1)
    if protocol == "all" or low is None or low < 0:
        return 0, 65535
    return int(low), int(high if high is not None and high >= 0 else low)


def describe_rule(rule: Mapping[str, Any]) -> str:
    """`tcp 22 from 0.0.0.0/0`, `all traffic to 0.0.0.0/0`, `icmp from sg-…`: for notes."""
    protocol = protocol_name(rule)
    ports = port_range(rule)
    if protocol == "all":
        what = "all traffic"
    elif ports is None:
        what = protocol
    elif ports == (0, 65535):
        what = f"{protocol} all ports"
    else:
        what = f"{protocol} {ports[0]}" if ports[0] == ports[1] else f"{protocol} {ports[0]}-{ports[1]}"
    peer = (
        rule.get("CidrIpv4")
        or rule.get("CidrIpv6")
        or rule.get("PrefixListId")
        or (rule.get("ReferencedGroupInfo") or {}).get("GroupId")
        or "?"
    )
    return f"{what} {'to' if rule.get('IsEgress') else 'from'} {peer}"


def as_ip_permission(rule: Mapping[str, Any]) -> dict[str, Any]:
    """The rule as `AuthorizeSecurityGroupIngress` / `...Egress` `IpPermissions` input (for undo)."""
    permission: dict[str, Any] = {"IpProtocol": rule["IpProtocol"]}
    if rule.get("FromPort") is not None and str(rule["IpProtocol"]) != "-1":
        permission["FromPort"], permission["ToPort"] = rule["FromPort"], rule["ToPort"]
    description = {"Description": rule["Description"]} if rule.get("Description") else {}
    if rule.get("CidrIpv4"):
        permission["IpRanges"] = [{"CidrIp": rule["CidrIpv4"], **description}]
    elif rule.get("CidrIpv6"):
        permission["Ipv6Ranges"] = [{"CidrIpv6": rule["CidrIpv6"], **description}]
    elif rule.get("PrefixListId"):
        permission["PrefixListIds"] = [{"PrefixListId": rule["PrefixListId"], **description}]
    elif rule.get("ReferencedGroupInfo"):
        referenced = rule["ReferencedGroupInfo"]
        pair = {
            key: referenced[key]
            for key in ("GroupId", "UserId", "VpcPeeringConnectionId")
            if referenced.get(key)
        }
        permission["UserIdGroupPairs"] = [{**pair, **description}]
    return permission
