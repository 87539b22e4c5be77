"""Have the account record read and write management events in every Region (control CloudTrail.1).

Controls: CloudTrail.1; CIS 1.2 2.1, CIS 1.4 3.1, CIS 3.0 3.1, CIS 5.0 3.1 (Config rule
`multi-region-cloudtrail-enabled`, identifier `MULTI_REGION_CLOUD_TRAIL_ENABLED`). Account-level.
Why: without a logging multi-Region trail recording management events, API activity in a Region
nobody watches leaves no durable record beyond CloudTrail's 90-day event history.
Passes when one trail is multi-Region, logging, and records management events for reads and
writes with no excluded event sources (basic selector `IncludeManagementEvents` true,
`ReadWriteType` All; advanced: a selector on `eventCategory` = Management alone).
Reads: DescribeTrails (shadow trails included: a multi-Region trail homed elsewhere is seen
here), then for each trail GetTrailStatus (is it logging) and, for this account's trails homed
in the finding's Region, GetEventSelectors: 1 + up to 2 reads a trail, as the control judges
every trail. A trail homed elsewhere is judged by `HasCustomEventSelectors` (false: CloudTrail's
default, all management events); its selectors can be read and changed only in its home Region.
A new trail answers `[]` selectors in moto, AWS the default basic selector: both read as the
default (**unverified** that AWS never answers an empty list for a trail that logs nothing).
What it changes, the least that passes, never weakening:
- a trail of this account homed in this Region (the multi-Region, then logging, one first):
  UpdateTrail `IsMultiRegionTrail` (with `IncludeGlobalServiceEvents` when off: a multi-Region trail
  records global service events; that AWS refuses the one without the other is **unverified**); PutEventSelectors only when management events are not recorded for
  reads and writes: every selector that includes management events gets `ReadWriteType` All and
  no excluded sources, or one management selector is appended; data event selectors and their
  resources are kept as they are (a mixed selector's data events are then recorded for reads and
  writes too: more, never less); StartLogging when off. A trail with advanced event selectors
  that do not record all management events is not changed (NOTIFIED): which selector to widen is
  a person's choice;
- only trails homed in other Regions, or organization trails of another account: NOTIFIED, naming
  them (a trail is changed only in its home Region; an organization trail only by its owner):
  never a second trail beside them;
- no trail at all: one is created (`trail_name`, default `sechub-baseline-trail`) to the
  baseline's log bucket (rule `trail_bucket`, else SSM `/sechub-remediator/baseline/log-bucket`,
  whose policy lets CloudTrail write this account's logs), multi-Region, global service events,
  log file validation on, then StartLogging (CreateTrail does not start it). Encryption and
  CloudWatch Logs stay to CloudTrail.2 and CloudTrail.5.
Cost: a first copy of management events is free; a second trail, data events and the log
bucket's storage are billed: creates-resources, manual by default.
Revert: a trail the fix created is deleted (DeleteTrail) only while nothing started using it: it
still reads as created (same bucket, no KMS key, no log group, default selectors, no data events);
otherwise it is kept and the note says why (its logs stay in the bucket either way). An existing
trail gets back each setting the fix changed only where it still reads as the fix left it:
selectors restored as they were (PutEventSelectors), `IsMultiRegionTrail` off (and global
service events as they were), logging stopped; a setting changed since is someone else's
(refused unless forced; forced, left as it is). A trail gone since: nothing to revert (refused
unless forced).
APIs: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetEventSelectors.html
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateTrail.html
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StartLogging.html
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DeleteTrail.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.errors import UnsupportedResourceError
from model.finding import Resource
from model.outcome import ApiCall, Change, Plan
from remediations.base import Params, Permissions, Remediation, Risk
from remediations.destinations import Destination, needed
from remediations.identities import ACCOUNT
from remediations.revert import refuse_unless_forced

if TYPE_CHECKING:
    from mypy_boto3_cloudtrail import CloudTrailClient

    from remediations.cases import Cases

TRAIL_BUCKET = Destination("trail_bucket", "log-bucket", "the CloudTrail log bucket")
DEFAULT_NAME = "sechub-baseline-trail"
MANAGEMENT = {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}
#: What a trail reads as beyond its selectors, from DescribeTrails.
FIELDS = ("IsMultiRegionTrail", "IncludeGlobalServiceEvents", "IsOrganizationTrail", "S3BucketName")


def read(client: CloudTrailClient, resource: Resource, params: Params) -> dict[str, Any]:
    trails = []
    for trail in client.describe_trails(includeShadowTrails=True).get("trailList", []):
        arn = trail["TrailARN"]
        entry: dict[str, Any] = {
            "TrailARN": arn,
            "HomeRegion": trail.get("HomeRegion", resource.region),
            **{field: trail.get(field) for field in FIELDS},
            "KmsKeyId": trail.get("KmsKeyId") or None,
            "CloudWatchLogsLogGroupArn": trail.get("CloudWatchLogsLogGroupArn") or None,
            "IsLogging": bool(client.get_trail_status(Name=arn).get("IsLogging")),
            "EventSelectors": None,
            "AdvancedEventSelectors": None,
        }
        if _own(entry, resource.account_id) and entry["HomeRegion"] == resource.region:
            selectors = client.get_event_selectors(TrailName=arn)
            entry["EventSelectors"] = selectors.get("EventSelectors") or []
            entry["AdvancedEventSelectors"] = selectors.get("AdvancedEventSelectors") or []
        elif not trail.get("HasCustomEventSelectors"):
            entry["EventSelectors"], entry["AdvancedEventSelectors"] = [], []
        trails.append(entry)
    return {
        "Account": resource.account_id,
        "Region": resource.region,
        "Partition": resource.partition,
        "Trails": sorted(trails, key=_arn),
    }


def _arn(trail: Mapping[str, Any]) -> str:
    return str(trail["TrailARN"])


def _label(arn: str) -> str:
    return f"trail {arn.rsplit('/', 1)[-1]}"


def _undone(arn: str, field: str, now: Any, was: Any) -> Change:
    if field == "EventSelectors":
        return Change(f"{_label(arn)} event selectors", "as the fix left them", "as they were")
    return Change(f"{_label(arn)} {field}", now, was)


def _own(trail: Mapping[str, Any], account: str) -> bool:
    return _arn(trail).split(":")[4] == account


def records_management(trail: Mapping[str, Any]) -> bool | None:
    """Reads and writes of every management event source recorded; None: not known here."""
    advanced, basic = trail["AdvancedEventSelectors"], trail["EventSelectors"]
    if advanced is None or basic is None:
        return None
    if advanced:
        return any(
            [(f.get("Field"), f.get("Equals")) for f in s.get("FieldSelectors", [])]
            == [("eventCategory", ["Management"])]
            for s in advanced
        )
    return not basic or any(_management_all(s) for s in basic)


def _management_all(selector: Mapping[str, Any]) -> bool:
    return (
        selector.get("IncludeManagementEvents", True)
        and selector.get("ReadWriteType", "All") == "All"
        and not selector.get("ExcludeManagementEventSources")
    )


def passes(trail: Mapping[str, Any]) -> bool:
    return bool(trail["IsMultiRegionTrail"] and trail["IsLogging"] and records_management(trail))


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    trails = state["Trails"]
    if any(passes(trail) for trail in trails):
        return Plan(after=dict(state))
    here = [t for t in trails if _own(t, state["Account"]) and t["HomeRegion"] == state["Region"]]
    if here:
        best = min(here, key=lambda t: (not t["IsMultiRegionTrail"], not t["IsLogging"], _arn(t)))
        return _fix(state, best)
    if trails:
        named = ", ".join(f"{_arn(t)} (home Region {t['HomeRegion']})" for t in trails)
        raise UnsupportedResourceError(
            f"no trail passes CloudTrail.1, and the account's trails seen from {state['Region']} can be "
            f"changed only in their home Region or by the organization's owner: {named}. Nothing was "
            "changed and no second trail was made: fix one of them there"
        )
    return _create(state, params)


def _fix(state: Mapping[str, Any], trail: Mapping[str, Any]) -> Plan:
    arn, changes, calls = _arn(trail), [], []
    fixed = dict(trail)
    if not trail["IsMultiRegionTrail"]:
        update: dict[str, Any] = {"Name": arn, "IsMultiRegionTrail": True}
        changes.append(Change(f"{_label(arn)} IsMultiRegionTrail", False, True))
        if not trail["IncludeGlobalServiceEvents"]:
            update["IncludeGlobalServiceEvents"] = True
            changes.append(Change(f"{_label(arn)} IncludeGlobalServiceEvents", False, True))
        calls.append(ApiCall("update_trail", update))
        fixed.update(IsMultiRegionTrail=True, IncludeGlobalServiceEvents=True)
    if not records_management(trail):
        if trail["AdvancedEventSelectors"]:
            raise UnsupportedResourceError(
                f"trail {arn} uses advanced event selectors that do not record every management event "
                "for reads and writes: add a selector on eventCategory = Management alone (no readOnly, "
                "no eventSource) by hand; which one to widen is a person's choice. Nothing was changed"
            )
        selectors = widened(trail["EventSelectors"])
        changes.append(
            Change(f"{_label(arn)} management events", "not all, reads and writes", "all, reads and writes")
        )
        calls.append(ApiCall("put_event_selectors", {"TrailName": arn, "EventSelectors": selectors}))
        fixed["EventSelectors"] = selectors
    if not trail["IsLogging"]:
        changes.append(Change(f"{_label(arn)} IsLogging", False, True))
        calls.append(ApiCall("start_logging", {"Name": arn}))
        fixed["IsLogging"] = True
    trails = [fixed if _arn(t) == arn else t for t in state["Trails"]]
    return Plan(changes=tuple(changes), calls=tuple(calls), after={**state, "Trails": trails})


def widened(selectors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Management events for reads and writes, every source; data event selectors kept."""
    out = [
        {**s, "ReadWriteType": "All", "ExcludeManagementEventSources": []}
        if s.get("IncludeManagementEvents", True)
        else dict(s)
        for s in selectors
    ]
    if not any(s.get("IncludeManagementEvents", True) for s in selectors):
        out.append(dict(MANAGEMENT))
    return out


def _create(state: Mapping[str, Any], params: Params) -> Plan:
    name = str(params.get("trail_name", DEFAULT_NAME))
    bucket = needed(params, TRAIL_BUCKET)
    arn = f"arn:{state['Partition']}:cloudtrail:{state['Region']}:{state['Account']}:trail/{name}"
    made = {
        "TrailARN": arn,
        "HomeRegion": state["Region"],
        "IsMultiRegionTrail": True,
        "IncludeGlobalServiceEvents": True,
        "IsOrganizationTrail": False,
        "S3BucketName": bucket,
        "KmsKeyId": None,
        "CloudWatchLogsLogGroupArn": None,
        "IsLogging": True,
        "EventSelectors": [],
        "AdvancedEventSelectors": [],
    }
    create = {
        "Name": name,
        "S3BucketName": bucket,
        "IsMultiRegionTrail": True,
        "IncludeGlobalServiceEvents": True,
        "EnableLogFileValidation": True,
    }
    return Plan(
        changes=(Change("multi-Region trail", None, f"{name} → s3://{bucket}"),),
        calls=(ApiCall("create_trail", create), ApiCall("start_logging", {"Name": name})),
        after={**state, "Trails": [made]},
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    was = {_arn(t): t for t in before["Trails"]}
    left = next((t for t in after["Trails"] if was.get(_arn(t)) != t), None)
    if left is None:
        return Plan(after=dict(current))
    arn = _arn(left)
    now = next((t for t in current["Trails"] if _arn(t) == arn), None)
    if now is None:
        refuse_unless_forced(force, f"trail {arn}", None, "there")
        return Plan(after=dict(current))
    if arn not in was:
        return _undo_create(current, now)
    return _undo_fix(current, was[arn], left, now, force)


def _undo_create(current: Mapping[str, Any], now: Mapping[str, Any]) -> Plan:
    arn = _arn(now)
    used = [
        what
        for what, value in (
            ("a KMS key", now["KmsKeyId"]),
            ("a CloudWatch Logs group", now["CloudWatchLogsLogGroupArn"]),
            ("event selectors of its own", now["EventSelectors"] or now["AdvancedEventSelectors"]),
        )
        if value
    ]
    if used:
        note = f"kept trail {arn}: it has {', '.join(used)} since, so something uses it; delete it by hand"
        return Plan(after=dict(current), notes=(note,))
    return Plan(
        changes=(Change("multi-Region trail", arn, None),),
        calls=(ApiCall("delete_trail", {"Name": arn}),),
        after={**current, "Trails": [t for t in current["Trails"] if _arn(t) != arn]},
    )


def _undo_fix(
    current: Mapping[str, Any],
    was: Mapping[str, Any],
    left: Mapping[str, Any],
    now: Mapping[str, Any],
    force: bool,
) -> Plan:
    arn, changes, calls = _arn(now), [], []
    back = dict(now)
    for field in ("IsMultiRegionTrail", "EventSelectors", "IsLogging"):
        if was[field] == left[field]:
            continue
        if now[field] != left[field]:
            refuse_unless_forced(force, f"{field} of trail {arn}", now[field], left[field])
            continue
        changes.append(_undone(arn, field, now[field], was[field]))
        back[field] = was[field]
        if field == "IsMultiRegionTrail":
            update = {"Name": arn, "IsMultiRegionTrail": False}
            if not was["IncludeGlobalServiceEvents"]:
                update["IncludeGlobalServiceEvents"] = False
                back["IncludeGlobalServiceEvents"] = False
            calls.append(ApiCall("update_trail", update))
        elif field == "EventSelectors":
            calls.append(ApiCall("put_event_selectors", {"TrailName": arn, "EventSelectors": was[field]}))
        else:
            calls.append(ApiCall("stop_logging", {"Name": arn}))
    trails = [back if _arn(t) == arn else t for t in current["Trails"]]
    return Plan(changes=tuple(changes), calls=tuple(calls), after={**current, "Trails": trails})


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """No trail gone; none less multi-Region, logging less, or recording fewer events."""
    now = {_arn(t): t for t in after["Trails"]}
    for trail in before["Trails"]:
        later = now.get(_arn(trail))
        if later is None:
            return False
        if (trail["IsMultiRegionTrail"] and not later["IsMultiRegionTrail"]) or (
            trail["IsLogging"] and not later["IsLogging"]
        ):
            return False
        if trail["AdvancedEventSelectors"] != later["AdvancedEventSelectors"]:
            return False
        data = [s for s in trail["EventSelectors"] or [] if s.get("DataResources")]
        kept = [s.get("DataResources") for s in later["EventSelectors"] or []]
        if any(s["DataResources"] not in kept for s in data):
            return False
    return True


def cases() -> Cases:
    from remediations.cloudtrail_multi_region_cases import cases as multi_region_cases

    return multi_region_cases()


REMEDIATION = Remediation(
    name="cloudtrail.enable-multi-region-trail",
    summary="Make a trail homed here multi-Region, logging read and write management events; with no trail at all, create one to the baseline's log bucket.",
    service="cloudtrail",
    identity=ACCOUNT,
    permissions=Permissions(
        read=("cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors"),
        write=(
            "cloudtrail:UpdateTrail",
            "cloudtrail:PutEventSelectors",
            "cloudtrail:StartLogging",
            "cloudtrail:CreateTrail",
        ),
        revert=(
            "cloudtrail:UpdateTrail",
            "cloudtrail:PutEventSelectors",
            "cloudtrail:StopLogging",
            "cloudtrail:DeleteTrail",
        ),
    ),
    risk=Risk.CREATES_RESOURCES,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
    parameters={
        TRAIL_BUCKET.parameter: {"type": "string", "pattern": "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"},
        "trail_name": {
            "type": "string",
            "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$",
            "default": DEFAULT_NAME,
        },
    },
    destinations=(TRAIL_BUCKET,),
)
