"""GuardDuty detectors as AWS documents them, where moto 5 differs in ways GuardDuty.1 depends on.

moto keeps any number of detectors in a Region; AWS allows one ("You can have only one detector
per account per Region") and refuses `CreateDetector` while one exists (a 400,
`BadRequestException`). moto also lacks what a detector holds, which decides whether an undo may
delete one: `ListFindings`, `ListFilters` (moto has the filters, not the call), `ListMembers`,
`ListPublishingDestinations`, and the calls that put something there (`CreateSampleFindings`,
`CreateMembers`, `CreatePublishingDestination`). Here each detector keeps its own findings, members
and destinations; `DeleteDetector` takes them with it, as AWS does. And moto's
`GetAdministratorAccount` answers in the model's member names (`Administrator`, `AccountId`), not
the wire's (`administrator`, `accountId`), so boto3 reads no administrator ever: here a member's
detector has the administrator whose invitation it accepted (`AcceptAdministratorInvitation`,
relationship `Enabled`), and none before.

Not modelled: finding criteria and sort order (ListFindings lists every finding id), paging
(one page), invitations (any invitation id is accepted; `CreateMembers` records the member on the
administrator's detector only, and an organisation's auto-enable is not modelled: a test makes a
detector managed by accepting an invitation), what AWS answers for a detector without an
administrator (here no `administrator` at all; the model marks it required), and the
destination's S3 bucket and KMS key checks.
https://docs.aws.amazon.com/guardduty/latest/APIReference/API_CreateDetector.html
https://docs.aws.amazon.com/guardduty/latest/APIReference/API_ListFindings.html
https://docs.aws.amazon.com/guardduty/latest/APIReference/API_ListMembers.html
https://docs.aws.amazon.com/guardduty/latest/APIReference/API_ListPublishingDestinations.html
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.guardduty.models import Detector
from moto.guardduty.responses import GuardDutyResponse

#: Paths of the botocore model (``requestUri``) moto 5 does not route.
GUARDDUTY_URL_PATHS: dict[str, Callable[..., Any]] = {
    "{0}/detector/(?P<detector_id>[^/]+)/findings$": GuardDutyResponse.dispatch,
    "{0}/detector/(?P<detector_id>[^/]+)/findings/create$": GuardDutyResponse.dispatch,
    "{0}/detector/(?P<detector_id>[^/]+)/member$": GuardDutyResponse.dispatch,
    "{0}/detector/(?P<detector_id>[^/]+)/publishingDestination$": GuardDutyResponse.dispatch,
}


class BadRequestException(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("BadRequestException", message)

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return [("X-Amzn-ErrorType", "BadRequestException")]


def _detector(response: GuardDutyResponse) -> Detector:
    detector_id = response.path.rstrip("/").split("/detector/", 1)[1].split("/", 1)[0]
    return response.guardduty_backend.get_detector(detector_id)


def _held(detector: Detector, what: str) -> list[Any]:
    held: list[Any] = detector.__dict__.setdefault(f"double_{what}", [])
    return held


def respond_create_detector(response: GuardDutyResponse) -> str:
    if response.guardduty_backend.detectors:
        raise BadRequestException(
            "The request is rejected because a detector already exists for the current account."
        )
    return _MOTO_CREATE_DETECTOR(response)


def respond_list_findings(response: GuardDutyResponse) -> str:
    findings = _held(_detector(response), "findings")
    limit = int(response._get_param("maxResults") or 50)
    return json.dumps({"findingIds": findings[:limit]})


def respond_create_sample_findings(response: GuardDutyResponse) -> str:
    types = response._get_param("findingTypes") or ["Recon:EC2/PortProbeUnprotectedPort"]
    _held(_detector(response), "findings").extend(uuid.uuid4().hex for _ in types)
    return "{}"


def respond_list_filters(response: GuardDutyResponse) -> str:
    names = sorted(_detector(response).filters)
    limit = int(response._get_param("maxResults") or 50)
    return json.dumps({"filterNames": names[:limit]})


def respond_create_members(response: GuardDutyResponse) -> str:
    members = _held(_detector(response), "members")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    for account in response._get_param("accountDetails") or []:
        members.append(
            {
                "accountId": account["accountId"],
                "masterId": response.current_account,
                "administratorId": response.current_account,
                "email": account.get("email", ""),
                "relationshipStatus": "Created",
                "updatedAt": now,
            }
        )
    return json.dumps({"unprocessedAccounts": []})


def respond_list_members(response: GuardDutyResponse) -> str:
    members = _held(_detector(response), "members")
    if str(response._get_param("onlyAssociated") or "true").lower() == "true":
        members = [m for m in members if m["relationshipStatus"] == "Enabled"]
    limit = int(response._get_param("maxResults") or 50)
    return json.dumps({"members": members[:limit]})


def respond_create_publishing_destination(response: GuardDutyResponse) -> str:
    destination = {
        "destinationId": uuid.uuid4().hex,
        "destinationType": response._get_param("destinationType"),
        "status": "PUBLISHING",
    }
    _held(_detector(response), "destinations").append(destination)
    return json.dumps({"destinationId": destination["destinationId"]})


def respond_list_publishing_destinations(response: GuardDutyResponse) -> str:
    destinations = _held(_detector(response), "destinations")
    limit = int(response._get_param("maxResults") or 50)
    return json.dumps({"destinations": destinations[:limit]})


def respond_accept_administrator_invitation(response: GuardDutyResponse) -> str:
    detector = _detector(response)
    detector.__dict__["double_administrator"] = {
        "accountId": response._get_param("administratorId"),
        "invitationId": response._get_param("invitationId"),
        "relationshipStatus": "Enabled",
        "invitedAt": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    return "{}"


def respond_get_administrator_account(response: GuardDutyResponse) -> str:
    administrator = _detector(response).__dict__.get("double_administrator")
    return json.dumps({"administrator": administrator} if administrator else {})


_MOTO_CREATE_DETECTOR: Callable[[GuardDutyResponse], str] = GuardDutyResponse.create_detector

GUARDDUTY_RESPONSES: dict[str, Callable[[GuardDutyResponse], str]] = {
    "create_detector": respond_create_detector,
    "list_findings": respond_list_findings,
    "create_sample_findings": respond_create_sample_findings,
    "list_filters": respond_list_filters,
    "create_members": respond_create_members,
    "list_members": respond_list_members,
    "create_publishing_destination": respond_create_publishing_destination,
    "list_publishing_destinations": respond_list_publishing_destinations,
    "accept_administrator_invitation": respond_accept_administrator_invitation,
    "get_administrator_account": respond_get_administrator_account,
}
