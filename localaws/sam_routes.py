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

Both resolve CloudFormation intrinsics to plausible local values: `AWS::AccountId`/`AWS::Region`
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
from localaws.project import project_path

__all__ = [
    "DEFAULT_ACCOUNT",
    "DEFAULT_REGION",
    "function_environment",
    "functions_for",
    "transformed_template",
]

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"

#: What `Ref` returns for a resource type, as a format of (logical id, account, region).
_REF_FORMATS = {
    "AWS::SNS::Topic": "arn:aws:sns:{region}:{account}:{id}",
    "AWS::SQS::Queue": "https://sqs.{region}.amazonaws.com/{account}/{id}",
    "AWS::KMS::Key": "00000000-0000-4000-8000-{id:0>12.12}",
}
#: What `GetAtt <id>.Arn` returns per resource type; other types get a generic ARN.
_ARN_FORMATS = {
    "AWS::DynamoDB::Table": "arn:aws:dynamodb:{region}:{account}:table/{id}",
    "AWS::SQS::Queue": "arn:aws:sqs:{region}:{account}:{id}",
    "AWS::Lambda::Function": "arn:aws:lambda:{region}:{account}:function:{id}",
    "AWS::IAM::Role": "arn:aws:iam::{account}:role/{id}",
    "AWS::Events::Rule": "arn:aws:events:{region}:{account}:rule/{id}",
}


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
    resolver = _Resolver(account, region, parameters or {})
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
    resolver = _Resolver(account, region, parameters or {})
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


class _Resolver:
    def __init__(self, account: str, region: str, parameters: Mapping[str, str]) -> None:
        template = transformed_template()
        self.resources: dict[str, Any] = template["Resources"]
        self.values: dict[str, str] = {
            "AWS::AccountId": account,
            "AWS::Region": region,
            "AWS::Partition": "aws",
            "AWS::StackName": "sechub-remediator",
            "AWS::URLSuffix": "amazonaws.com",
        }
        for name, declaration in template.get("Parameters", {}).items():
            self.values[name] = str(parameters.get(name, declaration.get("Default", "")))
        self.conditions: dict[str, Any] = template.get("Conditions", {})
        self.account, self.region = account, region

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self.ref(argument)
            if key == "Fn::GetAtt":
                target, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
                return self.get_att(target, attribute)
            if key == "Fn::Sub":
                return self.sub(argument)
            if key == "Fn::Join":
                separator, items = argument
                return separator.join(str(item) for item in self.resolve(items))
            if key == "Fn::If":
                condition, when_true, when_false = argument
                return self.resolve(when_true if self.condition(condition) else when_false)
        return {key: self.resolve(item) for key, item in value.items()}

    def ref(self, name: str) -> str:
        if name in self.values:
            return self.values[name]
        kind = self.resources[name]["Type"]
        return _REF_FORMATS.get(kind, "{id}").format(id=name, account=self.account, region=self.region)

    def get_att(self, name: str, attribute: str) -> str:
        kind = self.resources[name]["Type"]
        if attribute == "Arn":
            generic = "arn:aws:{service}:{region}:{account}:{id}"
            return _ARN_FORMATS.get(kind, generic).format(
                id=name, account=self.account, region=self.region, service=kind.split("::")[1].lower()
            )
        return f"{name}.{attribute}"

    def sub(self, argument: str | list[Any]) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        local = {key: str(self.resolve(value)) for key, value in variables.items()}
        out, rest = "", str(text)
        while "${" in rest:
            before, _, after = rest.partition("${")
            name, _, rest = after.partition("}")
            out += before
            if name in local:
                out += local[name]
            elif "." in name:
                out += self.get_att(*name.split(".", 1))
            else:
                out += self.ref(name)
        return out + rest

    def condition(self, name: str) -> bool:
        return bool(self._evaluate(self.conditions[name]))

    def _evaluate(self, expression: Any) -> Any:
        if isinstance(expression, dict) and len(expression) == 1:
            ((key, argument),) = expression.items()
            if key == "Fn::Equals":
                left, right = (self._evaluate(item) for item in argument)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self._evaluate(argument[0])
            if key == "Fn::And":
                return all(self._evaluate(item) for item in argument)
            if key == "Fn::Or":
                return any(self._evaluate(item) for item in argument)
            if key == "Condition":
                return self.condition(argument)
        return self.resolve(expression)
