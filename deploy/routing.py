"""EventBridge patterns that deliver a family's findings to its function, generated from the registry.

Every enabled rule is routed from the automatic inputs, manual ones too: the engine applies an
automatic rule's fix, and for a manual rule notes what the fix would change and that it waits for a
person (engine/decide.py), who applies it with the custom action. Each family gets:

- Imported findings (`Security Hub Findings - Imported`) that are FAILED, ACTIVE and NEW or
  NOTIFIED (the engine's own `BatchUpdateFindings` moves them on, so its echo does not match
  again) and name one of the family's controls: `Compliance.SecurityControlId`, or, for findings
  without it, the per-standard id in `ProductFields.ControlId` / `RuleId` together with the
  standard's `GeneratorId` form (ids like `4.1` mean different checks in different standards).
- OCSF findings of AWS Security Hub (`Findings Imported V2`) with the same conditions: Security
  Hub's own product (`metadata.product.uid`, its `productv2` ARN), a Compliance Finding
  (class_uid 2003) that is Fail, in status New or In Progress (the engine's
  `BatchUpdateFindingsV2` moves it to Resolved or In Progress), for one of the family's controls
  (`compliance.control`).
- Config compliance changes to NON_COMPLIANT of the family's Config rules, under any of the names
  the engine normalises (engine/identifiers.py): the name itself, Security Hub's
  `securityhub-<name>-<suffix>` and a conformance pack's `<name>-conformance-pack-<suffix>`.
- The custom action, by its action target ARN: every function sees it and answers only for its
  own family's findings (REMEDIATION_FAMILIES), so a selection of mixed findings is handled once.

A pattern is at most `PATTERN_LIMIT` characters (EventBridge's default quota): a family whose
identifiers do not fit gets several rules, each with a share of them.
Event formats: https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-cwe-event-formats.html
and ASFF's control fields: https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from engine.identifiers import CONTROL_TOWER_STANDARD, SCID_STANDARDS
from engine.parse import CONFIG_CHANGE, CUSTOM_ACTION, IMPORTED, IMPORTED_V2
from engine.trust import AWS_OWNER, SECURITY_HUB_PRODUCT_PATTERN, SECURITY_HUB_PRODUCT_V2_PATTERN
from model.workflow import ACTIONABLE_OCSF_STATUS_IDS, ACTIONABLE_WORKFLOW, OCSF_COMPLIANCE_STATUS
from rules.registry import Rule

#: EventBridge quota "Event pattern size", measured here with JSON's default spacing to stay clear of it.
PATTERN_LIMIT = 2048

#: Standards whose per-standard control id is the security control id (engine/identifiers.py).
_SCID_GENERATORS = tuple(f"{standard}v/" for standard in SCID_STANDARDS if standard != CONTROL_TOWER_STANDARD)
_CONTROL_TOWER_GENERATOR = f"{CONTROL_TOWER_STANDARD}v/"
#: CIS v1.2.0 findings carry RuleId and an ARN GeneratorId; every other standard ControlId and
#: `<standard>/v/<version>/<control>` (asff.md §2).
_RULE_ID_STANDARDS = {
    "cis-aws-foundations-benchmark/v/1.2.0": "arn:*:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/*"
}

Branch = tuple[str, ...]  # which `$or` branch an identifier belongs to


@dataclass(frozen=True, slots=True)
class Route:
    """One EventBridge rule of a function: its event name in the template and its pattern."""

    name: str
    pattern: dict[str, Any]
    automatic: bool  # enabled only while automatic remediation is on


def routed_rules(rules: Iterable[Rule]) -> list[Rule]:
    """The rules the automatic inputs are routed for: fixed (automatic) or noted as waiting (manual)."""
    return [rule for rule in rules if rule.enabled]


def family_routes(
    rules: Sequence[Rule], action_target_arn: Any, approve_target_arn: Any = None
) -> list[Route]:
    """Every EventBridge rule of one family's function, automatic inputs first, then the custom actions."""
    automatic = routed_rules(rules)
    imported = _pack(_imported_items(automatic), _imported_pattern)
    imported_v2 = _pack(
        [(("ocsf",), rule.control) for rule in automatic if rule.control], _imported_v2_pattern
    )
    config = config_patterns(automatic)
    routes = [Route(_numbered("Imported", i, imported), p, True) for i, p in enumerate(imported)]
    routes += [Route(_numbered("ImportedV2", i, imported_v2), p, True) for i, p in enumerate(imported_v2)]
    routes += [Route(_numbered("ConfigChange", i, config), p, True) for i, p in enumerate(config)]
    routes.append(Route("CustomAction", custom_action_pattern(action_target_arn), False))
    if approve_target_arn is not None:  # "Approve remediation" (engine/approvals.py)
        routes.append(Route("ApproveAction", custom_action_pattern(approve_target_arn), False))
    return routes


def config_patterns(rules: Iterable[Rule]) -> list[dict[str, Any]]:
    """Config compliance changes to NON_COMPLIANT of the rules' Config rules, under every name form."""
    return _pack(
        [(("config",), name) for rule in routed_rules(rules) for name in rule.config_rules], _config_pattern
    )


def custom_action_pattern(action_target_arn: Any) -> dict[str, Any]:
    return {"source": ["aws.securityhub"], "detail-type": [CUSTOM_ACTION], "resources": [action_target_arn]}


def pattern_size(pattern: dict[str, Any]) -> int:
    return len(json.dumps(pattern))


def _imported_items(rules: Iterable[Rule]) -> list[tuple[Branch, str]]:
    items: list[tuple[Branch, str]] = []
    for rule in rules:
        if rule.control:
            items.append((("control",), rule.control))
            items.append((("scid-legacy",), rule.control))
            items.append((("control-tower",), f"CT.{rule.control}"))
        for entry in rule.standard_controls:
            standard, _, control = entry.rpartition("/")
            items.append((("standard", standard), control))
    return items


def _imported_pattern(branches: dict[Branch, list[str]]) -> dict[str, Any]:
    conditions = [_imported_branch(branch, _natural_sorted(values)) for branch, values in branches.items()]
    findings: dict[str, Any] = {
        # Security Hub's own control findings only: a member's imported look-alikes never route.
        "ProductArn": [{"wildcard": SECURITY_HUB_PRODUCT_PATTERN}],
        "CompanyName": [AWS_OWNER],
        "Compliance": {"Status": ["FAILED"]},
        "RecordState": ["ACTIVE"],
        "Workflow": {"Status": sorted(ACTIONABLE_WORKFLOW)},
    }
    if len(conditions) == 1:
        (only,) = conditions
        if "Compliance" in only:
            findings["Compliance"].update(only.pop("Compliance"))
        findings.update(only)
    else:
        findings["$or"] = conditions
    return {"source": ["aws.securityhub"], "detail-type": [IMPORTED], "detail": {"findings": findings}}


def _imported_branch(branch: Branch, values: list[str]) -> dict[str, Any]:
    kind = branch[0]
    if kind == "control":
        return {"Compliance": {"SecurityControlId": values}}
    if kind == "scid-legacy":
        return {
            "GeneratorId": [{"prefix": generator} for generator in _SCID_GENERATORS],
            "ProductFields": {"ControlId": values},
        }
    if kind == "control-tower":
        return {"GeneratorId": [{"prefix": _CONTROL_TOWER_GENERATOR}], "ProductFields": {"ControlId": values}}
    standard = branch[1]
    if standard in _RULE_ID_STANDARDS:
        return {
            "GeneratorId": [{"wildcard": _RULE_ID_STANDARDS[standard]}],
            "ProductFields": {"RuleId": values},
        }
    return {"GeneratorId": [{"prefix": f"{standard}/"}], "ProductFields": {"ControlId": values}}


#: OCSF Compliance Findings (class_uid 2003) and the compliance status that means "failed".
OCSF_COMPLIANCE_FINDING = 2003
OCSF_FAIL = OCSF_COMPLIANCE_STATUS[3]


def _imported_v2_pattern(branches: dict[Branch, list[str]]) -> dict[str, Any]:
    """OCSF control findings of Security Hub: its own product, Fail, New or In Progress, these controls."""
    controls = _natural_sorted({value for values in branches.values() for value in values})
    findings = {
        "class_uid": [OCSF_COMPLIANCE_FINDING],
        "metadata": {"product": {"uid": [{"wildcard": SECURITY_HUB_PRODUCT_V2_PATTERN}]}},
        "compliance": {"status": [OCSF_FAIL], "control": controls},
        "status_id": list(ACTIONABLE_OCSF_STATUS_IDS),
    }
    return {"source": ["aws.securityhub"], "detail-type": [IMPORTED_V2], "detail": {"findings": findings}}


def _config_pattern(branches: dict[Branch, list[str]]) -> dict[str, Any]:
    names: list[Any] = []
    for name in sorted({name for values in branches.values() for name in values}):
        names += [name, {"prefix": f"securityhub-{name}-"}, {"prefix": f"{name}-conformance-pack-"}]
    return {
        "source": ["aws.config"],
        "detail-type": [CONFIG_CHANGE],
        "detail": {
            "messageType": ["ComplianceChangeNotification"],
            "newEvaluationResult": {"complianceType": ["NON_COMPLIANT"]},
            "configRuleName": names,
        },
    }


def _pack(
    items: Sequence[tuple[Branch, str]], build: Callable[[dict[Branch, list[str]]], dict[str, Any]]
) -> list[dict[str, Any]]:
    """Patterns holding every item, as few as fit under PATTERN_LIMIT, in the items' order."""
    patterns: list[dict[str, Any]] = []
    current: dict[Branch, list[str]] = {}
    for branch, value in dict.fromkeys(items):
        trial = {key: list(values) for key, values in current.items()}
        trial.setdefault(branch, []).append(value)
        if current and pattern_size(build(trial)) > PATTERN_LIMIT:
            patterns.append(build(current))
            trial = {branch: [value]}
        if pattern_size(build(trial)) > PATTERN_LIMIT:
            raise ValueError(f"{value!r} alone makes an event pattern over {PATTERN_LIMIT} characters")
        current = trial
    if current:
        patterns.append(build(current))
    return patterns


def _numbered(name: str, index: int, patterns: Sequence[object]) -> str:
    return name if len(patterns) == 1 else f"{name}{index + 1}"


def _natural_sorted(values: Iterable[str]) -> list[str]:
    """`EC2.2` before `EC2.13`, `1.9` before `1.10`."""
    return sorted(values, key=lambda value: [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", value)])
