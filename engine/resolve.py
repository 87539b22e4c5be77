"""Record each outcome where it belongs: on the Security Hub finding, or back to AWS Config.

`BatchUpdateFindings` applies one workflow status and one note to every finding in a call,
so findings with the same update are grouped, up to 100 identifiers a call, and each call
goes to the account and region that received the finding (the administrator's, for
aggregated member findings). Config-sourced outcomes instead start a re-evaluation of the
rule in the resource's account and region, so Security Hub's own finding flips quickly.
API: https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchUpdateFindings.html

OCSF findings (AWS Security Hub) are recorded with `BatchUpdateFindingsV2` instead, grouped and
batched the same way: `StatusId` 4 Resolved where the ASFF path sets RESOLVED, 2 In Progress where
it sets NOTIFIED, and the note as the `Comment` (at most 512 characters, as a note). Identifiers
are (CloudAccountUid, FindingInfoUid, MetadataProductUid); the IAM action is the same
`securityhub:BatchUpdateFindings`. One fix can so resolve an ASFF finding and an OCSF finding of
the same failure, each through its own API.
API: https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchUpdateFindingsV2.html
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from botocore.exceptions import BotoCoreError, ClientError

from engine.clients import ClientFactory
from engine.notes import note_for
from model.errors import TRANSIENT_ERROR_CODES
from model.finding import FindingSource
from model.outcome import Outcome, Status
from model.workflow import OCSF_STATUS, OCSF_STATUS_ID_FOR_WORKFLOW

BATCH_LIMIT = 100
#: Error codes of a `BatchUpdateFindings(V2)` request that would fail the same way when sent again.
REFUSED_AS_MALFORMED = frozenset({"InvalidInputException", "InvalidInput", "ValidationException"})
#: `BatchUpdateFindingsV2` per-finding error codes worth the next delivery (the API reference's
#: other two, ResourceNotFoundException and ValidationException, fail the same way again).
V2_RETRYABLE_FINDING_ERRORS = frozenset({"InternalServerException", "ConflictException"})
CONFIG_EVALUATION_LIMIT = 25


class FindingUpdate(NamedTuple):
    """One `BatchUpdateFindings` request, or one `BatchUpdateFindingsV2` request when `ocsf`."""

    account_id: str
    region: str
    identifiers: tuple[tuple[str, str, str], ...]  # (Id, ProductArn, the finding's account)
    note: str
    workflow_status: str | None
    ocsf: bool = False

    @property
    def api(self) -> str:
        return "BatchUpdateFindingsV2" if self.ocsf else "BatchUpdateFindings"

    def request(self, author: str) -> dict[str, object]:
        if self.ocsf:
            return self._request_v2()
        body: dict[str, object] = {
            "FindingIdentifiers": [{"Id": id_, "ProductArn": arn} for id_, arn, _ in self.identifiers],
            "Note": {"Text": self.note, "UpdatedBy": author},
        }
        if self.workflow_status:
            body["Workflow"] = {"Status": self.workflow_status}
        return body

    def _request_v2(self) -> dict[str, object]:
        """V2 has no author field: the note's `[sechub-remediator]` prefix says who wrote it."""
        body: dict[str, object] = {
            "FindingIdentifiers": [
                {"CloudAccountUid": account, "FindingInfoUid": id_, "MetadataProductUid": product}
                for id_, product, account in self.identifiers
            ],
            "Comment": self.note,
        }
        if self.workflow_status:
            body["StatusId"] = OCSF_STATUS_ID_FOR_WORKFLOW[self.workflow_status]
        return body


def needs_update(outcome: Outcome, note: str) -> bool:
    """Loop guard: our own update re-emits an Imported event; skip one that changes nothing."""
    finding = outcome.finding
    if not finding.finding_id or outcome.retryable:  # a retried delivery will record it
        return False
    routine_skip = outcome.status is Status.SKIPPED and outcome.rule_id and not outcome.safety_skip
    if finding.source in (FindingSource.IMPORTED, FindingSource.IMPORTED_V2) and routine_skip:
        return False  # routed but not ours to touch (suppressed, passed, archived…): leave it alone
    wanted = outcome.workflow_status
    if finding.ocsf and wanted:
        wanted = OCSF_STATUS[OCSF_STATUS_ID_FOR_WORKFLOW[wanted]]
    unchanged_workflow = wanted in (None, finding.workflow_status)
    return not (unchanged_workflow and finding.note_text == note)


def plan_updates(outcomes: Iterable[Outcome]) -> list[FindingUpdate]:
    groups: dict[tuple[str, str, str, str | None, bool], list[tuple[str, str, str]]] = defaultdict(list)
    for outcome in outcomes:
        note = note_for(outcome)
        if not needs_update(outcome, note):
            continue
        finding = outcome.finding
        key = (finding.hub_account_id, finding.hub_region, note, outcome.workflow_status, finding.ocsf)
        groups[key].append((finding.finding_id or "", finding.product_arn or "", finding.account_id))
    updates = []
    for (account, region, note, workflow, ocsf), identifiers in groups.items():
        for start in range(0, len(identifiers), BATCH_LIMIT):
            chunk = tuple(identifiers[start : start + BATCH_LIMIT])
            updates.append(FindingUpdate(account, region, chunk, note, workflow, ocsf))
    return updates


class UpdateFailure(NamedTuple):
    """Findings whose outcome Security Hub did not record: a fix nobody can see on the finding.

    `retry`: the event is delivered again, and that delivery writes the note (it reads the
    resource as compliant and the state table says what this engine changed, and when).
    """

    text: str
    findings: int
    retry: bool


def send_updates(
    updates: Sequence[FindingUpdate], clients: ClientFactory, author: str
) -> list[UpdateFailure]:
    """Send every update; returns what was refused (whole calls, or findings left unprocessed)."""
    failures: list[UpdateFailure] = []
    for update in updates:
        try:
            client = clients.home_client("securityhub", update.region)
            send = client.batch_update_findings_v2 if update.ocsf else client.batch_update_findings
            response: Mapping[str, Any] = send(**update.request(author))
        except (ClientError, BotoCoreError) as error:
            text = f"{update.api} in {update.region} failed for {len(update.identifiers)} findings: {error}"
            # A request Security Hub calls malformed is sent the same on every retry; anything else
            # (throttling, a permission fixed later, an outage) is worth the next delivery.
            code = error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else ""
            failures.append(
                UpdateFailure(text, len(update.identifiers), retry=code not in REFUSED_AS_MALFORMED)
            )
            continue
        for unprocessed in response.get("UnprocessedFindings", []):
            failures.append(_unprocessed(unprocessed, update.ocsf))
    return failures


def _unprocessed(unprocessed: Mapping[str, Any], ocsf: bool) -> UpdateFailure:
    """One finding Security Hub left unprocessed, retried when its error code is a passing one.

    V1 codes are free text (`FindingNotFound`, throttling…); V2's are the four the API reference
    lists, of which only InternalServerException and ConflictException can pass.
    """
    found = unprocessed.get("FindingIdentifier") or {}
    identifier = found.get("FindingInfoUid" if ocsf else "Id") or unprocessed.get("MetadataUid", "?")
    code = unprocessed.get("ErrorCode", "")
    text = f"{identifier}: {code}: {unprocessed.get('ErrorMessage')}"
    retry = code in V2_RETRYABLE_FINDING_ERRORS if ocsf else code in TRANSIENT_ERROR_CODES
    return UpdateFailure(text, 1, retry=retry)


def reevaluate_config_rules(outcomes: Iterable[Outcome], clients: ClientFactory) -> list[str]:
    """Ask Config to re-evaluate the rules whose resources were just fixed."""
    rules: dict[tuple[str, str], set[str]] = defaultdict(set)
    for outcome in outcomes:
        finding = outcome.finding
        if (
            finding.source is FindingSource.CONFIG
            and outcome.status is Status.REMEDIATED
            and finding.config_rule_name
        ):
            rules[(finding.account_id, finding.region)].add(finding.config_rule_name)
    problems: list[str] = []
    for (account, region), names in rules.items():
        ordered = sorted(names)
        for start in range(0, len(ordered), CONFIG_EVALUATION_LIMIT):
            chunk = ordered[start : start + CONFIG_EVALUATION_LIMIT]
            try:
                clients.client("config", account, region).start_config_rules_evaluation(ConfigRuleNames=chunk)
            except (ClientError, BotoCoreError) as error:
                problems.append(f"StartConfigRulesEvaluation {chunk} in {account}/{region}: {error}")
    return problems
