"""Parse an EventBridge event into normalised findings.

Each finding is validated on its own, so one malformed finding in a custom-action event is
reported with the path of its bad field while the others go on. The detail-type names below are
defined here once; deploy/ builds the EventBridge patterns from them. Formats:
https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-cwe-event-formats.html
(Security Hub) and https://docs.aws.amazon.com/config/latest/developerguide/monitor-config-with-cloudwatchevents.html
(Config); the samples in events/ are real-shaped instances of each.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from engine.identifiers import config_rule_keys, finding_keys
from model.errors import InvalidEventError, SchemaViolationError
from model.finding import Finding, FindingSource, Resource, ResourceFormat
from model.schema import Validator, check, compile_schema

IMPORTED = "Security Hub Findings - Imported"
CUSTOM_ACTION = "Security Hub Findings - Custom Action"
CONFIG_CHANGE = "Config Rules Compliance Change"
#: The OCSF-based "AWS Security Hub" (not CSPM) product: a different format, never acted on.
IGNORED_DETAIL_TYPES = frozenset({"Findings Imported V2"})
SCHEMAS = Path(__file__).parent / "schemas"


@dataclass(frozen=True, slots=True)
class ParsedEvent:
    detail_type: str
    source: FindingSource | None = None
    hub_account_id: str = ""
    hub_region: str = ""
    findings: tuple[Finding, ...] = ()
    errors: tuple[InvalidEventError, ...] = ()
    #: identifiers of findings that were invalid but can still be noted on in Security Hub
    invalid_identifiers: tuple[tuple[str, str, InvalidEventError], ...] = ()
    ignored_reason: str = ""


@cache
def _validator(name: str) -> Validator:
    return compile_schema(json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8")))


def _check(schema: str, value: Any, path: str) -> None:
    try:
        check(_validator(schema), value, path)
    except SchemaViolationError as error:
        raise InvalidEventError(error.path, error.message) from None


def parse_event(event: Any) -> ParsedEvent:
    """Findings of a supported event; raises `InvalidEventError` when the event itself is malformed."""
    if not isinstance(event, Mapping):
        raise InvalidEventError("event", f"must be a JSON object, got {type(event).__name__}")
    _check("envelope", event, "event")
    detail_type = event["detail-type"]
    if detail_type in IGNORED_DETAIL_TYPES:
        return ParsedEvent(detail_type, ignored_reason=f"{detail_type!r} events are not handled")
    if detail_type in (IMPORTED, CUSTOM_ACTION):
        if event["source"] != "aws.securityhub":
            raise InvalidEventError("event.source", f"{detail_type!r} must come from aws.securityhub")
        return _parse_securityhub(
            event, FindingSource.IMPORTED if detail_type == IMPORTED else FindingSource.CUSTOM_ACTION
        )
    if detail_type == CONFIG_CHANGE:
        if event["source"] != "aws.config":
            raise InvalidEventError("event.source", f"{detail_type!r} must come from aws.config")
        finding = _parse_config(event)
        return ParsedEvent(CONFIG_CHANGE, FindingSource.CONFIG, event["account"], event["region"], (finding,))
    raise InvalidEventError(
        "event.detail-type",
        f"unsupported detail-type {detail_type!r}; expected {IMPORTED!r}, {CUSTOM_ACTION!r} or {CONFIG_CHANGE!r}",
    )


def _parse_securityhub(event: Mapping[str, Any], source: FindingSource) -> ParsedEvent:
    _check("securityhub_detail", event["detail"], "event.detail")
    findings: list[Finding] = []
    errors: list[InvalidEventError] = []
    notable: list[tuple[str, str, InvalidEventError]] = []
    for index, raw in enumerate(event["detail"]["findings"]):
        path = f"event.detail.findings[{index}]"
        try:
            if not isinstance(raw, Mapping):
                raise InvalidEventError(path, "must be an object")
            _check("asff_finding", raw, path)
            findings.append(_asff_finding(event, raw, source))
        except InvalidEventError as error:
            errors.append(error)
            if identifiers := _note_identifiers(raw):
                notable.append((*identifiers, error))
    return ParsedEvent(
        detail_type=str(event["detail-type"]),
        source=source,
        hub_account_id=event["account"],
        hub_region=event["region"],
        findings=tuple(findings),
        errors=tuple(errors),
        invalid_identifiers=tuple(notable),
    )


def _note_identifiers(raw: Any) -> tuple[str, str] | None:
    """Id and ProductArn when `BatchUpdateFindings` takes them (non-blank strings), else None.

    Only then can an invalid finding carry a note saying why; any other is left to the
    dead-letter queue (`Engine.handle` raises), never reported as recorded when nothing was.
    """
    if not isinstance(raw, Mapping):
        return None
    finding_id, product_arn = raw.get("Id"), raw.get("ProductArn")
    if (
        isinstance(finding_id, str)
        and isinstance(product_arn, str)
        and finding_id.strip()
        and product_arn.strip()
    ):
        return finding_id, product_arn
    return None


def _asff_finding(event: Mapping[str, Any], raw: Mapping[str, Any], source: FindingSource) -> Finding:
    account = raw["AwsAccountId"]
    region = raw.get("Region") or _arn_region(raw["ProductArn"]) or event["region"]
    resources = tuple(_asff_resource(item, account, region) for item in raw["Resources"])
    compliance = raw.get("Compliance") or {}
    product_fields = raw.get("ProductFields") or {}
    return Finding(
        source=source,
        event_id=str(event.get("id", "")),
        hub_account_id=event["account"],
        hub_region=event["region"],
        account_id=account,
        region=region,
        resources=resources,
        lookup_keys=finding_keys(raw),
        finding_id=raw["Id"],
        product_arn=raw["ProductArn"],
        company_name=raw.get("CompanyName") if isinstance(raw.get("CompanyName"), str) else None,
        control_id=compliance.get("SecurityControlId")
        or product_fields.get("ControlId")
        or product_fields.get("RuleId"),
        generator_id=raw.get("GeneratorId"),
        config_rule_name=product_fields.get("RelatedAWSResources:0/name"),
        compliance_status=compliance.get("Status"),
        workflow_status=(raw.get("Workflow") or {}).get("Status") or raw.get("WorkflowState"),
        record_state=raw.get("RecordState"),
        note_text=(raw.get("Note") or {}).get("Text"),
    )


def _asff_resource(item: Mapping[str, Any], account: str, region: str) -> Resource:
    resource_id = item["Id"]
    arn = resource_id if resource_id.startswith("arn:") else None
    return Resource(
        type=item["Type"],
        id=resource_id,
        name=resource_id,
        account_id=account,
        region=item.get("Region") or region,
        partition=item.get("Partition") or _arn_partition(arn) or "aws",
        arn=arn,
        tags=tuple(sorted((item.get("Tags") or {}).items())),
    )


def _parse_config(event: Mapping[str, Any]) -> Finding:
    detail = event["detail"]
    _check("config_detail", detail, "event.detail")
    account, region = detail["awsAccountId"], detail["awsRegion"]
    _check_rule_home(detail.get("configRuleARN"), account, region)
    resource_id = detail["resourceId"]
    arn = resource_id if resource_id.startswith("arn:") else None
    resource = Resource(
        type=detail["resourceType"],
        id=resource_id,
        name=resource_id,
        account_id=account,
        region=region,
        partition=_arn_partition(detail.get("configRuleARN")) or "aws",
        arn=arn,
        format=ResourceFormat.CONFIG,
    )
    return Finding(
        source=FindingSource.CONFIG,
        event_id=str(event.get("id", "")),
        hub_account_id=event["account"],
        hub_region=event["region"],
        account_id=account,
        region=region,
        resources=(resource,),
        lookup_keys=config_rule_keys(detail["configRuleName"]),
        config_rule_name=detail["configRuleName"],
        config_rule_arn=detail.get("configRuleARN"),
        compliance_status=detail["newEvaluationResult"]["complianceType"],
        record_state="ACTIVE",
    )


def _check_rule_home(rule_arn: str | None, account: str, region: str) -> None:
    """Config evaluates a rule in the rule's own account and Region: an event whose rule ARN
    names others is not one Config sent. Refused, so a rule ARN that is Security Hub's in some
    other account (which `engine/trust.py` trusts without asking) cannot vouch for a rule here."""
    if rule_arn and rule_arn.split(":")[3:5] != [region, account]:
        raise InvalidEventError(
            "event.detail.configRuleARN",
            f"{rule_arn} is not in account {account} and Region {region}, where the event says the rule is",
        )


def _arn_region(arn: str | None) -> str:
    return arn.split(":")[3] if arn and arn.count(":") >= 5 else ""


def _arn_partition(arn: str | None) -> str:
    return arn.split(":")[1] if arn and arn.count(":") >= 5 else ""
