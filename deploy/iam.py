"""IAM statements for the stack and the member roles, generated from what the code says it calls.

Where each action comes from, and so why a role has it:

- a remediation's `permissions` (remediations/): granted to its family's function role, for the
  administrator account's own resources, and to that family's member role, for everyone else's;
- the engine's `ENGINE_PERMISSIONS` (deploy/permissions.py), split by where the call is made
  (`ENGINE_ACTION_SCOPE`): in the administrator account against the stack's own table, topic and
  member roles, or in the account that owns the finding's resource, like a remediation;
- `RUNTIME_PERMISSIONS`: what Lambda does with the function's role on its behalf.

Resources are scoped with the ARN formats of the IAM Service Authorization Reference as cfn-lint
ships them (`cfnlint/data/AdditionalSpecs/Policies.json`); an action without resource-level
permissions gets "*". Actions are never wildcards. A resource whose ARN names no account (an S3
bucket: `arn:aws:s3:::name`) is bound to the role's own account by its service's condition key
(`RESOURCE_ACCOUNT_KEYS`), so a name that belongs to another account is refused by IAM itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from deploy.permissions import ENGINE_PERMISSIONS
from model.errors import RemediationError
from remediations.destinations import PASS_ROLE, PREFIX, READ_ACTION

Cfn = Any  # a CloudFormation value: a string or an intrinsic function

HOME = "home"  # called with the function's own role, against the stack's resources
MEMBER = "member"  # called in the account that owns the resource (member role, or own role at home)

#: Where each engine action is called. A new action in deploy/permissions.py must be placed here.
ENGINE_ACTION_SCOPE: dict[str, str] = {
    "securityhub:BatchUpdateFindings": HOME,  # in the administrator account that received the finding
    "sns:Publish": HOME,  # the stack's notification topic
    "dynamodb:GetItem": HOME,  # the stack's state table
    "dynamodb:BatchGetItem": HOME,  # the exceptions that may name a finding (engine/exceptions.py)
    "dynamodb:PutItem": HOME,
    "dynamodb:UpdateItem": HOME,
    "dynamodb:DeleteItem": HOME,  # an approval, once applied (engine/approvals.py)
    "sts:AssumeRole": HOME,  # the family's member role in other accounts
    "config:StartConfigRulesEvaluation": MEMBER,  # the rule's account and region
    "config:DescribeConfigRules": MEMBER,  # who owns the rule a Config event names
    "tag:GetResources": MEMBER,  # the resource's account and region
}

#: The CloudFormation condition, in both templates, that `RemediationKmsKeyId` is set.
HAS_KMS_KEY = "HasKmsKey"
KMS_KEY_CONDITION = {HAS_KMS_KEY: {"Fn::Not": [{"Fn::Equals": [{"Ref": "RemediationKmsKeyId"}, ""]}]}}

#: The condition key naming the account that owns a resource, for services whose ARNs can leave the
#: account out. A new service with such ARNs must be added here (the generator stops until it is).
RESOURCE_ACCOUNT_KEYS: dict[str, str] = {
    "s3": "s3:ResourceAccount",
    "ec2": "ec2:Owner",  # snapshots and images: `arn:…:ec2:<region>::snapshot/<id>`, owner by condition
}

#: Actions granted on fewer resources than their kind: the destinations' read, on the baseline's
#: parameters only (remediations/destinations.py), never on every parameter of the account.
NARROWED: dict[str, tuple[str, Cfn]] = {
    READ_ACTION: (
        "BaselineDestinations",
        {"Fn::Sub": f"arn:${{AWS::Partition}}:ssm:*:${{AWS::AccountId}}:parameter{PREFIX}*"},
    ),
}

#: What Lambda does with the function role on the function's behalf, and why.
RUNTIME_PERMISSIONS: dict[str, str] = {
    "logs:CreateLogStream": "write the function's log group",
    "logs:PutLogEvents": "write the function's log group",
    "xray:PutTraceSegments": "active tracing",
    "xray:PutTelemetryRecords": "active tracing",
    "sqs:SendMessage": "the on-failure destination of asynchronous invocations",
    "kms:GenerateDataKey": "sns:Publish to the topic encrypted with the stack's key",
    "kms:Decrypt": "sns:Publish to the topic encrypted with the stack's key",
}


class UnplacedActionError(RemediationError):
    """deploy/permissions.py declares an action this module does not know where to grant."""


class UnboundResourceError(RemediationError):
    """An action's resource ARN names no account and its service has no key in RESOURCE_ACCOUNT_KEYS."""


@dataclass(frozen=True, slots=True)
class Statement:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[Cfn, ...]
    condition: Cfn = None  # the IAM Condition block, if any
    only_if: str | None = None  # a CloudFormation condition: the statement exists only when it holds

    def to_json(self) -> dict[str, Any]:
        body = {
            "Sid": self.sid,
            "Effect": "Allow",
            "Action": sorted(self.actions),
            "Resource": list(self.resources) if len(self.resources) > 1 else self.resources[0],
        }
        if self.condition is not None:
            body["Condition"] = self.condition
        if self.only_if is not None:
            return {"Fn::If": [self.only_if, body, {"Ref": "AWS::NoValue"}]}
        return body


def engine_actions(scope: str) -> tuple[str, ...]:
    """The engine's actions called in `scope`; raises if deploy/permissions.py has an unplaced one."""
    declared = [action for actions in ENGINE_PERMISSIONS.values() for action in actions]
    unplaced = [action for action in declared if action not in ENGINE_ACTION_SCOPE]
    if unplaced:
        raise UnplacedActionError(
            f"deploy/permissions.py declares {unplaced}: add each to ENGINE_ACTION_SCOPE in deploy/iam.py "
            f"({HOME!r}: against the stack's own resources, {MEMBER!r}: in the resource's account), "
            "then run `make template`"
        )
    return tuple(sorted(action for action in declared if ENGINE_ACTION_SCOPE[action] == scope))


#: action -> (its resources, its IAM Condition or None), for actions a remediation scopes itself
Scoped = Mapping[str, tuple[tuple[Cfn, ...], Cfn]]


def scoped_actions(rules: Iterable[Any]) -> dict[str, tuple[tuple[Cfn, ...], Cfn]]:
    """The `Permissions.scopes` of the rules' remediations, rendered with each rule's parameters.

    An action several rules scope is granted on the union of their resources; its condition must be
    the same for all of them.
    """
    resources: dict[str, dict[str, None]] = {}
    conditions: dict[str, Cfn] = {}
    for rule in rules:
        remediation = rule.remediation
        defaults = {
            key: schema["default"] for key, schema in remediation.parameters.items() if "default" in schema
        }
        values = {**defaults, **rule.parameters}
        for action, scope in remediation.permissions.scopes.items():
            condition = _render(scope.condition, values) if scope.condition is not None else None
            if conditions.setdefault(action, condition) != condition:
                raise RemediationError(f"{action} is scoped with two different conditions")
            for arn in scope.resources:
                resources.setdefault(action, {})[json.dumps(_render(arn, values), sort_keys=True)] = None
    return {
        action: (tuple(json.loads(arn) for arn in arns), conditions[action])
        for action, arns in resources.items()
    }


def _render(template: Any, values: Mapping[str, Any]) -> Cfn:
    """A Scope's template with the rule's values, `{partition}` and `{account}` as CloudFormation's."""
    if isinstance(template, Mapping):
        return {key: _render(value, values) for key, value in template.items()}
    text = str(template).format(partition="${AWS::Partition}", account="${AWS::AccountId}", **values)
    return {"Fn::Sub": text} if "${" in text else text


def resource_level_statements(
    actions: Iterable[str],
    prefix: str,
    only_if: str | None = None,
    roles: Mapping[str, frozenset[str]] | None = None,
    scoped: Scoped | None = None,
) -> list[Statement]:
    """Statements for `actions`, one per kind of resource, each scoped to that kind in this account.

    With `only_if`, every statement exists only while that CloudFormation condition holds.
    `iam:PassRole` is granted only on `roles` (role name → the services it may be handed to: the
    baseline roles the remediations' destinations name), one statement per role, never on any role.
    Actions in `scoped` get statements of their own, on exactly their resources and under their
    condition.
    """
    scoped = scoped or {}
    groups: dict[tuple[str, ...], list[str]] = {}
    statements = []
    named: dict[str, list[str]] = {}
    for action in sorted(set(actions)):
        if action == PASS_ROLE:
            statements += _pass_role_statements(prefix, roles or {}, only_if)
        elif action in scoped:
            named.setdefault(json.dumps(scoped[action], sort_keys=True), []).append(action)
        elif action in NARROWED:
            label, resource = NARROWED[action]
            statements.append(Statement(f"{prefix}{label}", (action,), (resource,), None, only_if))
        else:
            groups.setdefault(_resource_types(action), []).append(action)
    statements += [
        Statement(
            f"{prefix}Only" + "".join(_camel(action.replace(":", "-")) for action in grouped),
            tuple(grouped),
            scoped[grouped[0]][0],
            scoped[grouped[0]][1],
            only_if,
        )
        for grouped in named.values()
    ]
    for types, grouped in sorted(groups.items(), key=lambda item: (bool(item[0]), item[0])):
        arns = tuple(dict.fromkeys(arn for kind in types for arn in _arn_formats(kind)))
        resources_: tuple[Cfn, ...] = tuple(_sub(arn) for arn in arns) or ("*",)
        label = "".join(_camel(kind.split(":", 1)[0]) + _camel(kind.split(":", 1)[1]) for kind in types)
        statements.append(
            Statement(
                f"{prefix}{label or 'AnyResource'}", tuple(grouped), resources_, _own_account(types), only_if
            )
        )
    return statements


def _pass_role_statements(
    prefix: str, roles: Mapping[str, frozenset[str]], only_if: str | None
) -> list[Statement]:
    if not roles:
        raise UnboundResourceError(f"{PASS_ROLE} without the roles it hands on: declare them as Destinations")
    return [
        Statement(
            f"{prefix}PassRole{_camel(name.replace('*', ''))}",
            (PASS_ROLE,),
            ({"Fn::Sub": f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{name}"},),
            {"StringEquals": {"iam:PassedToService": sorted(services)}},
            only_if,
        )
        for name, services in sorted(roles.items())
    ]


def _own_account(kinds: Iterable[str]) -> Cfn:
    """A condition binding `kinds` to this account when one's ARN cannot name it (S3 buckets), else None."""
    services = sorted(
        {
            kind.partition(":")[0]
            for kind in kinds
            if any("${Account}" not in arn for arn in _arn_formats(kind))
        }
    )
    unknown = [service for service in services if service not in RESOURCE_ACCOUNT_KEYS]
    if unknown:
        raise UnboundResourceError(
            f"{unknown} name resources by ARNs without an account: add the service's resource-account "
            "condition key to RESOURCE_ACCOUNT_KEYS in deploy/iam.py, then run `make template`"
        )
    if not services:
        return None
    own = {"Fn::Sub": "${AWS::AccountId}"}
    return {"StringEquals": {RESOURCE_ACCOUNT_KEYS[service]: own for service in services}}


def policy_document(statements: Sequence[Statement]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [statement.to_json() for statement in statements]}


def granted_actions(document: Mapping[str, Any]) -> set[str]:
    """Every action a policy document allows; its CloudFormation conditions must be resolved first."""
    actions: set[str] = set()
    for statement in document.get("Statement", []):
        if "Effect" not in statement:
            raise ValueError(f"resolve the template's conditions first: {statement}")
        if statement.get("Effect") == "Allow":
            action = statement.get("Action", [])
            actions.update([action] if isinstance(action, str) else action)
    return actions


def _resource_types(action: str) -> tuple[str, ...]:
    """`service:type` of every resource the action can be scoped to, () when none."""
    service, _, name = action.partition(":")
    entry = _authorization_reference().get(service, {})
    kinds = entry.get("Actions", {}).get(name.lower(), {}).get("Resources", [])
    return tuple(sorted(f"{service}:{kind.lower()}" for kind in kinds if _arn_formats(f"{service}:{kind}")))


def _arn_formats(kind: str) -> tuple[str, ...]:
    service, _, name = kind.partition(":")
    described = _authorization_reference().get(service, {}).get("Resources", {})
    by_name = {key.lower(): value for key, value in described.items()}
    return tuple(by_name.get(name.lower(), {}).get("ARNFormats", ()))


def _sub(arn_format: str) -> Cfn:
    """`arn:${Partition}:s3:::.*` -> `{"Fn::Sub": "arn:${AWS::Partition}:s3:::*"}`, any Region."""
    arn = arn_format.replace("${Partition}", "\0P").replace("${Account}", "\0A")
    arn = re.sub(r"\$\{[^}]+\}", "*", arn).replace(".*", "*")
    arn = arn.replace("\0P", "${AWS::Partition}").replace("\0A", "${AWS::AccountId}")
    return {"Fn::Sub": arn} if "${" in arn else arn


def _camel(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text))


@cache
def _authorization_reference() -> dict[str, Any]:
    path = resources.files("cfnlint.data.AdditionalSpecs") / "Policies.json"
    reference: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return reference
