"""Parse an EventBridge event into normalised findings.

Each finding is validated on its own, so one malformed finding in a custom-action event is
reported with the path of its bad field while the others go on. The detail-type names below are
defined here once; deploy/ builds the EventBridge patterns from them. Formats:
https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-cwe-event-formats.html
(Security Hub) and https://docs.aws.amazon.com/config/latest/developerguide/monitor-config-with-cloudwatchevents.html
(Config); the samples in events/ are real-shaped instances of each. AWS Security Hub's OCSF
Compliance Findings (`Findings Imported V2`, class_uid 2003) are parsed as they are, into the same
`Finding`, never through an ASFF look-alike:
https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-v2-cwe-event-formats.html
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from engine.identifiers import config_rule_keys, finding_keys, ocsf_finding_keys
from model.errors import InvalidEventError, SchemaViolationError
from model.finding import Finding, FindingSource, Resource, ResourceFormat
from model.schema import Validator, check, compile_schema
from model.workflow import OCSF_COMPLIANCE_STATUS, OCSF_STATUS

IMPORTED = "Security Hub Findings - Imported"
CUSTOM_ACTION = "Security Hub Findings - Custom Action"
CONFIG_CHANGE = "Config Rules Compliance Change"
#: AWS Security Hub (not CSPM): one OCSF finding per event.
IMPORTED_V2 = "Findings Imported V2"
SECURITYHUB_DETAIL_TYPES = {
    IMPORTED: FindingSource.IMPORTED,
    CUSTOM_ACTION: FindingSource.CUSTOM_ACTION,
    IMPORTED_V2: FindingSource.IMPORTED_V2,
}
#: The finding schema of each Security Hub input.
_FINDING_SCHEMA = {
    FindingSource.IMPORTED: "asff_finding",
    FindingSource.CUSTOM_ACTION: "asff_finding",
    FindingSource.IMPORTED_V2: "ocsf_finding",
}
SCHEMAS = Path(__file__).parent / "schemas"


class ParsedEvent(NamedTuple):
    detail_type: str
    source: FindingSource | None = None
    hub_account_id: str = ""
    hub_region: str = ""
    findings: tuple[Finding, ...] = ()
    errors: tuple[InvalidEventError, ...] = ()
    #: findings that were invalid but can still be noted on in Security Hub: (finding id,
    #: product ARN, account: OCSF's CloudAccountUid, "" for ASFF, the error)
    invalid_identifiers: tuple[tuple[str, str, str, InvalidEventError], ...] = ()


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
    if detail_type in SECURITYHUB_DETAIL_TYPES:
        if event["source"] != "aws.securityhub":
            raise InvalidEventError("event.source", f"{detail_type!r} must come from aws.securityhub")
        return _parse_securityhub(event, SECURITYHUB_DETAIL_TYPES[detail_type])
    if detail_type == CONFIG_CHANGE:
        if event["source"] != "aws.config":
            raise InvalidEventError("event.source", f"{detail_type!r} must come from aws.config")
        finding = _parse_config(event)
        return ParsedEvent(CONFIG_CHANGE, FindingSource.CONFIG, event["account"], event["region"], (finding,))
    raise InvalidEventError(
        "event.detail-type",
        f"unsupported detail-type {detail_type!r}; expected {IMPORTED!r}, {IMPORTED_V2!r}, "
        f"{CUSTOM_ACTION!r} or {CONFIG_CHANGE!r}",
    )


def _parse_securityhub(event: Mapping[str, Any], source: FindingSource) -> ParsedEvent:
    _check("securityhub_detail", event["detail"], "event.detail")
    findings: list[Finding] = []
    errors: list[InvalidEventError] = []
    notable: list[tuple[str, str, str, InvalidEventError]] = []
    ocsf = source is FindingSource.IMPORTED_V2
    for index, raw in enumerate(event["detail"]["findings"]):
        path = f"event.detail.findings[{index}]"
        try:
            if not isinstance(raw, Mapping):
                raise InvalidEventError(path, "must be an object")
            _check(_FINDING_SCHEMA[source], raw, path)
            findings.append(_ocsf_finding(event, raw) if ocsf else _asff_finding(event, raw, source))
        except InvalidEventError as error:
            errors.append(error)
            if identifiers := (_ocsf_note_identifiers(raw) if ocsf else _note_identifiers(raw)):
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


def _note_identifiers(raw: Any) -> tuple[str, str, str] | None:
    """Id and ProductArn when `BatchUpdateFindings` takes them (non-blank strings), else None.

    Only then can an invalid finding carry a note saying why; any other is left to the
    dead-letter queue (`Engine.handle` raises), never reported as recorded when nothing was.
    """
    if not isinstance(raw, Mapping):
        return None
    finding_id, product_arn = raw.get("Id"), raw.get("ProductArn")
    if _non_blank(finding_id, product_arn):
        return str(finding_id), str(product_arn), ""
    return None


def _ocsf_note_identifiers(raw: Any) -> tuple[str, str, str] | None:
    """`finding_info.uid`, `metadata.product.uid` and `cloud.account.uid`, the three parts of a
    `BatchUpdateFindingsV2` identifier, when all are non-blank strings; else None (as above)."""
    finding_id = _at(raw, "finding_info", "uid")
    product = _at(raw, "metadata", "product", "uid")
    account = _at(raw, "cloud", "account", "uid")
    if _non_blank(finding_id, product, account):
        return finding_id, product, account
    return None


def _at(value: Any, *path: str) -> Any:
    for name in path:
        value = value.get(name) if isinstance(value, Mapping) else None
    return value


def _non_blank(*values: Any) -> bool:
    return all(isinstance(value, str) and value.strip() for value in values)


def _asff_finding(event: Mapping[str, Any], raw: Mapping[str, Any], source: FindingSource) -> Finding:
    account = raw["AwsAccountId"]
    region = raw.get("Region") or _arn_region(raw["ProductArn"]) or event["region"]
    resources = tuple([_asff_resource(item, account, region) for item in raw["Resources"]])
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
        company_name=company if isinstance(company := raw.get("CompanyName"), str) else None,
        control_id=compliance.get("SecurityControlId")
        or product_fields.get("ControlId")
        or product_fields.get("RuleId"),
        generator_id=raw.get("GeneratorId"),
        config_rule_name=product_fields.get("RelatedAWSResources:0/name"),
        compliance_status=compliance.get("Status"),
        workflow_status=(raw.get("Workflow") or {}).get("Status") or raw.get("WorkflowState"),
        record_state=raw.get("RecordState"),
        note_text=(raw.get("Note") or {}).get("Text"),
        standards=_asff_standards(compliance.get("AssociatedStandards")),
        action_id=_action_id(event) if source is FindingSource.CUSTOM_ACTION else "",
    )


def _action_id(event: Mapping[str, Any]) -> str:
    """The custom action's id: the end of its ARN, which the event lists in `resources`."""
    for arn in event.get("resources") or ():
        if isinstance(arn, str) and ":action/custom/" in arn:
            return arn.rsplit("/", 1)[1]
    return ""


def _asff_standards(associated: Any) -> tuple[str, ...]:
    """`Compliance.AssociatedStandards[].StandardsId`, read defensively (the schema leaves it open)."""
    if not isinstance(associated, list):
        return ()
    return tuple(
        item["StandardsId"]
        for item in associated
        if isinstance(item, Mapping) and isinstance(item.get("StandardsId"), str)
    )


def _ocsf_finding(event: Mapping[str, Any], raw: Mapping[str, Any]) -> Finding:
    """An OCSF Compliance Finding (class_uid 2003) as the engine's Finding.

    Statuses are read from their ids (`status_id`, `compliance.status_id`), which OCSF fixes, and
    named with OCSF's own names (`New`, `Fail`); the `status` texts are used only when an id is
    absent. The finding's Region is `cloud.region`, else the Region in its product ARN.
    """
    account = raw["cloud"]["account"]["uid"]
    product = raw["metadata"]["product"]
    region = raw["cloud"].get("region") or _arn_region(product["uid"]) or event["region"]
    compliance = raw.get("compliance") or {}
    compliance_status = OCSF_COMPLIANCE_STATUS.get(compliance.get("status_id", -1), compliance.get("status"))
    comment = raw.get("comment")
    return Finding(
        source=FindingSource.IMPORTED_V2,
        event_id=str(event.get("id", "")),
        hub_account_id=event["account"],
        hub_region=event["region"],
        account_id=account,
        region=region,
        resources=tuple(_ocsf_resource(item, account, region) for item in raw["resources"]),
        lookup_keys=ocsf_finding_keys(raw),
        finding_id=raw["finding_info"]["uid"],
        product_arn=product["uid"],
        company_name=product.get("vendor_name"),
        control_id=compliance.get("control"),
        config_rule_name=(raw["finding_info"].get("analytic") or {}).get("name"),
        compliance_status=compliance_status,
        workflow_status=OCSF_STATUS[raw["status_id"]],
        note_text=comment if isinstance(comment, str) else None,
        standards=tuple(compliance.get("standards") or ()),
    )


def _ocsf_resource(item: Mapping[str, Any], account: str, region: str) -> Resource:
    """A resource by its ARN (`uid_alt`, or `uid` when that is the ARN), else its native `uid`.

    `region` is the resource's when it names one (IAM's say `global`: the finding's is used), and
    `owner.account.uid` is not trusted over the finding's account: a resource elsewhere is refused
    by its ARN (`engine.decide.foreign_resource`), as for ASFF.
    """
    named = [str(item[key]) for key in ("uid_alt", "uid") if item.get(key)]  # the schema wants one
    resource_id = next((value for value in named if value.startswith("arn:")), named[-1])
    arn = resource_id if resource_id.startswith("arn:") else None
    own_region = item.get("region")
    tags = item.get("tags") or ()
    return Resource(
        type=item["type"],
        id=resource_id,
        name=resource_id,
        account_id=account,
        region=own_region if isinstance(own_region, str) and _REGION.match(own_region) else region,
        partition=item.get("cloud_partition") or _arn_partition(arn) or "aws",
        arn=arn,
        format=ResourceFormat.OCSF,
        tags=tuple(sorted((tag["name"], str(tag.get("value", ""))) for tag in tags)),
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
        tags=tuple(sorted(tags.items())) if (tags := item.get("Tags")) else (),
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


_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")


def _arn_region(arn: str | None) -> str:
    return arn.split(":")[3] if arn and arn.count(":") >= 5 else ""


def _arn_partition(arn: str | None) -> str:
    return arn.split(":")[1] if arn and arn.count(":") >= 5 else ""
