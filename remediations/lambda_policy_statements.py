"""Which statements of a Lambda function's policy make it public (control Lambda.1), and which are unclear.

Security Hub's Lambda.1 fails a function whose resource-based policy grants access to `"*"` or
`{"AWS": "*"}`, or lets Amazon S3 invoke it without an `AWS:SourceAccount` condition; it does not
evaluate conditions holding wildcards or policy variables.
https://docs.aws.amazon.com/securityhub/latest/userguide/lambda-controls.html#lambda-1
https://docs.aws.amazon.com/config/latest/developerguide/lambda-function-public-access-prohibited.html

A statement is judged one of three ways:
- `public`: everyone is the principal and no condition limits the caller. Only a statement
  `AddPermission` can write again (one action, principal `*`, conditions among the function-URL
  keys it writes) is called public, so removing it can always be undone.
- `scoped`: it names accounts, roles or services, or a condition limits the caller to fixed
  values (`aws:SourceAccount`, `aws:SourceArn`, `aws:SourceOwner`, `aws:PrincipalOrgID`,
  `aws:PrincipalAccount`, `aws:SourceOrgID`; keys are case-insensitive), or it denies.
- `unclear`: anything else, with the reason: `NotPrincipal`/`NotAction`/`NotResource`, a
  principal of another shape, a condition key not recognised, a limiting key with a wildcard, a
  variable or an operator that does not pin it (negated, `IfExists`, `ForAnyValue:`…), S3 as
  the principal without `AWS:SourceAccount` (only the owner knows which account's bucket should
  invoke it). The remediation changes nothing then and a person decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PUBLIC, SCOPED, UNCLEAR = "public", "scoped", "unclear"
RESTRICTING_KEYS = frozenset(
    {
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceowner",
        "aws:principalorgid",
        "aws:principalaccount",
        "aws:sourceorgid",
    }
)
PINNING_OPERATORS = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"}
)
#: Condition keys AddPermission writes for function URLs: they say how it is called, not by whom.
URL_KEYS = {
    "lambda:functionurlauthtype": "FunctionUrlAuthType",
    "lambda:invokedviafunctionurl": "InvokedViaFunctionUrl",
}
URL_AUTH_TYPES = frozenset({"NONE", "AWS_IAM"})
S3_SERVICE = "s3.amazonaws.com"


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: str
    why: str = ""
    grant: Mapping[str, Any] = field(default_factory=dict)  # AddPermission arguments, for `public`


def judge(statement: Any) -> Verdict:
    if not isinstance(statement, Mapping):
        return Verdict(UNCLEAR, "not a statement object")
    negated = [key for key in ("NotPrincipal", "NotAction", "NotResource") if key in statement]
    if negated:
        return Verdict(UNCLEAR, f"uses {negated[0]}")
    if statement.get("Effect") == "Deny":
        return Verdict(SCOPED, "denies")
    if statement.get("Effect") != "Allow":
        return Verdict(UNCLEAR, f"Effect {statement.get('Effect')!r}")
    conditions = _conditions(statement.get("Condition"))
    if conditions is None:
        return Verdict(UNCLEAR, "a Condition of an unusual shape")
    principal = statement.get("Principal")
    if not _everyone(principal):
        return _judge_named(principal, conditions)
    if any(_pins(operator, key, values) for operator, key, values in conditions):
        return Verdict(SCOPED, "a condition limits the caller")
    grant: dict[str, Any] = {"Action": statement.get("Action"), "Principal": "*"}
    for operator, key, values in conditions:
        if key in RESTRICTING_KEYS:
            return Verdict(
                UNCLEAR, f"condition {operator} {key} {values} does not pin the caller to fixed values"
            )
        if key not in URL_KEYS or len(values) != 1:
            return Verdict(UNCLEAR, f"condition key {key} is not one it knows")
        grant[URL_KEYS[key]] = values[0]
    if not isinstance(grant["Action"], str) or not statement.get("Sid"):
        return Verdict(
            UNCLEAR, "public, but AddPermission could not write it back (several actions or no Sid)"
        )
    if grant.get("FunctionUrlAuthType", "NONE") not in URL_AUTH_TYPES:
        return Verdict(UNCLEAR, f"FunctionUrlAuthType {grant['FunctionUrlAuthType']!r}")
    if "InvokedViaFunctionUrl" in grant:
        if str(grant["InvokedViaFunctionUrl"]).lower() != "true":
            return Verdict(UNCLEAR, f"InvokedViaFunctionUrl {grant['InvokedViaFunctionUrl']!r}")
        grant["InvokedViaFunctionUrl"] = True
    return Verdict(PUBLIC, "anyone", grant)


def describe(statement: Mapping[str, Any]) -> str:
    """`sid: action by anyone (function URL, auth NONE)`: how a note names a public statement."""
    url = {
        URL_KEYS[key]: values[0]
        for _, key, values in _conditions(statement.get("Condition")) or []
        if key in URL_KEYS
    }
    how = f" (function URL, auth {url['FunctionUrlAuthType']})" if "FunctionUrlAuthType" in url else ""
    how += " (via its function URL)" if "InvokedViaFunctionUrl" in url else ""
    return f"{statement.get('Sid')}: {statement.get('Action')} by anyone{how}"


def _judge_named(principal: Any, conditions: list[tuple[str, str, list[Any]]]) -> Verdict:
    if not isinstance(principal, Mapping) or not principal or set(principal) - {"AWS", "Service"}:
        return Verdict(UNCLEAR, f"principal {principal!r} of an unusual shape")
    names = [name for values in principal.values() for name in _values(values)]
    if not names or not all(isinstance(name, str) and name and "*" not in name for name in names):
        return Verdict(UNCLEAR, f"principal {principal!r} of an unusual shape")
    if S3_SERVICE in _values(principal.get("Service")) and not any(
        key == "aws:sourceaccount" and _pins(operator, key, values) for operator, key, values in conditions
    ):
        return Verdict(UNCLEAR, "Amazon S3 may invoke it without an AWS:SourceAccount condition")
    return Verdict(SCOPED, "names its principals")


def _everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    return isinstance(principal, Mapping) and set(principal) == {"AWS"} and "*" in _values(principal["AWS"])


def _pins(operator: str, key: str, values: list[Any]) -> bool:
    return (
        operator.lower() in PINNING_OPERATORS
        and key in RESTRICTING_KEYS
        and bool(values)
        and all(isinstance(v, str) and v and not any(c in v for c in ("*", "?", "${")) for v in values)
    )


def _conditions(condition: Any) -> list[tuple[str, str, list[Any]]] | None:
    """(operator, lower-case key, values) for every condition; None when it is not a policy's shape."""
    if condition is None:
        return []
    if not isinstance(condition, Mapping):
        return None
    found = []
    for operator, pairs in condition.items():
        if not isinstance(pairs, Mapping):
            return None
        found += [(str(operator), str(key).lower(), _values(values)) for key, values in pairs.items()]
    return found


def _values(values: Any) -> list[Any]:
    if values is None:
        return []
    return list(values) if isinstance(values, list) else [values]
