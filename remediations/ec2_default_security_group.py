"""Close a VPC's default security group: revoke every ingress and egress rule it has.

Controls: EC2.2; CIS 1.2 4.3, CIS 1.4 5.3, CIS 3.0 5.4, CIS 5.0 5.5, PCI.EC2.2.
Why: the default group is attached to anything launched without a group; with no rules it
lets nothing in or out, so workloads must use least-privilege groups of their own.
Guarantee: acts only on a group that really is a VPC's default group (GroupName `default`);
any other group fails with `UnsupportedResourceError` and is left alone. Rules are revoked
by `SecurityGroupRuleIds` and each is named in the note; revert authorizes them again, except
those someone has added back since.
Risk: anything still attached to the default group loses its traffic: `workload-affecting`.
APIs: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupIngress.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupEgress.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.errors import UnsupportedResourceError
from model.finding import Resource
from model.outcome import Change, Plan
from remediations.base import Params, Permissions, Remediation, Risk
from remediations.identities import SECURITY_GROUP
from remediations.security_group_rules import (
    READ_PERMISSIONS,
    describe_rule,
    only_removes,
    plan_reauthorize,
    read_group,
    revoke_calls,
    without,
)

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

    from remediations.cases import Cases

DEFAULT_GROUP_NAME = "default"


def read(client: EC2Client, resource: Resource, params: Params) -> dict[str, Any]:
    return read_group(client, resource.name, with_name=True)


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    if state.get("GroupName") != DEFAULT_GROUP_NAME:
        raise UnsupportedResourceError(
            f"{state['GroupId']} is {state.get('GroupName')!r}, not a VPC's default security group: "
            "EC2.2 applies to default groups only, nothing was changed"
        )
    rules = sorted(state["Rules"], key=lambda rule: (bool(rule.get("IsEgress")), rule["SecurityGroupRuleId"]))
    if not rules:
        return Plan(after=state)
    return Plan(
        changes=tuple(
            Change("egress" if rule.get("IsEgress") else "ingress", describe_rule(rule), "revoked")
            for rule in rules
        ),
        calls=revoke_calls(state["GroupId"], rules),
        after=without(state, rules),
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    return plan_reauthorize(current, before, after)


def cases() -> Cases:
    from remediations.cases import Cases, Exchange, LiveCase, PlanCase, RevertCase, StubbedCase
    from remediations.security_group_rules import case_rule, case_setup, identity_cases, normalize_rules

    self_in = {
        "SecurityGroupRuleId": "sgr-self",
        "GroupId": "sg-1",
        "IsEgress": False,
        "IpProtocol": "-1",
        "FromPort": -1,
        "ToPort": -1,
        "ReferencedGroupInfo": {"GroupId": "sg-1", "UserId": "123456789012"},
    }
    all_out = case_rule("sgr-out", -1, "0.0.0.0/0", egress=True)
    group = {"GroupId": "sg-1", "GroupName": "default", "VpcId": "vpc-1", "Rules": [self_in, all_out]}
    closed = {**group, "Rules": []}
    return Cases(
        plans=(
            PlanCase(
                "every rule",
                group,
                {},
                ("ingress: all traffic from sg-1 → revoked", "egress: all traffic to 0.0.0.0/0 → revoked"),
            ),
            PlanCase("closed already", closed, {}, ()),
        ),
        stubbed=StubbedCase(
            resource=identity_cases()[0][0],
            params={},
            calls=(
                Exchange(
                    "describe_security_group_rules",
                    {"Filters": [{"Name": "group-id", "Values": ["sg-1"]}]},
                    {"SecurityGroupRules": [all_out, self_in]},
                ),
                Exchange(
                    "describe_security_groups",
                    {"GroupIds": ["sg-1"]},
                    {"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "default"}]},
                ),
                Exchange(
                    "revoke_security_group_ingress", {"GroupId": "sg-1", "SecurityGroupRuleIds": ["sgr-self"]}
                ),
                Exchange(
                    "revoke_security_group_egress", {"GroupId": "sg-1", "SecurityGroupRuleIds": ["sgr-out"]}
                ),
            ),
            refusals=(
                (0, "UnauthorizedOperation"),
                (1, "InvalidGroup.NotFound"),
                (2, "UnauthorizedOperation"),
                (3, "InvalidPermission.NotFound"),
            ),
        ),
        reverts=(
            RevertCase(
                "every rule back",
                group,
                closed,
                closed,
                (
                    "ingress: all traffic from sg-1 → authorized",
                    "egress: all traffic to 0.0.0.0/0 → authorized",
                ),
            ),
            RevertCase(
                "changed by someone else since: egress added back",
                group,
                closed,
                {**closed, "Rules": [{**all_out, "SecurityGroupRuleId": "sgr-new"}]},
                ("ingress: all traffic from sg-1 → authorized",),
                kept="all traffic to 0.0.0.0/0",
                since="changed",
            ),
        ),
        live=LiveCase(case_setup(default=True), {}, normalize_rules),
        keeps=only_removes,
        strictest="a group with no rules is the strictest: nothing can be stricter since",
        identities=identity_cases(),
    )


REMEDIATION = Remediation(
    name="ec2.close-default-security-group",
    summary="Revoke every ingress and egress rule of a VPC's default security group.",
    service="ec2",
    identity=SECURITY_GROUP,
    permissions=Permissions(
        read=READ_PERMISSIONS,
        write=("ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"),
        revert=("ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress"),
    ),
    risk=Risk.WORKLOAD_AFFECTING,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
)
