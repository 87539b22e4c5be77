"""Turn GuardDuty on in the finding's account and Region (control GuardDuty.1).

Controls: GuardDuty.1 (Config rule `guardduty-enabled-centralized`); PCI DSS 3.2.1 PCI.GuardDuty.1.
Why: GuardDuty is AWS's threat detection; the control passes when the Region has an enabled
detector. Only the detector is needed: the optional protection plans (S3 data events, EKS audit
logs, malware scans of EBS volumes, RDS logins, Lambda network logs, EKS runtime monitoring) are
checked by rules of their own (`guardduty-s3-protection-enabled`,
`guardduty-eks-protection-audit-enabled`, …) and billed on their own, so a detector this fix
creates has every one of them off. CreateDetector turns on every optional feature the request does not
name (all but RUNTIME_MONITORING, which stays off), so each is named, off; that naming a feature
a Region does not offer is accepted is unverified (AWS: "there might be regional differences";
CreateDetector's answer has an `UnprocessedDataSources` list, which suggests skipping over refusing).
The features AWS added since (AI_PROTECTION, AI_ANALYST) are not named: whether they are billed
or on by default is not documented where we looked.
- no detector: one is created, enabled (there is at most one a Region, and CreateDetector refuses
  a second);
- a suspended (disabled) detector: it is enabled again (UpdateDetector), keeping its settings;
  never a second detector;
- a suspended detector that is a member of a GuardDuty administrator account (delegated
  administrator of an organisation, or by invitation): nothing is changed and the finding is
  NOTIFIED (`UnsupportedResourceError`) naming the administrator, which manages its members'
  detectors. With no detector at all a member account cannot ask whether its organisation has a
  delegated administrator (ListOrganizationAdminAccounts answers the management account only;
  GetAdministratorAccount needs a detector), and an administrator that auto-enables members
  would have created the detector already; so a detector is created, and the administrator can
  still add the account as a member, which keeps that detector.
Reads: ListDetectors; with a detector, GetDetector (its status) and GetAdministratorAccount (is
it managed). An enabled detector is read whole, because an undo reads it too and a delete would
destroy what it holds: ListFindings, ListFilters, ListMembers and ListPublishingDestinations,
one item each. That is seven reads for an already compliant Region, the price of an undo that
can tell.
Guarantee: never a second detector, never a detector turned off or a feature changed by the fix.
Revert: a detector the fix enabled again is suspended again. A detector the fix created is
deleted only while nothing uses it: it is still enabled, has no GuardDuty administrator, and
holds no findings, filters, member accounts or publishing destinations (deleting a detector
deletes all of them, findings included). One that holds any of them is suspended instead (its
findings and settings kept, no charges) and the note says why. A detector that became a member
of an administrator since is kept (the administrator's now); one suspended since by someone else,
or gone, is someone else's change (refused unless forced; forced, it is left as it is). A detector
created in place of ours after ours was deleted cannot be told apart by the calls above: the
"nothing uses it" test is what protects it.
Permissions: GuardDuty creates its service-linked role when it is first enabled; whether the
caller needs `iam:CreateServiceLinkedRole` for it is unverified (AWS's own runbook
AWSConfigRemediation-CreateGuardDutyDetector lists only guardduty:CreateDetector and GetDetector),
and the permission meta-tests admit only actions a remediation calls, so it is not granted.
APIs: https://docs.aws.amazon.com/guardduty/latest/APIReference/API_CreateDetector.html
https://docs.aws.amazon.com/guardduty/latest/APIReference/API_UpdateDetector.html
https://docs.aws.amazon.com/guardduty/latest/APIReference/API_GetAdministratorAccount.html
https://docs.aws.amazon.com/guardduty/latest/APIReference/API_DeleteDetector.html
https://docs.aws.amazon.com/config/latest/developerguide/guardduty-enabled-centralized.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.errors import UnsupportedResourceError
from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Params, Permissions, Remediation, Risk
from remediations.identities import ACCOUNT
from remediations.revert import kept_note, refuse_unless_forced

if TYPE_CHECKING:
    from mypy_boto3_guardduty import GuardDutyClient

    from remediations.cases import Cases

ENABLED, DISABLED = "ENABLED", "DISABLED"
#: The optional protection plans a new detector would otherwise get (each is a control of its own).
OPTIONAL_FEATURES = (
    "S3_DATA_EVENTS",
    "EKS_AUDIT_LOGS",
    "EBS_MALWARE_PROTECTION",
    "RDS_LOGIN_EVENTS",
    "LAMBDA_NETWORK_LOGS",
    "EKS_RUNTIME_MONITORING",
)
#: What `after` names the detector the fix creates by: its id is known only once AWS made it.
NEW_DETECTOR = "(created by the fix)"
NONE: dict[str, Any] = {"DetectorId": None, "Status": None, "Administrator": None, "InUse": []}


def read(client: GuardDutyClient, resource: Resource, params: Params) -> dict[str, Any]:
    """The Region's detector: id, status, its administrator, and what it holds when enabled."""
    detector_ids = client.list_detectors()["DetectorIds"]
    if not detector_ids:
        return dict(NONE)
    detector_id = detector_ids[0]
    status = client.get_detector(DetectorId=detector_id)["Status"]
    administrator = client.get_administrator_account(DetectorId=detector_id).get("Administrator") or {}
    managed = str(administrator.get("RelationshipStatus", "")).lower() == "enabled"
    state: dict[str, Any] = {
        "DetectorId": detector_id,
        "Status": status,
        "Administrator": administrator.get("AccountId") if managed else None,
        "InUse": [],
    }
    if status == ENABLED and not state["Administrator"]:
        state["InUse"] = in_use(client, detector_id)
    return state


def in_use(client: GuardDutyClient, detector_id: str) -> list[str]:
    """What deleting the detector would destroy: findings, filters, members, publishing destinations."""
    held = []
    if client.list_findings(DetectorId=detector_id, MaxResults=1).get("FindingIds"):
        held.append("findings")
    if client.list_filters(DetectorId=detector_id, MaxResults=1).get("FilterNames"):
        held.append("filters")
    if client.list_members(DetectorId=detector_id, MaxResults=1, OnlyAssociated="false").get("Members"):
        held.append("member accounts")
    if client.list_publishing_destinations(DetectorId=detector_id, MaxResults=1).get("Destinations"):
        held.append("publishing destinations")
    return held


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    if state["Status"] == ENABLED:
        return Plan(after=dict(state))
    if state["DetectorId"] is None:
        features = [{"Name": name, "Status": DISABLED} for name in OPTIONAL_FEATURES]
        return Plan(
            changes=(Change("GuardDuty detector", None, "enabled, optional protection plans off"),),
            calls=(ApiCall("create_detector", {"Enable": True, "Features": features}),),
            after={**NONE, "DetectorId": NEW_DETECTOR, "Status": ENABLED},
        )
    if state["Administrator"]:
        raise UnsupportedResourceError(
            f"GuardDuty detector {state['DetectorId']} is suspended and is a member of GuardDuty "
            f"administrator account {state['Administrator']}, which manages its members' detectors: "
            "enable it there; nothing was changed"
        )
    return Plan(
        changes=(Change("GuardDuty detector status", DISABLED, ENABLED),),
        calls=(_enable(state["DetectorId"], enable=True),),
        after={**state, "Status": ENABLED},
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    created = before["DetectorId"] is None
    replaced = not created and current["DetectorId"] != before["DetectorId"]
    if current["DetectorId"] is None or replaced:
        refuse_unless_forced(force, "the GuardDuty detector", current["DetectorId"], after["DetectorId"])
        return Plan(after=dict(current))
    if current["Administrator"]:
        note = kept_note("the detector, a member of GuardDuty administrator", current["Administrator"])
        return Plan(after=dict(current), notes=(note,))
    if current["Status"] != ENABLED:
        refuse_unless_forced(force, "GuardDuty detector status", current["Status"], ENABLED)
        return Plan(after=dict(current))
    suspend = Plan(
        changes=(Change("GuardDuty detector status", ENABLED, DISABLED),),
        calls=(_enable(current["DetectorId"], enable=False),),
        after={**current, "Status": DISABLED, "InUse": []},
    )
    if not created:
        return suspend
    if current["InUse"]:
        held = ", ".join(current["InUse"])
        note = (
            f"suspended, not deleted: the detector the fix created holds {held} now, which deleting it "
            "would destroy; delete it by hand once they are not needed"
        )
        return Plan(changes=suspend.changes, calls=suspend.calls, after=suspend.after, notes=(note,))
    return Plan(
        changes=(Change("GuardDuty detector", "enabled", None),),
        calls=(ApiCall("delete_detector", {"DetectorId": current["DetectorId"]}),),
        after=dict(NONE),
    )


def _enable(detector_id: str, *, enable: bool) -> ApiCall:
    return ApiCall("update_detector", {"DetectorId": detector_id, "Enable": enable})


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """No detector removed or suspended, and its administrator untouched."""
    return (
        (after["Status"] == ENABLED or before["Status"] != ENABLED)
        and (after["DetectorId"] is not None or before["DetectorId"] is None)
        and after["Administrator"] == before["Administrator"]
    )


def normalize(state: Mapping[str, Any]) -> dict[str, Any]:
    """A new detector's id is AWS's to choose: compare whether there is one, not which."""
    return {**state, "DetectorId": bool(state["DetectorId"])}


def cases() -> Cases:
    from remediations.cases import (
        ACCOUNT,
        Cases,
        Exchange,
        LiveCase,
        PlanCase,
        RevertCase,
        StubbedCase,
        resource,
    )

    detector = "12abc34d567e8fa901bc2d34e56789f0"
    suspended = {**NONE, "DetectorId": detector, "Status": DISABLED}
    enabled = {**suspended, "Status": ENABLED}
    created = {**NONE, "DetectorId": NEW_DETECTOR, "Status": ENABLED}
    administrator = "210987654321"

    def setup(session: Any) -> Resource:
        for detector_id in session.client("guardduty").list_detectors()["DetectorIds"]:
            session.client("guardduty").delete_detector(DetectorId=detector_id)
        return resource("AwsAccount", f"AWS::::Account:{ACCOUNT}")

    return Cases(
        plans=(
            PlanCase(
                "no detector",
                NONE,
                {},
                ("GuardDuty detector: none → enabled, optional protection plans off",),
            ),
            PlanCase(
                "a suspended detector", suspended, {}, ("GuardDuty detector status: DISABLED → ENABLED",)
            ),
            PlanCase("enabled already", enabled, {}, ()),
            PlanCase(
                "enabled, a member of an administrator", {**enabled, "Administrator": administrator}, {}, ()
            ),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsAccount", f"AWS::::Account:{ACCOUNT}"),
            params={},
            calls=(
                Exchange("list_detectors", {}, {"DetectorIds": [detector]}),
                Exchange(
                    "get_detector",
                    {"DetectorId": detector},
                    {"Status": DISABLED, "ServiceRole": f"arn:aws:iam::{ACCOUNT}:role/guardduty"},
                ),
                Exchange("get_administrator_account", {"DetectorId": detector}, {"Administrator": {}}),
                Exchange("update_detector", {"DetectorId": detector, "Enable": True}, {}),
            ),
            refusals=((0, "AccessDeniedException"), (2, "BadRequestException"), (3, "BadRequestException")),
            optional_actions=frozenset(
                {
                    "guardduty:CreateDetector",
                    "guardduty:ListFindings",
                    "guardduty:ListFilters",
                    "guardduty:ListMembers",
                    "guardduty:ListPublishingDestinations",
                }
            ),
        ),
        reverts=(
            RevertCase(
                "created, unused: deleted",
                NONE,
                created,
                enabled,
                ("GuardDuty detector: enabled → none",),
            ),
            RevertCase(
                "created, holds findings and a filter since: suspended, not deleted",
                NONE,
                created,
                {**enabled, "InUse": ["findings", "filters"]},
                ("GuardDuty detector status: ENABLED → DISABLED",),
                kept="not deleted: the detector the fix created holds findings, filters",
            ),
            RevertCase(
                "enabled again by the fix: suspended again",
                suspended,
                enabled,
                enabled,
                ("GuardDuty detector status: ENABLED → DISABLED",),
            ),
            RevertCase(
                "a member of an administrator since: kept",
                NONE,
                created,
                {**enabled, "Administrator": administrator},
                (),
                kept=administrator,
                since="stricter",
            ),
            RevertCase(
                "suspended by someone else since",
                NONE,
                created,
                suspended,
                conflict=True,
                forced=(),
                since="changed",
            ),
            RevertCase(
                "deleted and replaced since",
                suspended,
                enabled,
                {**enabled, "DetectorId": "another"},
                conflict=True,
                forced=(),
                since="changed",
            ),
        ),
        live=LiveCase(setup, {}, normalize=normalize),
        keeps=keeps,
        identities=(
            (resource("AwsAccount", f"AWS::::Account:{ACCOUNT}"), ACCOUNT),
            (resource("AWS::::Account", ACCOUNT, ResourceFormat.CONFIG), ACCOUNT),
        ),
    )


REMEDIATION = Remediation(
    name="guardduty.enable-detector",
    summary="Enable GuardDuty in the Region: create a detector (protection plans off) or enable a suspended one.",
    service="guardduty",
    identity=ACCOUNT,
    permissions=Permissions(
        read=(
            "guardduty:ListDetectors",
            "guardduty:GetDetector",
            "guardduty:GetAdministratorAccount",
            "guardduty:ListFindings",
            "guardduty:ListFilters",
            "guardduty:ListMembers",
            "guardduty:ListPublishingDestinations",
        ),
        write=("guardduty:CreateDetector", "guardduty:UpdateDetector"),
        revert=("guardduty:UpdateDetector", "guardduty:DeleteDetector"),
    ),
    risk=Risk.CREATES_RESOURCES,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
)
