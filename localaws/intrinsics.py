"""Resolve a CloudFormation template's intrinsic functions as a stack with given parameters would.

Tests read what a generated template *deploys*, not its source text: which statements a role
holds when `RemediationKmsKeyId` is set, which principals a trust policy names for two Regions.
`Resolver` evaluates the functions our templates use (`Ref`, `Fn::GetAtt`, `Fn::Sub`,
`Fn::Join`, `Fn::Split`, `Fn::Select`, `Fn::If` and the condition functions) and drops
`AWS::NoValue` from lists and objects, as CloudFormation does; `deployed_resources` also drops
the resources whose `Condition` is false. Resources resolve to fake names and ARNs made from
their logical ids (e.g. `arn:aws:sns:us-east-1:123456789012:NotificationTopic`): no AWS call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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


class _NoValue:
    """`Ref: AWS::NoValue`: removed from the list or object that holds it."""


NO_VALUE = _NoValue()


class Resolver:
    """Evaluates intrinsics in `template` for one account, Region and set of parameter values."""

    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        account: str = DEFAULT_ACCOUNT,
        region: str = DEFAULT_REGION,
        parameters: Mapping[str, str] | None = None,
    ) -> None:
        given = parameters or {}
        unknown = set(given) - set(template.get("Parameters", {}))
        if unknown:
            raise KeyError(f"the template has no parameters {sorted(unknown)}")
        self.resources: Mapping[str, Any] = template.get("Resources", {})
        self.values: dict[str, str] = {
            "AWS::AccountId": account,
            "AWS::Region": region,
            "AWS::Partition": "aws",
            "AWS::StackName": "sechub-remediator",
            "AWS::URLSuffix": "amazonaws.com",
        }
        for name, declaration in template.get("Parameters", {}).items():
            self.values[name] = str(given.get(name, declaration.get("Default", "")))
        self.conditions: Mapping[str, Any] = template.get("Conditions", {})
        self.account, self.region = account, region

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return NO_VALUE if argument == "AWS::NoValue" else self.ref(argument)
            if key == "Fn::GetAtt":
                target, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
                return self.get_att(target, attribute)
            if key == "Fn::Sub":
                return self.sub(argument)
            if key == "Fn::Join":
                separator, items = argument
                return separator.join(str(item) for item in self.resolve(items))
            if key == "Fn::Split":
                separator, text = argument
                return str(self.resolve(text)).split(separator)
            if key == "Fn::Select":
                index, items = argument
                return self.resolve(items)[int(self.resolve(index))]
            if key == "Fn::If":
                condition, when_true, when_false = argument
                return self.resolve(when_true if self.condition(condition) else when_false)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

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


def deployed_resources(
    template: Mapping[str, Any],
    *,
    account: str = DEFAULT_ACCOUNT,
    region: str = DEFAULT_REGION,
    parameters: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The resources a stack of `template` creates with `parameters`, every intrinsic resolved."""
    resolver = Resolver(template, account=account, region=region, parameters=parameters)
    return {
        logical_id: resolver.resolve(resource)
        for logical_id, resource in template.get("Resources", {}).items()
        if "Condition" not in resource or resolver.condition(resource["Condition"])
    }
