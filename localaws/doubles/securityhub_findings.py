"""Security Hub ``BatchUpdateFindings`` and filtered ``GetFindings`` for moto 5.x.

moto has no ``BatchUpdateFindings`` and ignores ``GetFindings`` ``Filters``; the engine updates
findings with the first and selects them with the second, so both must behave as documented
(https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchUpdateFindings.html,
https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetFindings.html). Guarantees:

* The whole request is validated first (:mod:`localaws.doubles.securityhub_update_rules`); any
  violation is an ``InvalidInputException`` (HTTP 400) and nothing is updated.
* Per identifier: unknown (Id, ProductArn) -> ``FindingNotFound``; the same identifier again in
  one call -> ``DuplicatedFindingIdentifier`` for every repeat (the first occurrence is applied;
  AWS does not document which occurrence wins). Both result lists are always present.
* The finding's own ``UpdatedAt`` is never touched (AWS keeps it for the provider);
  ``Note.UpdatedAt`` is set to now; ``UserDefinedFields`` are merged; ``Severity`` is merged and
  ``Label`` derived from ``Normalized`` when only that is given (documented mapping).
* ``GetFindings`` applies ``Filters`` and ``SortCriteria`` (:mod:`localaws.doubles.securityhub_filters`;
  anything it cannot apply is an ``InvalidInputException``), pages with moto's paginator
  (``MaxResults`` 1..100, default 100) and omits ``NextToken`` on the last page, as AWS does.

Cross-account lookup (a deliberate choice): AWS lets an administrator update its members'
findings, but moto stores a finding only in the backend of the account/Region that called
``BatchImportFindings``. An identifier is therefore looked up in the caller's backend first and
then in the backend of the account/Region named in the ``ProductArn`` (custom products carry an
account there) and in the finding ``Id`` (``arn:aws:securityhub:<region>:<account>:…``). Only
backends that already exist are searched. The admin/member relation is *not* checked, so the
double is more permissive than AWS: a member updating someone else's finding succeeds here.
``GetFindings`` stays per caller account/Region, as in moto (no aggregation of member findings).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypedDict

from moto.securityhub.models import Finding, SecurityHubBackend, securityhub_backends
from moto.utilities.paginator import paginate

from localaws.doubles.securityhub_errors import InvalidInputError, json_object_body
from localaws.doubles.securityhub_filters import FilterError, finding_matches, sort_findings, validate_filters
from localaws.doubles.securityhub_update_rules import severity_label, validate_batch_update

if TYPE_CHECKING:
    from moto.securityhub.responses import SecurityHubResponse
    from mypy_boto3_securityhub.type_defs import (
        AwsSecurityFindingIdentifierTypeDef,
        BatchUpdateFindingsRequestTypeDef,
        BatchUpdateFindingsUnprocessedFindingTypeDef,
    )

MAX_GET_FINDINGS_RESULTS = 100
_SECURITYHUB_ARN = re.compile(r"^arn:[^:]+:securityhub:(?P<region>[^:]*):(?P<account>\d{12})?:")


class BatchUpdateFindingsResult(TypedDict):
    """The ``BatchUpdateFindings`` response body (botocore output shape minus ResponseMetadata)."""

    ProcessedFindings: list[AwsSecurityFindingIdentifierTypeDef]
    UnprocessedFindings: list[BatchUpdateFindingsUnprocessedFindingTypeDef]


def _apply_update(data: dict[str, Any], update: BatchUpdateFindingsRequestTypeDef, now: str) -> None:
    """Write the requested fields into a stored finding; ``UpdatedAt`` is left alone, as in AWS."""
    if "Status" in update.get("Workflow", {}):
        data["Workflow"] = {**(data.get("Workflow") or {}), "Status": update["Workflow"]["Status"]}
    if "Note" in update:
        data["Note"] = {
            "Text": update["Note"]["Text"],
            "UpdatedBy": update["Note"]["UpdatedBy"],
            "UpdatedAt": now,
        }
    if "UserDefinedFields" in update:
        data["UserDefinedFields"] = {**(data.get("UserDefinedFields") or {}), **update["UserDefinedFields"]}
    if "Severity" in update:
        severity = {**(data.get("Severity") or {}), **update["Severity"]}
        if "Normalized" in update["Severity"] and "Label" not in update["Severity"]:
            severity["Label"] = severity_label(update["Severity"]["Normalized"])
        data["Severity"] = severity
    if "Confidence" in update:
        data["Confidence"] = update["Confidence"]
    if "Criticality" in update:
        data["Criticality"] = update["Criticality"]
    if "VerificationState" in update:
        data["VerificationState"] = update["VerificationState"]
    if "Types" in update:
        data["Types"] = list(update["Types"])
    if "RelatedFindings" in update:
        data["RelatedFindings"] = copy.deepcopy(list(update["RelatedFindings"]))


def _candidate_backends(caller: SecurityHubBackend, arns: tuple[str, str]) -> Iterator[SecurityHubBackend]:
    """The caller's backend, then existing backends named by the ProductArn and the finding Id."""
    yield caller
    for arn in arns:
        match = _SECURITYHUB_ARN.match(arn)
        if match and match["account"] and match["region"]:
            # dict.get, not [], so that no backend is created as a side effect of a lookup.
            account_backends = securityhub_backends.get(match["account"])
            backend = account_backends.get(match["region"]) if account_backends is not None else None
            if backend is not None and backend is not caller:
                yield backend


def find_finding(caller: SecurityHubBackend, finding_id: str, product_arn: str) -> Finding | None:
    """The stored finding with this (Id, ProductArn), following the cross-account rule above."""
    for backend in _candidate_backends(caller, (product_arn, finding_id)):
        for finding in backend.findings:
            if finding.id == finding_id and finding.data.get("ProductArn") == product_arn:
                return finding
    return None


_UNPROCESSED_MESSAGES = {
    "DuplicatedFindingIdentifier": "The request names this finding more than once",
    "FindingNotFound": "The finding identifier did not match an existing finding",
}


def _unprocessed(
    identifier: AwsSecurityFindingIdentifierTypeDef, code: str
) -> BatchUpdateFindingsUnprocessedFindingTypeDef:
    return {"FindingIdentifier": identifier, "ErrorCode": code, "ErrorMessage": _UNPROCESSED_MESSAGES[code]}


def batch_update_findings(
    backend: SecurityHubBackend, request: Mapping[str, Any]
) -> BatchUpdateFindingsResult:
    """Apply one ``BatchUpdateFindings`` request from the account/Region of ``backend``."""
    update = validate_batch_update(request)
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    result: BatchUpdateFindingsResult = {"ProcessedFindings": [], "UnprocessedFindings": []}
    seen: set[tuple[str, str]] = set()
    for requested in update["FindingIdentifiers"]:
        identifier: AwsSecurityFindingIdentifierTypeDef = {
            "Id": requested["Id"],
            "ProductArn": requested["ProductArn"],
        }
        key = (identifier["Id"], identifier["ProductArn"])
        if key in seen:
            result["UnprocessedFindings"].append(_unprocessed(identifier, "DuplicatedFindingIdentifier"))
            continue
        seen.add(key)
        finding = find_finding(backend, *key)
        if finding is None:
            result["UnprocessedFindings"].append(_unprocessed(identifier, "FindingNotFound"))
            continue
        _apply_update(finding.data, update, now)
        result["ProcessedFindings"].append(identifier)
    return result


@paginate(pagination_model=SecurityHubBackend.PAGINATION_MODEL)
def get_findings(
    backend: SecurityHubBackend,
    filters: Mapping[str, Any] | None = None,
    sort_criteria: list[Mapping[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """The caller's findings that pass ``filters``, sorted; paginated by moto's ``@paginate``."""
    try:
        validate_filters(filters or {})
        matching = [f.as_dict() for f in backend.findings if finding_matches(f.as_dict(), filters or {})]
        return sort_findings(matching, sort_criteria)
    except FilterError as error:
        raise InvalidInputError(str(error)) from error


def respond_batch_update_findings(response: SecurityHubResponse) -> str:
    """``SecurityHubResponse.batch_update_findings``: ``PATCH /findings/batchupdate``."""
    body = json_object_body(response.body)
    return json.dumps(batch_update_findings(response.securityhub_backend, body))


def respond_get_findings(response: SecurityHubResponse) -> str:
    """``SecurityHubResponse.get_findings``: ``POST /findings``, omitting NextToken on the last page."""
    body = json_object_body(response.body)
    max_results = body.get("MaxResults")
    if max_results is not None and not (
        isinstance(max_results, int) and 1 <= max_results <= MAX_GET_FINDINGS_RESULTS
    ):
        raise InvalidInputError(f"MaxResults must be an integer 1-{MAX_GET_FINDINGS_RESULTS}")
    findings, next_token = get_findings(
        response.securityhub_backend,
        filters=body.get("Filters") or {},
        sort_criteria=body.get("SortCriteria"),
        max_results=max_results,
        next_token=body.get("NextToken"),
    )
    page: dict[str, Any] = {"Findings": findings}
    if next_token:
        page["NextToken"] = next_token
    return json.dumps(page)
