"""`remediator sweep`: remediate the backlog of active failed findings that have a rule.

Findings already in Security Hub when the stack is deployed get no new Imported event until
Security Hub re-checks them; a sweep finds them with GetFindings and sends them through the
engine in batches of up to 100, each batch shaped as a custom-action event because, like the
console's "Remediate" action, a sweep is an operator's explicit request (manual-mode rules
run too). Every finding is listed before the first one is changed: fixing findings changes
their workflow status, and paging on while the filtered set shrinks would skip some.
API: https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetFindings.html
With `--ocsf` the backlog is read as AWS Security Hub's OCSF findings instead (`cli.sweep_ocsf`).
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from cli.errors import EXIT_FINDINGS_FAILED, EXIT_OK, CommandError
from cli.invoke import FAILING_STATUSES
from cli.progress import ProgressBar
from cli.sweep_ocsf import list_ocsf_findings, ocsf_batch_event, ocsf_sweep_filters
from cli.table import render
from cli.wiring import engine_from, outcome_printer
from engine.identifiers import finding_keys, ocsf_finding_keys
from engine.parse import CUSTOM_ACTION
from model.errors import RetryLaterError
from model.outcome import Outcome
from model.workflow import ACTIONABLE_WORKFLOW
from rules.registry import Registry

BATCH_SIZE = 100  # the most findings one event and one BatchUpdateFindings call take
MAX_FILTER_VALUES = 20  # GetFindings accepts at most 20 values per filter attribute
ACTION_NAME = "remediator-sweep"


def sweep_filters(controls: Sequence[str] = (), accounts: Sequence[str] = ()) -> dict[str, Any]:
    """Active, failed findings in workflow NEW or NOTIFIED, narrowed to controls and accounts."""

    def equals(values: Sequence[str]) -> list[dict[str, str]]:
        return [{"Value": value, "Comparison": "EQUALS"} for value in values]

    filters: dict[str, Any] = {
        "ComplianceStatus": equals(["FAILED"]),
        "RecordState": equals(["ACTIVE"]),
        "WorkflowStatus": equals(sorted(ACTIONABLE_WORKFLOW)),
    }
    for key, values in (("ComplianceSecurityControlId", controls), ("AwsAccountId", accounts)):
        if len(values) > MAX_FILTER_VALUES:
            raise CommandError(f"at most {MAX_FILTER_VALUES} values for {key}; run several sweeps")
        if values:
            filters[key] = equals(values)
    return filters


def list_findings(securityhub: Any, filters: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for page in securityhub.get_paginator("get_findings").paginate(
        Filters=filters, PaginationConfig={"PageSize": BATCH_SIZE}
    ):
        yield from page["Findings"]


def with_rules(
    findings: Iterator[dict[str, Any]], registry: Registry, *, ocsf: bool = False
) -> tuple[list[dict[str, Any]], int]:
    """The findings some rule matches, and how many had none."""
    matched: list[dict[str, Any]] = []
    unmatched = 0
    keys = ocsf_finding_keys if ocsf else finding_keys
    for finding in findings:
        if registry.match(keys(finding)) is None:
            unmatched += 1
        else:
            matched.append(finding)
    return matched, unmatched


def batch_event(findings: Sequence[Mapping[str, Any]], hub_account: str, region: str) -> dict[str, Any]:
    """A custom-action event over `findings`, as Security Hub sends one for the console's action."""
    partition = str(findings[0].get("ProductArn", "arn:aws:")).split(":")[1] or "aws"
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": CUSTOM_ACTION,
        "source": "aws.securityhub",
        "account": hub_account,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:{partition}:securityhub:{region}:{hub_account}:action/custom/{ACTION_NAME}"],
        "detail": {
            "actionName": ACTION_NAME,
            "actionDescription": "remediator sweep: backlog of active failed findings",
            "findings": list(findings),
        },
    }


def batches(items: Sequence[dict[str, Any]], size: int = BATCH_SIZE) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def run(args: argparse.Namespace) -> int:
    ocsf = bool(getattr(args, "ocsf", False))
    # Refuse bad filters before any AWS call.
    filters = (ocsf_sweep_filters if ocsf else sweep_filters)(args.control, args.account)
    bar: ProgressBar | None = None
    printer = outcome_printer() if args.verbose else None

    def on_outcome(outcome: Outcome) -> None:
        if printer:
            printer(outcome)
        if bar:
            bar.advance()

    engine = engine_from(args, on_outcome=on_outcome)
    if ocsf:  # a person's request, as the custom action is for ASFF findings
        engine.settings = engine.settings.with_overrides(manual_approved=True, automatic=True)
    clients = engine.clients
    region = clients.home_region
    securityhub = clients.home_client("securityhub", region)
    started = time.monotonic()
    listed = (list_ocsf_findings if ocsf else list_findings)(securityhub, filters)
    findings, unmatched = with_rules(listed, engine.registry, ocsf=ocsf)
    bar = ProgressBar(len(findings), "findings")
    shape = ocsf_batch_event if ocsf else batch_event

    def handle(batch: Sequence[dict[str, Any]]) -> dict[str, Any]:
        try:
            report: dict[str, Any] = engine.handle(shape(batch, clients.home_account_id, region))
        except RetryLaterError as error:  # already recorded; the next sweep picks these up again
            report = dict(error.report)
        return report

    # Batches run side by side. Two findings for one resource (one per standard, when control
    # findings are not consolidated) may land in different batches: with a state table the
    # engine's claim lets one change it and the other retry; without one, both plan the same
    # change from the same state, so the second write changes nothing.
    with ThreadPoolExecutor(max_workers=max(1, args.workers)) as pool:
        reports = list(pool.map(handle, batches(findings)))
    bar.close()
    result = combine(reports, unmatched, time.monotonic() - started, dry_run=engine.settings.dry_run)
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else describe(result))
    failed = result["summary"].get("failed", 0) or result["problems"]
    return EXIT_FINDINGS_FAILED if failed else EXIT_OK


def combine(
    reports: Sequence[Mapping[str, Any]], unmatched: int, seconds: float, *, dry_run: bool
) -> dict[str, Any]:
    lines = [line for report in reports for line in report.get("findings", [])]
    return {
        "dry_run": dry_run,
        "seconds": round(seconds, 3),
        "batches": len(reports),
        "findings": lines,
        "summary": dict(Counter(line["status"] for line in lines)),
        "without_rule": unmatched,
        "problems": [problem for report in reports for problem in report.get("problems", [])],
    }


def describe(result: Mapping[str, Any]) -> str:
    """The human summary: totals, a table per rule, then every failure with its reason."""
    lines: list[dict[str, Any]] = result["findings"]
    totals = ", ".join(f"{count} {status}" for status, count in sorted(result["summary"].items()))
    out = [
        f"{'Dry run: ' if result['dry_run'] else ''}swept {len(lines)} findings in {result['batches']} "
        f"batch(es), {result['seconds']:.1f} s" + (f": {totals}" if totals else ": nothing to do"),
    ]
    if result["without_rule"]:
        out.append(f"{result['without_rule']} active failed finding(s) have no rule and were left alone")
    per_rule: dict[str, Counter[str]] = {}
    for line in lines:
        per_rule.setdefault(line["rule"] or "-", Counter())[line["status"]] += 1
    if per_rule:
        statuses = sorted({status for counts in per_rule.values() for status in counts})
        rows = [[rule, *(str(per_rule[rule][s]) for s in statuses)] for rule in sorted(per_rule)]
        out += ["", render(["rule", *statuses], rows)]
    failures = [line for line in lines if line["status"] in FAILING_STATUSES]
    if failures:
        out += ["", "Failed:"] + [f"  {line['finding']}: {line['reason']}" for line in failures]
    if result["problems"]:
        out += ["", "Not recorded in Security Hub:"] + [f"  {problem}" for problem in result["problems"]]
    return "\n".join(out)
