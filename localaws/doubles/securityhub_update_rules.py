"""What a valid ``BatchUpdateFindings`` request is: the botocore model plus the documented limits.

Kept apart from the moto wiring so the rules read as one list. Sources: the botocore shapes
(``AwsSecurityFindingIdentifier``, ``NoteUpdate``, ``WorkflowStatus``, ``RatioScale``, ...) and
the API reference (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchUpdateFindings.html):
1..100 identifiers, ``Note.Text`` 1..512 characters, ``Note.UpdatedBy`` required with a note
(1..512, the AutomationRule NoteUpdate schema), and only the nine updatable fields. botocore
checks required members and minimums client-side but not maximums or enums, so AWS (and this
double) must reject the rest with ``InvalidInputException``; validating everything before any
update keeps a rejected call from changing anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from localaws.doubles.securityhub_errors import InvalidInputError

if TYPE_CHECKING:
    from mypy_boto3_securityhub.type_defs import BatchUpdateFindingsRequestTypeDef

UPDATABLE_FIELDS = frozenset(
    {
        "Confidence",
        "Criticality",
        "Note",
        "RelatedFindings",
        "Severity",
        "Types",
        "UserDefinedFields",
        "VerificationState",
        "Workflow",
    }
)
WORKFLOW_STATUSES = frozenset({"NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"})
VERIFICATION_STATES = frozenset({"UNKNOWN", "TRUE_POSITIVE", "FALSE_POSITIVE", "BENIGN_POSITIVE"})
SEVERITY_LABELS = frozenset({"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"})
MAX_FINDINGS_PER_CALL = 100
MAX_NOTE_CHARS = 512


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidInputError(message)


def _is_text(value: object, max_chars: int | None = None) -> bool:
    """A ``NonEmptyString`` (pattern ``.*\\S.*``), optionally with a length limit."""
    return isinstance(value, str) and bool(value.strip()) and (max_chars is None or len(value) <= max_chars)


def _is_ratio(value: object) -> bool:
    """A ``RatioScale``: integer 0..100 (JSON booleans are not integers here)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100


def _is_fields(value: object, allowed: set[str]) -> bool:
    return isinstance(value, Mapping) and set(value) <= allowed


def validate_batch_update(request: Mapping[str, Any]) -> BatchUpdateFindingsRequestTypeDef:
    """Check a raw request body against the model and documented limits; raise InvalidInputError."""
    unknown = set(request) - UPDATABLE_FIELDS - {"FindingIdentifiers"}
    _require(not unknown, f"BatchUpdateFindings cannot update {sorted(unknown)}")
    identifiers = request.get("FindingIdentifiers")
    _require(
        isinstance(identifiers, list) and 1 <= len(identifiers) <= MAX_FINDINGS_PER_CALL,
        f"FindingIdentifiers must list 1 to {MAX_FINDINGS_PER_CALL} findings",
    )
    for identifier in cast(list[Any], identifiers):
        _require(
            _is_fields(identifier, {"Id", "ProductArn"})
            and _is_text(identifier.get("Id"))
            and _is_text(identifier.get("ProductArn")),
            "Each FindingIdentifier needs exactly Id and ProductArn",
        )
    if "Note" in request:
        note = request["Note"]
        _require(_is_fields(note, {"Text", "UpdatedBy"}), "Note accepts only Text and UpdatedBy")
        _require(
            _is_text(note.get("Text"), MAX_NOTE_CHARS), f"Note.Text must be 1-{MAX_NOTE_CHARS} characters"
        )
        _require(
            _is_text(note.get("UpdatedBy"), MAX_NOTE_CHARS),
            f"Note.UpdatedBy is required with Note and must be 1-{MAX_NOTE_CHARS} characters",
        )
    if "Workflow" in request:
        workflow = request["Workflow"]
        _require(
            _is_fields(workflow, {"Status"}) and workflow.get("Status", "NEW") in WORKFLOW_STATUSES,
            f"Workflow.Status must be one of {sorted(WORKFLOW_STATUSES)}",
        )
    for field in ("Confidence", "Criticality"):
        _require(field not in request or _is_ratio(request[field]), f"{field} must be an integer 0-100")
    _require(
        request.get("VerificationState", "UNKNOWN") in VERIFICATION_STATES,
        f"VerificationState must be one of {sorted(VERIFICATION_STATES)}",
    )
    if "Severity" in request:
        severity = request["Severity"]
        _require(
            _is_fields(severity, {"Label", "Normalized", "Product"}), "Severity: Label, Normalized, Product"
        )
        _require(
            severity.get("Label", "LOW") in SEVERITY_LABELS, f"Severity.Label: {sorted(SEVERITY_LABELS)}"
        )
        _require(
            "Normalized" not in severity or _is_ratio(severity["Normalized"]), "Severity.Normalized 0-100"
        )
        product = severity.get("Product", 0)
        _require(isinstance(product, int | float) and 0 <= product <= 100, "Severity.Product 0-100")
    types = request.get("Types", [])
    _require(isinstance(types, list) and all(_is_text(t) for t in types), "Types must be strings")
    fields = request.get("UserDefinedFields", {})
    _require(
        isinstance(fields, Mapping) and all(_is_text(k) and _is_text(v) for k, v in fields.items()),
        "UserDefinedFields must map strings to strings",
    )
    related = request.get("RelatedFindings", [])
    _require(
        isinstance(related, list)
        and all(_is_fields(r, {"Id", "ProductArn"}) and _is_text(r.get("Id")) for r in related)
        and all(_is_text(r.get("ProductArn")) for r in related),
        "RelatedFindings entries need Id and ProductArn",
    )
    return cast("BatchUpdateFindingsRequestTypeDef", request)


def severity_label(normalized: int) -> str:
    """The documented ``Normalized`` -> ``Label`` mapping used when only Normalized is given."""
    for floor, label in ((90, "CRITICAL"), (70, "HIGH"), (40, "MEDIUM"), (1, "LOW")):
        if normalized >= floor:
            return label
    return "INFORMATIONAL"
