"""Read a security group with its rules, and describe or re-create single rules.

Shared by the remediations that revoke security-group rules (`ec2_public_ingress`,
`ec2_default_security_group`). A `DescribeSecurityGroupRules` filter on an unknown group id
answers with an empty list, so an empty answer is checked with `DescribeSecurityGroups`: a
group that does not exist fails with `InvalidGroup.NotFound` instead of reading as compliant.
APIs: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroups.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroupRules.html
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan

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


def read_groups(client: EC2Client, group_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """`read_group` for many groups with one DescribeSecurityGroupRules (a page holds 1,000 rules).

    A group with no rule comes back from no page, so it is left out: `read_group` then reads it
    alone and tells a deleted group from an empty one.
    """
    states: dict[str, dict[str, Any]] = {}
    paginator = client.get_paginator("describe_security_group_rules")
    pages = paginator.paginate(
        Filters=[{"Name": "group-id", "Values": list(group_ids)}], PaginationConfig={"PageSize": 1000}
    )
    for page in pages:
        for rule in page["SecurityGroupRules"]:
            group = states.setdefault(rule["GroupId"], {"GroupId": rule["GroupId"], "Rules": []})
            group["Rules"].append(dict(rule))
    return {group_id: states[group_id] for group_id in group_ids if group_id in states}


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


def rule_shape(rule: Mapping[str, Any]) -> str:
    """What a rule allows, without its id: a re-created rule gets a new id but the same shape."""
    return json.dumps([bool(rule.get("IsEgress")), as_ip_permission(rule)], sort_keys=True, default=str)


def revoke_calls(group_id: str, rules: Sequence[Mapping[str, Any]]) -> tuple[ApiCall, ...]:
    """RevokeSecurityGroupIngress / ...Egress by rule id, ingress first; one call per direction."""
    calls = []
    for egress, method in ((False, "revoke_security_group_ingress"), (True, "revoke_security_group_egress")):
        ids = [rule["SecurityGroupRuleId"] for rule in rules if bool(rule.get("IsEgress")) == egress]
        if ids:
            calls.append(ApiCall(method, {"GroupId": group_id, "SecurityGroupRuleIds": ids}))
    return tuple(calls)


def without(state: Mapping[str, Any], rules: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The group as it reads once `rules` are revoked."""
    gone = {rule["SecurityGroupRuleId"] for rule in rules}
    return {**state, "Rules": [rule for rule in state["Rules"] if rule["SecurityGroupRuleId"] not in gone]}


def plan_reauthorize(current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any]) -> Plan:
    """Authorize again every rule the fix revoked, except those someone has added back since.

    A revert only adds rules, so it never overwrites anyone's change; a rule already back is
    kept and named. Each rule is one call, and `InvalidPermission.Duplicate` means it is there.
    """
    left = {rule_shape(rule) for rule in after["Rules"]}
    # One rule per shape: AWS holds no two identical rules, so each is authorized once.
    revoked = list(
        {rule_shape(rule): rule for rule in before["Rules"] if rule_shape(rule) not in left}.values()
    )
    present = {rule_shape(rule) for rule in current["Rules"]}
    back = [rule for rule in revoked if rule_shape(rule) in present]
    missing = [rule for rule in revoked if rule_shape(rule) not in present]
    notes = tuple(f"kept {describe_rule(rule)}: added back since" for rule in back)
    calls = tuple(
        ApiCall(
            "authorize_security_group_egress" if rule.get("IsEgress") else "authorize_security_group_ingress",
            {"GroupId": current["GroupId"], "IpPermissions": [as_ip_permission(rule)]},
            tolerate=("InvalidPermission.Duplicate",),
        )
        for rule in missing
    )
    changes = tuple(
        Change("egress" if rule.get("IsEgress") else "ingress", describe_rule(rule), "authorized")
        for rule in missing
    )
    restored = [*current["Rules"], *missing]
    return Plan(changes=changes, calls=calls, after={**current, "Rules": restored}, notes=notes)


def only_removes(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Never weaken a group: the fix only takes rules away, it never adds one."""
    return {rule_shape(rule) for rule in after["Rules"]} <= {rule_shape(rule) for rule in before["Rules"]}


# --- Shared by the two remediations' test cases (built only by the tests) ---------------------


def case_rule(rule_id: str, port: int, cidr: str, *, egress: bool = False) -> dict[str, Any]:
    """A rule as DescribeSecurityGroupRules returns it."""
    peer = {"CidrIpv6": cidr} if ":" in cidr else {"CidrIpv4": cidr}
    if port < 0:
        return {
            "SecurityGroupRuleId": rule_id,
            "GroupId": "sg-1",
            "IsEgress": egress,
            "IpProtocol": "-1",
            "FromPort": -1,
            "ToPort": -1,
            **peer,
        }
    return {
        "SecurityGroupRuleId": rule_id,
        "GroupId": "sg-1",
        "IsEgress": egress,
        "IpProtocol": "tcp",
        "FromPort": port,
        "ToPort": port,
        **peer,
    }


def identity_cases() -> tuple[tuple[Resource, str], ...]:
    from remediations.cases import ACCOUNT, REGION, resource

    return (
        (resource("AwsEc2SecurityGroup", f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-1"), "sg-1"),
        (resource("AWS::EC2::SecurityGroup", "sg-1", ResourceFormat.CONFIG), "sg-1"),
    )


def case_setup(*, default: bool) -> Any:
    """Makes, in moto, a VPC's default group or a web group open on 22 and 3389 (IPv4 and IPv6)."""
    from remediations.cases import ACCOUNT, REGION, resource

    def setup(session: Any) -> Resource:
        ec2 = session.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
        if default:
            group = ec2.describe_security_groups(
                Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
            )["SecurityGroups"][0]["GroupId"]
            permissions: list[dict[str, Any]] = [
                {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group}]}
            ]
        else:
            group = ec2.create_security_group(GroupName="case-web", Description="web", VpcId=vpc)["GroupId"]
            permissions = [
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
                {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
            ]
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=permissions)
        return resource("AwsEc2SecurityGroup", f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group}")

    return setup


def normalize_rules(state: Mapping[str, Any]) -> Any:
    """Rules compared by what they allow: re-created rules get new ids."""
    return (
        {k: v for k, v in state.items() if k != "Rules"},
        sorted(rule_shape(rule) for rule in state["Rules"]),
    )
