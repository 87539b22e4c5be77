"""AWS Security Hub's OCSF findings for moto 5.x: ``BatchUpdateFindingsV2`` and filtered ``GetFindingsV2``.

moto implements neither call (both answer 404 "Not yet implemented"), and no AWS API imports an
OCSF finding: Security Hub produces them. So findings are seeded with :func:`import_ocsf_findings`
(as Security Hub would store them, per account and Region), and the two calls follow the API
reference (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchUpdateFindingsV2.html,
https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetFindingsV2.html) and the botocore
model:

* ``BatchUpdateFindingsV2`` ``PATCH /findingsv2/batchupdatev2``: ``FindingIdentifiers``
  (``CloudAccountUid``, ``FindingInfoUid``, ``MetadataProductUid``, each non-blank) or
  ``MetadataUids``, exactly one of them, 1..100 items; ``Comment`` 1..512 characters with a
  non-space; ``StatusId`` ∈ {0,1,2,3,4,5,99}; ``SeverityId`` ∈ {0..6,99}; at least one field to
  change. Any violation is a ``ValidationException`` (HTTP 400) and nothing is updated. Per
  finding: unknown -> ``ResourceNotFoundException``; named twice in one call ->
  ``ValidationException`` for the repeat (the double's choice; AWS does not document it). Both
  result lists are always present. ``status``/``severity`` follow their ids, ``comment`` is set;
  ``finding_info.modified_time(_dt)``, ``time`` and ``time_dt`` are left alone, as AWS says.
* ``GetFindingsV2`` ``POST /findingsv2``: the caller's findings (account and Region), filtered
  and sorted by :mod:`localaws.doubles.securityhub_ocsf_filters`; ``MaxResults`` 1..100 (default
  100); ``NextToken`` omitted on the last page; an unknown token is a ``ValidationException``.

Cross-account lookup, as the V1 double does: an identifier is looked up in the caller's backend,
then in the backend of its ``CloudAccountUid`` in the Region its ``FindingInfoUid`` names (a
delegated administrator updates its members' findings). The admin/member relation is not checked.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from moto.securityhub.models import SecurityHubBackend, securityhub_backends

from localaws.doubles.securityhub_errors import ValidationError, json_object_body
from localaws.doubles.securityhub_ocsf_filters import OcsfFilterError, matches, sort, validate

if TYPE_CHECKING:
    from moto.securityhub.responses import SecurityHubResponse

MAX_IDENTIFIERS = 100
MAX_COMMENT_CHARS = 512
MAX_RESULTS = 100
STATUS_NAMES = {
    0: "Unknown",
    1: "New",
    2: "In Progress",
    3: "Suppressed",
    4: "Resolved",
    5: "Archived",
    99: "Other",
}
SEVERITY_NAMES = {
    0: "Unknown",
    1: "Informational",
    2: "Low",
    3: "Medium",
    4: "High",
    5: "Critical",
    6: "Fatal",
    99: "Other",
}
IDENTIFIER_FIELDS = ("CloudAccountUid", "FindingInfoUid", "MetadataProductUid")
Key = tuple[str, str, str]


def ocsf_findings(backend: SecurityHubBackend) -> list[dict[str, Any]]:
    """The backend's OCSF findings, created on first use (backends built before install lack it)."""
    findings: list[dict[str, Any]] = backend.__dict__.setdefault("ocsf_findings", [])
    return findings


def key_of(finding: Mapping[str, Any]) -> Key:
    """(CloudAccountUid, FindingInfoUid, MetadataProductUid) of a stored finding."""
    return (
        str(finding.get("cloud", {}).get("account", {}).get("uid", "")),
        str(finding.get("finding_info", {}).get("uid", "")),
        str(finding.get("metadata", {}).get("product", {}).get("uid", "")),
    )


def import_ocsf_findings(account: str, region: str, findings: Iterable[Mapping[str, Any]]) -> None:
    """Store findings as Security Hub would in ``account``/``region``; one with the same key is replaced."""
    stored = ocsf_findings(securityhub_backends[account][region])
    for finding in findings:
        copied = copy.deepcopy(dict(finding))
        stored[:] = [f for f in stored if key_of(f) != key_of(copied)]
        stored.append(copied)


def _fail(message: str) -> ValidationError:
    return ValidationError(message)


def _validate_update(request: Mapping[str, Any]) -> None:
    identifiers, uids = request.get("FindingIdentifiers"), request.get("MetadataUids")
    if bool(identifiers) == bool(uids):
        raise _fail("Give either FindingIdentifiers or MetadataUids, not both and not neither")
    named = identifiers or uids
    if not isinstance(named, list) or len(named) > MAX_IDENTIFIERS:
        raise _fail(f"At most {MAX_IDENTIFIERS} findings per request")
    for item in identifiers or []:
        if not (isinstance(item, Mapping) and all(_non_blank(item.get(f)) for f in IDENTIFIER_FIELDS)):
            raise _fail(f"Each finding identifier needs {', '.join(IDENTIFIER_FIELDS)}")
    if not all(_non_blank(uid) for uid in uids or []):
        raise _fail("MetadataUids must be non-blank strings")
    if not any(field in request for field in ("Comment", "StatusId", "SeverityId")):
        raise _fail("Give at least one of Comment, StatusId, SeverityId")
    comment = request.get("Comment")
    if "Comment" in request and not (_non_blank(comment) and len(str(comment)) <= MAX_COMMENT_CHARS):
        raise _fail(f"Comment must be 1-{MAX_COMMENT_CHARS} characters and not blank")
    for field, allowed in (("StatusId", STATUS_NAMES), ("SeverityId", SEVERITY_NAMES)):
        value = request.get(field)
        if field in request and (isinstance(value, bool) or value not in allowed):
            raise _fail(f"{field} must be one of {sorted(allowed)}")


def _non_blank(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _backends(
    caller: SecurityHubBackend, account: str | None, finding_uid: str
) -> Iterator[SecurityHubBackend]:
    """The caller's backend, then (existing only) the one of the finding's account and Region."""
    yield caller
    parts = finding_uid.split(":")
    region = parts[3] if len(parts) > 4 and parts[0] == "arn" else caller.region_name
    for name in [account] if account else list(securityhub_backends):
        regions = securityhub_backends.get(name)
        backend = regions.get(region) if regions is not None else None
        if backend is not None and backend is not caller:
            yield backend


def _find(caller: SecurityHubBackend, wanted: Mapping[str, str] | str) -> dict[str, Any] | None:
    if isinstance(wanted, str):  # a metadata.uid
        for backend in _backends(caller, None, ""):
            for finding in ocsf_findings(backend):
                if finding.get("metadata", {}).get("uid") == wanted:
                    return finding
        return None
    key = (wanted["CloudAccountUid"], wanted["FindingInfoUid"], wanted["MetadataProductUid"])
    for backend in _backends(caller, key[0], key[1]):
        for finding in ocsf_findings(backend):
            if key_of(finding) == key:
                return finding
    return None


def _apply(finding: dict[str, Any], request: Mapping[str, Any]) -> None:
    if "StatusId" in request:
        finding["status_id"], finding["status"] = request["StatusId"], STATUS_NAMES[request["StatusId"]]
    if "SeverityId" in request:
        finding["severity_id"], finding["severity"] = (
            request["SeverityId"],
            SEVERITY_NAMES[request["SeverityId"]],
        )
    if "Comment" in request:
        finding["comment"] = request["Comment"]


def batch_update_findings_v2(backend: SecurityHubBackend, request: Mapping[str, Any]) -> dict[str, Any]:
    """Apply one ``BatchUpdateFindingsV2`` request from the account/Region of ``backend``."""
    _validate_update(request)
    result: dict[str, list[dict[str, Any]]] = {"ProcessedFindings": [], "UnprocessedFindings": []}
    seen: set[str] = set()
    by_uid = "MetadataUids" in request and bool(request["MetadataUids"])
    for wanted in request["MetadataUids"] if by_uid else request["FindingIdentifiers"]:
        named: dict[str, Any] = (
            {"MetadataUid": wanted}
            if by_uid
            else {"FindingIdentifier": {field: wanted[field] for field in IDENTIFIER_FIELDS}}
        )
        marker = json.dumps(named, sort_keys=True)
        if marker in seen:
            message = "The request names this finding more than once"
            result["UnprocessedFindings"].append(
                {**named, "ErrorCode": "ValidationException", "ErrorMessage": message}
            )
            continue
        seen.add(marker)
        finding = _find(backend, wanted)
        if finding is None:
            message = "No finding matches this identifier"
            result["UnprocessedFindings"].append(
                {**named, "ErrorCode": "ResourceNotFoundException", "ErrorMessage": message}
            )
            continue
        _apply(finding, request)
        result["ProcessedFindings"].append(named)
    return result


def get_findings_v2(
    backend: SecurityHubBackend,
    filters: Mapping[str, Any] | None = None,
    sort_criteria: list[Mapping[str, str]] | None = None,
    max_results: int | None = None,
    next_token: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the caller's findings that pass ``filters``, and the token of the next page."""
    if max_results is not None and not (
        isinstance(max_results, int) and not isinstance(max_results, bool) and 1 <= max_results <= MAX_RESULTS
    ):
        raise _fail(f"MaxResults must be an integer 1-{MAX_RESULTS}")
    try:
        validate(filters or {})
        found = sort([f for f in ocsf_findings(backend) if matches(f, filters or {})], sort_criteria)
    except OcsfFilterError as error:
        raise _fail(str(error)) from error
    start = _offset(next_token) if next_token else 0
    end = start + (max_results or MAX_RESULTS)
    page = copy.deepcopy(found[start:end])
    return page, (_token(end) if end < len(found) else None)


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _offset(token: str) -> int:
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
    except (ValueError, KeyError, TypeError) as error:
        raise _fail("NextToken is not one this API returned") from error
    if not isinstance(offset, int) or offset < 0:
        raise _fail("NextToken is not one this API returned")
    return offset


def respond_batch_update_findings_v2(response: SecurityHubResponse) -> str:
    """``SecurityHubResponse.batch_update_findings_v2``: ``PATCH /findingsv2/batchupdatev2``."""
    body = json_object_body(response.body, error=ValidationError)
    return json.dumps(batch_update_findings_v2(response.securityhub_backend, body))


def respond_get_findings_v2(response: SecurityHubResponse) -> str:
    """``SecurityHubResponse.get_findings_v2``: ``POST /findingsv2``."""
    body = json_object_body(response.body, error=ValidationError)
    if body.get("Scopes"):
        raise _fail("Scopes (organisation scoping) are not implemented by the double")
    findings, token = get_findings_v2(
        response.securityhub_backend,
        filters=body.get("Filters") or {},
        sort_criteria=body.get("SortCriteria"),
        max_results=body.get("MaxResults"),
        next_token=body.get("NextToken"),
    )
    page: dict[str, Any] = {"Findings": findings}
    if token:
        page["NextToken"] = token
    return json.dumps(page)
