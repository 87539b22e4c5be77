"""Deliver events the way the deployed stack's EventBridge rules would: read from template.yaml itself.

`template.yaml` is transformed offline with aws-sam-translator (the transform CloudFormation runs;
no AWS call: the stack's policies are inline, so no managed-policy list is needed), once per process. Every `AWS::Events::Rule` of
the result is kept with its pattern and the function it targets, and patterns are matched with
`localaws.event_patterns.matches`, which follows EventBridge's documented semantics.

Stable API (the demo and the routing tests use it):

- `functions_for(event)`: logical ids of the functions EventBridge would invoke with `event`, in
  template order. Rules whose `State` resolves to DISABLED are skipped, as EventBridge skips them.
- `function_environment(logical_id)`: the function's environment as Lambda would see it: Globals
  merged with its own `Environment.Variables`.

Both resolve CloudFormation intrinsics (`localaws.intrinsics`) to plausible local values: `AWS::AccountId`/`AWS::Region`
to `account`/`region` (default 123456789012 / us-east-1, the sample events' account and Region),
`Ref` of a parameter to `parameters[name]` or its Default, and `Ref`/`GetAtt` of a resource to a
fake name or ARN made from its logical id (e.g. `arn:aws:sns:us-east-1:123456789012:NotificationTopic`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3
import yaml
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from localaws.event_patterns import matches
from localaws.intrinsics import DEFAULT_ACCOUNT, DEFAULT_REGION, Resolver
from localaws.project import project_path

__all__ = [
    "DEFAULT_ACCOUNT",
    "DEFAULT_REGION",
    "function_environment",
    "functions_for",
    "transformed_template",
]


@dataclass(frozen=True, slots=True)
class RuleRoute:
    """One EventBridge rule of the transformed template and the function it invokes."""

    rule_id: str
    function_id: str
    pattern: dict[str, Any]  # with intrinsics still in it
    state: Any


def functions_for(
    event: Mapping[str, Any],
    *,
    account: str = DEFAULT_ACCOUNT,
    region: str = DEFAULT_REGION,
    parameters: Mapping[str, str] | None = None,
) -> list[str]:
    """Logical ids of the functions whose enabled EventBridge rules match `event`."""
    resolver = _resolver(account, region, parameters or {})
    found: list[str] = []
    for route in rule_routes():
        if resolver.resolve(route.state) == "DISABLED":
            continue
        if matches(resolver.resolve(route.pattern), event) and route.function_id not in found:
            found.append(route.function_id)
    return found


def function_environment(
    logical_id: str,
    *,
    account: str = DEFAULT_ACCOUNT,
    region: str = DEFAULT_REGION,
    parameters: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The function's environment variables (Globals and its own), intrinsics resolved."""
    resource = transformed_template()["Resources"][logical_id]
    variables = resource["Properties"].get("Environment", {}).get("Variables", {})
    resolver = _resolver(account, region, parameters or {})
    return {name: str(resolver.resolve(value)) for name, value in variables.items()}


def rule_routes() -> list[RuleRoute]:
    """Every EventBridge rule that targets a function, in template order."""
    routes = []
    for rule_id, resource in transformed_template()["Resources"].items():
        if resource["Type"] != "AWS::Events::Rule":
            continue
        properties = resource["Properties"]
        for target in properties.get("Targets", []):
            arn = target["Arn"]
            if isinstance(arn, dict) and "Fn::GetAtt" in arn:
                routes.append(
                    RuleRoute(
                        rule_id, arn["Fn::GetAtt"][0], properties["EventPattern"], properties.get("State")
                    )
                )
    return routes


@cache
def _source_template() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(project_path("template.yaml").read_text(encoding="utf-8"))
    return document


@cache
def _transformed() -> dict[str, Any]:
    document = copy.deepcopy(_source_template())
    for resource in document["Resources"].values():  # what `sam package` does: local code -> S3
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://sam-artifacts/remediation-engine.zip"
    # The stack writes its roles' policies inline: no managed-policy list is needed from IAM.
    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=DEFAULT_REGION))
    transformed: dict[str, Any] = translator.translate(document, {}, get_managed_policy_map=dict)
    return transformed


def transformed_template() -> dict[str, Any]:
    """template.yaml after the SAM transform (cached; do not mutate)."""
    return _transformed()


def _resolver(account: str, region: str, parameters: Mapping[str, str]) -> Resolver:
    return Resolver(transformed_template(), account=account, region=region, parameters=parameters)
