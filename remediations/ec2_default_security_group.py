"""Close a VPC's default security group: revoke every ingress and egress rule it has.

Controls: EC2.2; CIS 1.2 4.3, CIS 1.4 5.3, CIS 3.0 5.4, CIS 5.0 5.5, PCI.EC2.2.
Why: the default group is attached to anything launched without a group; with no rules it
lets nothing in or out, so workloads must use least-privilege groups of their own.
Guarantee: acts only on a group that really is a VPC's default group (GroupName `default`);
any other group fails with `UnsupportedResourceError` and is left alone. Rules are revoked
by `SecurityGroupRuleIds`; the full before-state (ingress and egress as `IpPermissions`)
is kept in the plan's undo record and each revoked rule is named in the note.
APIs: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupIngress.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupEgress.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.errors import UnsupportedResourceError
from model.finding import Resource
from model.outcome import Change, Plan
from remediations.base import Params, Remediation, object_schema
from remediations.security_group_rules import READ_PERMISSIONS, as_ip_permission, describe_rule, read_group

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

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
        return Plan()
    ingress = [rule for rule in rules if not rule.get("IsEgress")]
    egress = [rule for rule in rules if rule.get("IsEgress")]
    return Plan(
        changes=tuple(
            Change(
                "egress" if rule.get("IsEgress") else "ingress",
                describe_rule(rule),
                "revoked",
            )
            for rule in rules
        ),
        request={
            "GroupId": state["GroupId"],
            "IngressRuleIds": [rule["SecurityGroupRuleId"] for rule in ingress],
            "EgressRuleIds": [rule["SecurityGroupRuleId"] for rule in egress],
        },
        undo={
            "GroupId": state["GroupId"],
            "IpPermissions": [as_ip_permission(rule) for rule in ingress],
            "IpPermissionsEgress": [as_ip_permission(rule) for rule in egress],
        },
    )


def apply(client: EC2Client, resource: Resource, plan: Plan) -> None:
    group_id = plan.request["GroupId"]
    if plan.request["IngressRuleIds"]:
        client.revoke_security_group_ingress(
            GroupId=group_id, SecurityGroupRuleIds=list(plan.request["IngressRuleIds"])
        )
    if plan.request["EgressRuleIds"]:
        client.revoke_security_group_egress(
            GroupId=group_id, SecurityGroupRuleIds=list(plan.request["EgressRuleIds"])
        )


REMEDIATION = Remediation(
    name="ec2.close-default-security-group",
    summary="Revoke every ingress and egress rule of a VPC's default security group.",
    service="ec2",
    resource_types=frozenset({"AwsEc2SecurityGroup"}),
    permissions=(*READ_PERMISSIONS, "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"),
    parameters_schema=object_schema({}),
    read=read,
    plan=plan,
    apply=apply,
)
