"""Revoke security-group ingress rules open to the internet on offending ports.

Controls: EC2.13 (22), EC2.14 (3389), EC2.19 (high-risk ports), EC2.53 / EC2.54 (22, 3389
from 0.0.0.0/0 / ::/0), EC2.18 (anything but the authorised ports); CIS 1.2 4.1 / 4.2,
CIS 3.0 5.2 / 5.3, PCI.EC2.5.
Guarantee: only ingress rules whose source is 0.0.0.0/0 or ::/0 and whose protocol and port
range reach an offending port are revoked, by `SecurityGroupRuleIds`; rules from private
ranges, other groups or prefix lists are never touched. The revoked rules are kept as
`AuthorizeSecurityGroupIngress` input in the plan's undo record.
APIs: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroupRules.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupIngress.html
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from model.finding import Resource
from model.outcome import Change, Plan
from remediations.base import Params, Remediation, object_schema

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

OPEN_SOURCES = {"ipv4": ("CidrIpv4", "0.0.0.0/0"), "ipv6": ("CidrIpv6", "::/0")}
PROTOCOL_NAMES = {"6": "tcp", "17": "udp", "-1": "all", "all": "all", "tcp": "tcp", "udp": "udp"}
PORT_LIST = {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 65535}, "maxItems": 64}


def read(client: EC2Client, resource: Resource, params: Params) -> list[dict[str, Any]]:
    """Every rule of the group (ingress and egress), as DescribeSecurityGroupRules returns them."""
    rules: list[dict[str, Any]] = []
    paginator = client.get_paginator("describe_security_group_rules")
    for page in paginator.paginate(Filters=[{"Name": "group-id", "Values": [resource.name]}]):
        rules.extend(dict(rule) for rule in page["SecurityGroupRules"])
    return rules


def is_open_to_internet(rule: Mapping[str, Any], ip_versions: Sequence[str] = ("ipv4", "ipv6")) -> bool:
    """An ingress rule whose source is the whole IPv4 or IPv6 internet."""
    if rule.get("IsEgress"):
        return False
    return any(rule.get(OPEN_SOURCES[version][0]) == OPEN_SOURCES[version][1] for version in ip_versions)


def reaches_offending_port(rule: Mapping[str, Any], params: Params) -> bool:
    """Does the rule's protocol and port range cover a port the parameters forbid?"""
    protocol = PROTOCOL_NAMES.get(str(rule.get("IpProtocol", "")).lower())
    if protocol is None:  # ICMP and other protocols have no ports
        return False
    low, high = rule.get("FromPort", -1), rule.get("ToPort", -1)
    if protocol == "all" or low == -1:
        low, high = 0, 65535
    protocols = ("tcp", "udp") if protocol == "all" else (protocol,)
    if "ports" in params:
        return any(low <= port <= high for port in params["ports"])
    authorized = {
        "tcp": params.get("authorized_tcp_ports", []),
        "udp": params.get("authorized_udp_ports", []),
    }
    return any(_range_has_unauthorized(low, high, authorized[p]) for p in protocols)


def _range_has_unauthorized(low: int, high: int, authorized: Sequence[int]) -> bool:
    allowed = {port for port in authorized if low <= port <= high}
    return len(allowed) < high - low + 1


def plan(state: list[dict[str, Any]], params: Params) -> Plan:
    ip_versions = params.get("ip_versions", ("ipv4", "ipv6"))
    offending = [
        rule
        for rule in state
        if is_open_to_internet(rule, ip_versions) and reaches_offending_port(rule, params)
    ]
    if not offending:
        return Plan()
    group_id = offending[0]["GroupId"]
    return Plan(
        changes=tuple(
            Change(f"ingress {rule['SecurityGroupRuleId']}", describe_rule(rule), "revoked")
            for rule in offending
        ),
        request={
            "GroupId": group_id,
            "SecurityGroupRuleIds": [rule["SecurityGroupRuleId"] for rule in offending],
        },
        undo={"GroupId": group_id, "IpPermissions": [as_ip_permission(rule) for rule in offending]},
    )


def apply(client: EC2Client, resource: Resource, plan: Plan) -> None:
    client.revoke_security_group_ingress(
        GroupId=plan.request["GroupId"], SecurityGroupRuleIds=list(plan.request["SecurityGroupRuleIds"])
    )


def describe_rule(rule: Mapping[str, Any]) -> str:
    protocol = PROTOCOL_NAMES.get(str(rule.get("IpProtocol")), str(rule.get("IpProtocol")))
    low, high = rule.get("FromPort", -1), rule.get("ToPort", -1)
    ports = "all ports" if protocol == "all" or low == -1 else (f"{low}" if low == high else f"{low}-{high}")
    source = rule.get("CidrIpv4") or rule.get("CidrIpv6") or rule.get("PrefixListId") or "group"
    return f"{protocol} {ports} from {source}"


def as_ip_permission(rule: Mapping[str, Any]) -> dict[str, Any]:
    """The rule as `AuthorizeSecurityGroupIngress` / `...Egress` `IpPermissions` input."""
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
        permission["UserIdGroupPairs"] = [{"GroupId": rule["ReferencedGroupInfo"]["GroupId"], **description}]
    return permission


REMEDIATION = Remediation(
    name="ec2.revoke-public-ingress",
    summary="Revoke ingress rules from 0.0.0.0/0 or ::/0 that reach an offending port; nothing else.",
    service="ec2",
    resource_types=frozenset({"AwsEc2SecurityGroup"}),
    permissions=("ec2:DescribeSecurityGroupRules", "ec2:RevokeSecurityGroupIngress"),
    parameters_schema={
        **object_schema(
            {
                "ports": PORT_LIST,
                "authorized_tcp_ports": PORT_LIST,
                "authorized_udp_ports": PORT_LIST,
                "ip_versions": {
                    "type": "array",
                    "items": {"enum": ["ipv4", "ipv6"]},
                    "minItems": 1,
                    "uniqueItems": True,
                },
            }
        ),
        # Either a list of offending ports, or the authorised ones (EC2.18): never both.
        "oneOf": [{"required": ["ports"]}, {"required": ["authorized_tcp_ports"]}],
    },
    read=read,
    plan=plan,
    apply=apply,
)
