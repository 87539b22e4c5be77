"""The security-group plans revoke exactly the internet-open rules on offending ports, or every rule.

Random rule sets mix TCP/UDP port ranges, protocol -1, ICMP and other port-less protocols,
IPv4 and IPv6, private and near-miss CIDRs (0.0.0.0/1), prefix lists and group references,
ingress and egress. The oracle below is written independently of the remediation: it
enumerates the ports a rule opens instead of comparing ranges.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.errors import UnsupportedResourceError
from model.outcome import Plan
from remediations import ec2_default_security_group, ec2_public_ingress
from remediations.security_group_rules import as_ip_permission, describe_rule, rule_shape
from rules.registry import load_registry

SG = "sg-0123456789abcdef0"
INTERNET = {"ipv4": ("CidrIpv4", "0.0.0.0/0"), "ipv6": ("CidrIpv6", "::/0")}
PEERS: list[dict[str, Any]] = [
    {"CidrIpv4": "0.0.0.0/0"},
    {"CidrIpv6": "::/0"},
    {"CidrIpv4": "10.0.0.0/8"},
    {"CidrIpv4": "192.168.1.0/24"},
    {"CidrIpv4": "0.0.0.0/1"},
    {"CidrIpv4": "203.0.113.7/32"},
    {"CidrIpv6": "2001:db8::/32"},
    {"PrefixListId": "pl-0123abcd"},
    {"ReferencedGroupInfo": {"GroupId": "sg-0peer000000000000", "UserId": "123456789012"}},
]
INTERESTING_PORTS = [0, 20, 21, 22, 23, 25, 80, 443, 1024, 3306, 3389, 8080, 65535]
REVOKE_RULE_PARAMETERS = [
    rule.parameters for rule in load_registry().rules if rule.remediation is ec2_public_ingress.REMEDIATION
]

ports = st.one_of(st.sampled_from(INTERESTING_PORTS), st.integers(0, 65535))


@st.composite
def rule_bodies(draw: st.DrawFn) -> dict[str, Any]:
    protocol = draw(st.sampled_from(["tcp", "udp", "-1", "icmp", "icmpv6", "50"]))
    if protocol in ("tcp", "udp"):
        low = draw(ports)
        high = draw(st.one_of(st.just(low), st.integers(low, min(65535, low + 40)), st.integers(low, 65535)))
    elif protocol in ("icmp", "icmpv6"):
        low, high = draw(st.sampled_from([(-1, -1), (8, 0), (3, 4)]))  # ICMP type, code
    else:
        low, high = -1, -1
    peer = draw(st.sampled_from(PEERS))
    return {
        "GroupId": SG,
        "IsEgress": draw(st.booleans()),
        "IpProtocol": protocol,
        "FromPort": low,
        "ToPort": high,
        **peer,
    }


rule_sets = st.lists(rule_bodies(), max_size=12).map(
    lambda bodies: [{"SecurityGroupRuleId": f"sgr-{index:04d}", **body} for index, body in enumerate(bodies)]
)
ip_versions = st.sampled_from([["ipv4"], ["ipv6"], ["ipv4", "ipv6"]])
parameters = st.one_of(
    st.sampled_from(REVOKE_RULE_PARAMETERS),
    st.fixed_dictionaries(
        {"ports": st.lists(ports, min_size=1, max_size=8)}, optional={"ip_versions": ip_versions}
    ),
    st.fixed_dictionaries(
        {"authorized_tcp_ports": st.lists(ports, max_size=8)},
        optional={"authorized_udp_ports": st.lists(ports, max_size=8), "ip_versions": ip_versions},
    ),
)


def opened_ports(rule: dict[str, Any]) -> dict[str, range]:
    """Every TCP/UDP port the rule lets through, per protocol."""
    if rule["IpProtocol"] == "-1":
        return {"tcp": range(65536), "udp": range(65536)}
    if rule["IpProtocol"] in ("tcp", "udp"):
        return {rule["IpProtocol"]: range(rule["FromPort"], rule["ToPort"] + 1)}
    return {}


def open_to_internet(rule: dict[str, Any], params: dict[str, Any]) -> bool:
    versions = params.get("ip_versions", ["ipv4", "ipv6"])
    return not rule["IsEgress"] and any(rule.get(INTERNET[v][0]) == INTERNET[v][1] for v in versions)


def on_offending_port(rule: dict[str, Any], params: dict[str, Any]) -> bool:
    opened = opened_ports(rule)
    if "ports" in params:
        return any(port in ports for ports in opened.values() for port in params["ports"])
    allowed = {"tcp": set(params["authorized_tcp_ports"]), "udp": set(params.get("authorized_udp_ports", []))}
    return any(port not in allowed[protocol] for protocol, ports in opened.items() for port in ports)


def state(rules: list[dict[str, Any]], name: str = "web") -> dict[str, Any]:
    return {"GroupId": SG, "GroupName": name, "VpcId": "vpc-0a1b2c3d", "Rules": rules}


@given(rule_sets, parameters)
def test_public_ingress_plan_revokes_only_and_all_internet_rules_on_offending_ports(
    rules: list[dict[str, Any]], params: dict[str, Any]
) -> None:
    result = ec2_public_ingress.plan(state(rules), params)
    revoked = set(revoked_ids(result, "revoke_security_group_ingress"))
    by_id = {rule["SecurityGroupRuleId"]: rule for rule in rules}
    for rule_id in revoked:
        assert open_to_internet(by_id[rule_id], params), (
            f"revoked a rule not open to the internet: {by_id[rule_id]}"
        )
        assert on_offending_port(by_id[rule_id], params), f"revoked a rule on allowed ports: {by_id[rule_id]}"
    left = [rule for rule in rules if rule["SecurityGroupRuleId"] not in revoked]
    assert not [r for r in left if open_to_internet(r, params) and on_offending_port(r, params)]
    assert ec2_public_ingress.plan(state(left), params).compliant, "a second run must find nothing"


def revoked_ids(result: Plan, method: str) -> list[str]:
    return [
        rule_id
        for call in result.calls
        if call.method == method
        for rule_id in call.params["SecurityGroupRuleIds"]
    ]


@given(rule_sets, parameters)
def test_public_ingress_plan_names_each_revoked_rule_and_its_revert_puts_them_back(
    rules: list[dict[str, Any]], params: dict[str, Any]
) -> None:
    before = state(rules)
    result = ec2_public_ingress.plan(before, params)
    if result.compliant:
        assert result.calls == () and result.after == before
        return
    ids = revoked_ids(result, "revoke_security_group_ingress")
    assert {call.params["GroupId"] for call in result.calls} == {SG} and len(ids) == len(set(ids))
    assert [change.field for change in result.changes] == ["ingress"] * len(ids)
    back = ec2_public_ingress.revert(result.after, before, result.after, False)
    by_id = {rule["SecurityGroupRuleId"]: rule for rule in rules}
    restored = {json.dumps(as_ip_permission(by_id[rule_id]), sort_keys=True) for rule_id in ids}
    sent = [json.dumps(call.params["IpPermissions"][0], sort_keys=True) for call in back.calls]
    assert set(sent) == restored and len(sent) == len(restored)  # identical rules come back once
    assert all(call.method == "authorize_security_group_ingress" for call in back.calls)


@given(rule_sets)
def test_default_group_plan_revokes_every_rule_and_its_revert_puts_them_all_back(
    rules: list[dict[str, Any]],
) -> None:
    before = state(rules, name="default")
    result = ec2_default_security_group.plan(before, {})
    if not rules:
        assert result.compliant
        return
    ingress = [r["SecurityGroupRuleId"] for r in rules if not r["IsEgress"]]
    egress = [r["SecurityGroupRuleId"] for r in rules if r["IsEgress"]]
    assert sorted(revoked_ids(result, "revoke_security_group_ingress")) == sorted(ingress)
    assert sorted(revoked_ids(result, "revoke_security_group_egress")) == sorted(egress)
    assert result.after["Rules"] == []
    back = ec2_default_security_group.revert(result.after, before, result.after, False)
    assert len(back.calls) == len({rule_shape(rule) for rule in rules})
    assert len(result.changes) == len(rules)


@given(rule_sets, st.sampled_from(["web", "launch-wizard-1", "Default", None]))
def test_default_group_plan_refuses_any_other_group(rules: list[dict[str, Any]], name: str | None) -> None:
    with pytest.raises(UnsupportedResourceError, match="not a VPC's default security group"):
        ec2_default_security_group.plan(state(rules, name=name or ""), {})


def rule(**fields: Any) -> dict[str, Any]:
    return {"SecurityGroupRuleId": "sgr-1", "GroupId": SG, "IsEgress": False, **fields}


@pytest.mark.parametrize(
    ("fields", "params", "revoked"),
    [
        # EC2.18: a range that includes an unauthorised port goes, an authorised port stays
        (
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 443, "CidrIpv4": "0.0.0.0/0"},
            {"authorized_tcp_ports": [80, 443]},
            True,
        ),
        (
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIpv6": "::/0"},
            {"authorized_tcp_ports": [80, 443]},
            False,
        ),
        (
            {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "CidrIpv4": "0.0.0.0/0"},
            {"authorized_tcp_ports": [53]},
            True,
        ),
        # protocol -1 reaches every port; ICMP reaches none
        ({"IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "CidrIpv6": "::/0"}, {"ports": [3389]}, True),
        (
            {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "CidrIpv4": "0.0.0.0/0"},
            {"ports": [0, 22]},
            False,
        ),
        # EC2.53 looks at IPv4 only, EC2.54 at IPv6 only
        (
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIpv6": "::/0"},
            {"ports": [22], "ip_versions": ["ipv4"]},
            False,
        ),
        (
            {"IpProtocol": "tcp", "FromPort": 0, "ToPort": 1000, "CidrIpv6": "::/0"},
            {"ports": [22], "ip_versions": ["ipv6"]},
            True,
        ),
        # never: private ranges, prefix lists, other groups, egress
        (
            {"IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "CidrIpv4": "10.0.0.0/8"},
            {"ports": [22]},
            False,
        ),
        ({"IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "PrefixListId": "pl-1"}, {"ports": [22]}, False),
        ({"IpProtocol": "-1", "ReferencedGroupInfo": {"GroupId": "sg-peer"}}, {"ports": [22]}, False),
        (
            {"IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "CidrIpv4": "0.0.0.0/0", "IsEgress": True},
            {"ports": [22]},
            False,
        ),
    ],
)
def test_public_ingress_decisions(fields: dict[str, Any], params: dict[str, Any], revoked: bool) -> None:
    result = ec2_public_ingress.plan(state([rule(**fields)]), params)
    assert (not result.compliant) is revoked


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        (
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIpv4": "0.0.0.0/0"},
            "tcp 22 from 0.0.0.0/0",
        ),
        ({"IpProtocol": "udp", "FromPort": 20, "ToPort": 21, "CidrIpv6": "::/0"}, "udp 20-21 from ::/0"),
        (
            {"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "CidrIpv4": "0.0.0.0/0"},
            "tcp all ports from 0.0.0.0/0",
        ),
        (
            {"IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "CidrIpv6": "::/0", "IsEgress": True},
            "all traffic to ::/0",
        ),
        ({"IpProtocol": "icmp", "FromPort": 8, "ToPort": 0, "PrefixListId": "pl-1"}, "icmp from pl-1"),
        ({"IpProtocol": "-1", "ReferencedGroupInfo": {"GroupId": "sg-peer"}}, "all traffic from sg-peer"),
    ],
)
def test_rules_are_described_for_the_note(fields: dict[str, Any], text: str) -> None:
    assert describe_rule(rule(**fields)) == text


def test_undo_keeps_ports_description_and_the_referenced_group_owner() -> None:
    icmp = rule(IpProtocol="icmp", FromPort=8, ToPort=0, CidrIpv4="0.0.0.0/0", Description="ping")
    assert as_ip_permission(icmp) == {
        "IpProtocol": "icmp",
        "FromPort": 8,
        "ToPort": 0,
        "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "ping"}],
    }
    peer = rule(
        IpProtocol="-1", FromPort=-1, ToPort=-1, ReferencedGroupInfo={"GroupId": "sg-peer", "UserId": "111"}
    )
    assert as_ip_permission(peer) == {
        "IpProtocol": "-1",
        "UserIdGroupPairs": [{"GroupId": "sg-peer", "UserId": "111"}],
    }
