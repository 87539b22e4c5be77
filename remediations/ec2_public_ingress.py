"""Revoke security-group ingress rules open to the internet on offending ports.

Controls: EC2.13 (22), EC2.14 (3389), EC2.19 (high-risk ports), EC2.53 / EC2.54 (22, 3389
from 0.0.0.0/0 / ::/0), EC2.18 (anything but the authorised ports); CIS 1.2 4.1 / 4.2,
CIS 3.0 5.2 / 5.3, CIS 5.0 5.3 / 5.4, PCI.EC2.5.
Guarantee: only ingress rules whose source is 0.0.0.0/0 or ::/0 and whose protocol and port
range reach an offending port are revoked, by `SecurityGroupRuleIds`; rules from private
ranges, other groups or prefix lists are never touched. Protocol -1 reaches every TCP and
UDP port; ICMP and other port-less protocols reach none. Revert authorizes the revoked rules
again, except those someone has added back since.
Risk: whoever reached the port from the internet (an administrator's SSH, a partner's
integration) loses it: `workload-affecting`.
APIs: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupIngress.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AuthorizeSecurityGroupIngress.html
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from model.finding import Resource
from model.outcome import Change, Plan
from remediations.base import Params, Permissions, Remediation, Risk
from remediations.identities import SECURITY_GROUP
from remediations.security_group_rules import (
    READ_PERMISSIONS,
    describe_rule,
    only_removes,
    plan_reauthorize,
    port_range,
    protocol_name,
    read_group,
    read_groups,
    revoke_calls,
    without,
)

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

    from remediations.cases import Cases

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
        return Plan(after=state)
    return Plan(
        # Named by what the rule opens, not by its id, so that identical fixes share one
        # BatchUpdateFindings call; the ids are in the calls, the report and the logs.
        changes=tuple(Change("ingress", describe_rule(rule), "revoked") for rule in offending),
        calls=revoke_calls(state["GroupId"], offending),
        after=without(state, offending),
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    return plan_reauthorize(current, before, after)


def cases() -> Cases:
    from remediations.cases import (
        Cases,
        Exchange,
        LiveCase,
        PlanCase,
        RevertCase,
        StubbedCase,
    )
    from remediations.security_group_rules import case_rule, case_setup, identity_cases, normalize_rules

    open_ssh = case_rule("sgr-open", 22, "0.0.0.0/0")
    open_rdp6 = case_rule("sgr-rdp6", 3389, "::/0")
    private_ssh = case_rule("sgr-private", 22, "10.0.0.0/8")
    https = case_rule("sgr-https", 443, "0.0.0.0/0")
    group = {"GroupId": "sg-1", "Rules": [open_ssh, open_rdp6, private_ssh, https]}
    after = {"GroupId": "sg-1", "Rules": [private_ssh, https]}
    ssh = {"ports": [22, 3389]}
    return Cases(
        plans=(
            PlanCase(
                "public 22 and 3389 only",
                group,
                ssh,
                ("ingress: tcp 22 from 0.0.0.0/0 → revoked", "ingress: tcp 3389 from ::/0 → revoked"),
            ),
            PlanCase(
                "EC2.53 is IPv4 only",
                group,
                {**ssh, "ip_versions": ["ipv4"]},
                ("ingress: tcp 22 from 0.0.0.0/0 → revoked",),
            ),
            PlanCase(
                "EC2.18 keeps authorised 443",
                group,
                {"authorized_tcp_ports": [80, 443]},
                ("ingress: tcp 22 from 0.0.0.0/0 → revoked", "ingress: tcp 3389 from ::/0 → revoked"),
            ),
            PlanCase("nothing public on 22", after, ssh, ()),
        ),
        stubbed=StubbedCase(
            resource=identity_cases()[0][0],
            params={"ports": [22]},
            calls=(
                Exchange(
                    "describe_security_group_rules",
                    {"Filters": [{"Name": "group-id", "Values": ["sg-1"]}]},
                    {"SecurityGroupRules": [open_ssh, private_ssh]},
                ),
                Exchange(
                    "revoke_security_group_ingress",
                    {"GroupId": "sg-1", "SecurityGroupRuleIds": ["sgr-open"]},
                    {"Return": True},
                ),
            ),
            refusals=((0, "UnauthorizedOperation"), (1, "RequestLimitExceeded")),
            optional_actions=frozenset({"ec2:DescribeSecurityGroups"}),  # only when a group has no rules
        ),
        reverts=(
            RevertCase(
                "both rules back",
                group,
                after,
                after,
                ("ingress: tcp 22 from 0.0.0.0/0 → authorized", "ingress: tcp 3389 from ::/0 → authorized"),
            ),
            RevertCase(
                "stricter since: the private SSH rule revoked too, and stays revoked",
                group,
                after,
                {**after, "Rules": [https]},
                ("ingress: tcp 22 from 0.0.0.0/0 → authorized", "ingress: tcp 3389 from ::/0 → authorized"),
                since="stricter",
            ),
            RevertCase(
                "changed by someone else since: SSH added back",
                group,
                after,
                {**after, "Rules": [*after["Rules"], case_rule("sgr-new", 22, "0.0.0.0/0")]},
                ("ingress: tcp 3389 from ::/0 → authorized",),
                kept="tcp 22 from 0.0.0.0/0",
                since="changed",
            ),
        ),
        live=LiveCase(case_setup(default=False), ssh, normalize_rules),
        keeps=only_removes,
        identities=identity_cases(),
    )


REMEDIATION = Remediation(
    name="ec2.revoke-public-ingress",
    summary="Revoke ingress rules from 0.0.0.0/0 or ::/0 that reach an offending port; nothing else.",
    service="ec2",
    identity=SECURITY_GROUP,
    permissions=Permissions(
        read=READ_PERMISSIONS,
        write=("ec2:RevokeSecurityGroupIngress",),
        revert=("ec2:AuthorizeSecurityGroupIngress",),
    ),
    risk=Risk.WORKLOAD_AFFECTING,
    read=read,
    read_many=read_groups,
    plan=plan,
    revert=revert,
    cases=cases,
    parameters={
        "ports": PORT_LIST,
        "authorized_tcp_ports": PORT_LIST,
        "authorized_udp_ports": PORT_LIST,
        "ip_versions": {
            "type": "array",
            "items": {"enum": ["ipv4", "ipv6"]},
            "minItems": 1,
            "uniqueItems": True,
        },
    },
    # Either a list of offending ports, or the authorised ones (EC2.18): never both.
    schema_extra={"oneOf": [{"required": ["ports"]}, {"required": ["authorized_tcp_ports"]}]},
)
