"""Revoke security-group ingress rules open to the internet on offending ports.

Controls: EC2.13 (22), EC2.14 (3389), EC2.19 (high-risk ports), EC2.53 / EC2.54 (22, 3389
from 0.0.0.0/0 / ::/0), EC2.18 (anything but the authorised ports); CIS 1.2 4.1 / 4.2,
CIS 3.0 5.2 / 5.3, CIS 5.0 5.3 / 5.4, PCI.EC2.5.
Guarantee: only ingress rules whose source is 0.0.0.0/0 or ::/0 and whose protocol and port
range reach an offending port are revoked, by `SecurityGroupRuleIds`; rules from private
ranges, other groups or prefix lists are never touched. Protocol -1 reaches every TCP and
UDP port; ICMP and other port-less protocols reach none. The revoked rules are kept as
`AuthorizeSecurityGroupIngress` input in the plan's undo record.
API: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupIngress.html
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from model.finding import Resource
from model.outcome import Change, Plan
from remediations.base import Params, Remediation, object_schema
from remediations.security_group_rules import (
    READ_PERMISSIONS,
    as_ip_permission,
    describe_rule,
    port_range,
    protocol_name,
    read_group,
)

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

OPEN_SOURCES = {"ipv4": ("CidrIpv4", "0.0.0.0/0"), "ipv6": ("CidrIpv6", "::/0")}
PORT_LIST = {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 65535}, "maxItems": 64}


def read(client: EC2Client, resource: Resource, params: Params) -> dict[str, Any]:
    return read_group(client, resource.name)


def is_open_to_internet(rule: Mapping[str, Any], ip_versions: Sequence[str] = ("ipv4", "ipv6")) -> bool:
    """An ingress rule whose source is the whole IPv4 or IPv6 internet."""
    if rule.get("IsEgress"):
        return False
    return any(rule.get(OPEN_SOURCES[version][0]) == OPEN_SOURCES[version][1] for version in ip_versions)


def reaches_offending_port(rule: Mapping[str, Any], params: Params) -> bool:
    """Does the rule's protocol and port range cover a port the parameters forbid?

    With `ports`, a TCP or UDP port in that list is offending (the controls check both, and
    protocol -1 opens both). Otherwise (EC2.18) any port outside `authorized_tcp_ports` /
    `authorized_udp_ports` for that protocol is offending.
    """
    ports = port_range(rule)
    if ports is None:
        return False
    low, high = ports
    if "ports" in params:
        return any(low <= port <= high for port in params["ports"])
    protocol = protocol_name(rule)
    authorized = {
        "tcp": params.get("authorized_tcp_ports", []),
        "udp": params.get("authorized_udp_ports", []),
    }
    protocols = ("tcp", "udp") if protocol == "all" else (protocol,)
    return any(_range_has_unauthorized(low, high, authorized[p]) for p in protocols)


def _range_has_unauthorized(low: int, high: int, authorized: Sequence[int]) -> bool:
    allowed = {port for port in authorized if low <= port <= high}
    return len(allowed) < high - low + 1


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    ip_versions = params.get("ip_versions", ("ipv4", "ipv6"))
    offending = [
        rule
        for rule in state["Rules"]
        if is_open_to_internet(rule, ip_versions) and reaches_offending_port(rule, params)
    ]
    if not offending:
        return Plan()
    group_id = state["GroupId"]
    return Plan(
        changes=tuple(
            # Named by what the rule opens, not by its id, so that identical fixes share one
            # BatchUpdateFindings call; the ids are in the report, the logs and the undo record.
            Change("ingress", describe_rule(rule), "revoked")
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


REMEDIATION = Remediation(
    name="ec2.revoke-public-ingress",
    summary="Revoke ingress rules from 0.0.0.0/0 or ::/0 that reach an offending port; nothing else.",
    service="ec2",
    resource_types=frozenset({"AwsEc2SecurityGroup"}),
    permissions=(*READ_PERMISSIONS, "ec2:RevokeSecurityGroupIngress"),
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
