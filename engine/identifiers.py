"""Turn the many ways a control is named into registry lookup keys.

The same check reaches us as a consolidated security control id (`S3.8`), as a per-standard
control (`cis-aws-foundations-benchmark/v/1.2.0/4.1`, `pci-dss/v/3.2.1/PCI.EC2.5`), or as a
Config rule name (`securityhub-restricted-ssh-1399bc40`, `restricted-ssh-conformance-pack-x1`).
Each becomes a lower-case key, most specific first, and the registry holds an index of the
same keys, so a lookup is a few dictionary probes however large the registry is.
Formats: https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html
and consolidated control findings:
https://docs.aws.amazon.com/securityhub/latest/userguide/controls-findings-create-update.html
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from rules.keys import config_key, control_key, standard_key

_CONSOLIDATED_ID = re.compile(r":security-control/(?P<control>[^/]+)/finding/")
_SUBSCRIPTION_ID = re.compile(r":subscription/(?P<standard>[^/]+/v/[^/]+)/(?P<control>[^/]+)/finding/")
_GENERATOR = re.compile(r"(?:^|/)(?P<standard>[a-z0-9-]+/v/[0-9.]+)/(?:rule/)?(?P<control>[^/]+)$")
_CONSOLIDATED_GENERATOR = re.compile(r"^security-control/(?P<control>[^/]+)$")
#: Its per-standard control ids are the security control id prefixed `CT.`.
CONTROL_TOWER_STANDARD = "service-managed-aws-control-tower/"
#: Standards whose per-standard control id is the security control id itself (deploy/routing.py too).
SCID_STANDARDS = ("aws-foundational-security-best-practices/", "nist-800-53/", CONTROL_TOWER_STANDARD)
#: Security Hub's service-linked rules: `securityhub-<rule>-<8 hex>` (AWS's doc example: `-12345`).
_SECURITYHUB_RULE = re.compile(r"^securityhub-(?P<base>.+?)(?:-(?=[a-z]*[0-9])[0-9a-z]{4,12})?$")
_CONFORMANCE_PACK_RULE = re.compile(r"^(?P<base>.+?)-conformance-pack-[a-z0-9]+$")
_STANDARDS_ARN = re.compile(r"(?:standards|ruleset)/(?P<standard>[^/]+/v/[^/]+)")
#: Literals each pattern above needs: a text without one cannot match, so it is not searched (a
#: finding's keys are built for every finding, and most patterns miss on any one of them).
_SUBSCRIPTION_MARK, _VERSION_MARK = ":subscription/", "/v/"
_SECURITYHUB_PREFIX, _CONFORMANCE_PACK_MARK = "securityhub-", "-conformance-pack-"


def finding_keys(finding: Mapping[str, Any]) -> tuple[str, ...]:
    """Registry keys for an ASFF finding, most specific first, without duplicates."""
    compliance = finding.get("Compliance") or {}
    product_fields = finding.get("ProductFields") or {}
    keys = []
    if compliance.get("SecurityControlId"):
        keys.append(control_key(compliance["SecurityControlId"]))
    finding_id = str(finding.get("Id", ""))
    if match := _CONSOLIDATED_ID.search(finding_id):
        keys.append(control_key(match["control"]))
    generator = str(finding.get("GeneratorId", ""))
    if match := _CONSOLIDATED_GENERATOR.match(generator):
        keys.append(control_key(match["control"]))
    if _VERSION_MARK in generator and (match := _GENERATOR.search(generator)):
        keys.extend(_standard_keys(match["standard"], match["control"]))
    if _SUBSCRIPTION_MARK in finding_id and (match := _SUBSCRIPTION_ID.search(finding_id)):
        keys.extend(_standard_keys(match["standard"], match["control"]))
    if standard := standard_of(product_fields):
        for field in ("ControlId", "RuleId"):
            if product_fields.get(field):
                keys.extend(_standard_keys(standard, product_fields[field]))
    if product_fields.get("RelatedAWSResources:0/name"):
        keys.extend(config_rule_keys(product_fields["RelatedAWSResources:0/name"]))
    return tuple(dict.fromkeys(keys))


def ocsf_finding_keys(finding: Mapping[str, Any]) -> tuple[str, ...]:
    """Registry keys for an OCSF Compliance Finding, in the order `finding_keys` uses.

    `compliance.control` is the security control id; `finding_info.uid` keeps the ASFF id forms
    (`…:security-control/<id>/finding/…`, or `…:subscription/<standard>/v/<version>/<control>/finding/…`
    for a per-standard finding); `finding_info.analytic.name` is the Config rule's name.
    """
    return tuple(dict.fromkeys(_ocsf_finding_keys(finding)))


def _ocsf_finding_keys(finding: Mapping[str, Any]) -> Iterator[str]:
    compliance = finding.get("compliance") or {}
    info = finding.get("finding_info") or {}
    if compliance.get("control"):
        yield control_key(compliance["control"])
    uid = str(info.get("uid", ""))
    if match := _CONSOLIDATED_ID.search(uid):
        yield control_key(match["control"])
    if match := _SUBSCRIPTION_ID.search(uid):
        yield from _standard_keys(match["standard"], match["control"])
    rule = (info.get("analytic") or {}).get("name")
    if isinstance(rule, str) and rule:
        yield from config_rule_keys(rule)


def standard_of(product_fields: Mapping[str, Any]) -> str:
    """`<standard>/v/<version>` from `StandardsArn` / `StandardsGuideArn`, or ''."""
    for field in ("StandardsArn", "StandardsGuideArn"):
        if field in product_fields and (match := _STANDARDS_ARN.search(str(product_fields[field]))):
            return match["standard"]
    return ""


def _standard_keys(standard: str, control: str) -> Iterator[str]:
    if standard.startswith(SCID_STANDARDS):
        yield control_key(control.removeprefix("CT."))
    yield standard_key(standard, control)


def config_rule_keys(rule_name: str) -> tuple[str, ...]:
    """Keys for a Config rule name: as given, then without Security Hub's or a pack's decoration."""
    keys = [config_key(rule_name)]
    if rule_name.startswith(_SECURITYHUB_PREFIX) and (match := _SECURITYHUB_RULE.match(rule_name)):
        keys.append(config_key(match["base"]))
    if _CONFORMANCE_PACK_MARK in rule_name and (match := _CONFORMANCE_PACK_RULE.match(rule_name)):
        keys.append(config_key(match["base"]))
    return tuple(dict.fromkeys(keys))
