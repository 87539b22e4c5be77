"""`make demo`: a vulnerable estate in a local moto, fixed by the stack's own functions.

Steps: start moto on loopback with fake credentials; set up a hub and a member account (the
engine reaches the member through MEMBER_ROLE_NAME, as in production); build the estate
pieces that have a rule in rules/registry.json; import their findings into Security Hub;
deliver each new finding as EventBridge would (Imported event → template patterns → the
matching functions with their environment): safe fixes apply on their own, workload-affecting
ones (manual rules) wait for a person with a note saying what they would change; print those
notes (and the public Lambda function's policy, still whole); then a person sends the waiting
findings and the backlog through the custom action; print the before → after table with each
finding's workflow read back from Security Hub (and what stays of that policy); then a second
pass over everything, which must find it all compliant; then one finding held by the
blast-radius limit (lowered for that step, `demo/held.py`) and applied by a person. Security Hub's echo of every update the
engine makes is delivered too, and must write nothing. Part of the estate is reported by AWS
Security Hub as OCSF findings (one bucket by both Security Hubs): those arrive as `Findings
Imported V2` events and are resolved with BatchUpdateFindingsV2; the second pass delivers their
event again, since the custom action carries ASFF findings only. Then a third account with nobody
watching is brought to the logging and detection baseline (demo/baseline.py), after the baseline
stack's destinations are created in it. Last, `remediator history` lists what the functions
changed, from their records in the state table (demo/history.py).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

import boto3

from demo import approval, asff, baseline, ocsf, report
from demo.delivery import Echoes, chunks, deliver, get_finding, imported_event, read_back
from demo.estate import PIECES, PUBLIC_FUNCTION, FindingSpec, Piece, public_function_policy
from demo.held import show_held_finding
from demo.history import show_history
from demo.local_aws import (
    HUB_ACCOUNT,
    MEMBER_ACCOUNT,
    REGION,
    Provisioner,
    hub_session,
    local_aws,
    member_session,
)
from demo.report import Row
from demo.stack import LocalStack, Routes
from engine.identifiers import finding_keys
from localaws import sam_routes
from localaws.doubles.securityhub_ocsf import import_ocsf_findings
from localaws.metrics import MetricStore
from localaws.project import ProjectFileNotFoundError, project_path
from localaws.recorder import CallRecorder
from rules.registry import Registry, load_registry

ACTION_ID = "Remediate"
SELECTION_LIMIT = 20  # the console sends at most 20 selected findings to a custom action
FIRST, SECOND = "first", "second"
DONE = frozenset({"remediated", "already-compliant"})


def main(
    argv: Sequence[str] | None = None, routes: Routes | None = None, metrics: MetricStore | None = None
) -> int:
    """`metrics`: where the functions' metrics go, as CloudWatch would get them (`make dashboard-png`)."""
    argparse.ArgumentParser(
        prog="make demo", description=__doc__.splitlines()[0] if __doc__ else None
    ).parse_args(argv)
    started = time.monotonic()
    try:
        routes = routes or _template_routes()
    except ProjectFileNotFoundError as error:
        print(f"make demo: {error}", file=sys.stderr)
        return 2
    with local_aws() as endpoint:
        print(f"moto on {endpoint}: hub account {HUB_ACCOUNT}, member account {MEMBER_ACCOUNT}, {REGION}")
        hub = hub_session()
        securityhub: Any = hub.client("securityhub")
        securityhub.enable_security_hub()
        member = member_session(hub)
        action_arn = securityhub.create_action_target(
            Name=ACTION_ID, Description="Send the selected findings to the remediation engine", Id=ACTION_ID
        )["ActionTargetArn"]
        newcomer = member_session(hub, baseline.ACCOUNT)  # the baseline step's account (demo/baseline.py)
        sessions = {HUB_ACCOUNT: hub, MEMBER_ACCOUNT: member}
        rows, skipped = build_estate(load_registry(), sessions)
        asff_rows = [row for row in rows if not row.ocsf]
        for start in range(0, len(asff_rows), 100):
            imported = securityhub.batch_import_findings(
                Findings=[r.finding for r in asff_rows[start : start + 100]]
            )
            assert imported["FailedCount"] == 0, imported["FailedFindings"]
        # AWS Security Hub stores its OCSF findings itself (no import API): seeded in the double.
        import_ocsf_findings(HUB_ACCOUNT, REGION, [row.finding for row in rows if row.ocsf])
        print(
            f"Estate: {len(rows)} failed findings in Security Hub, {len(rows) - len(asff_rows)} of them "
            "as OCSF findings of AWS Security Hub.\n"
        )

        stack = LocalStack(routes, hub, Provisioner(hub, [member, newcomer]), metrics=metrics)
        calls = CallRecorder()
        hub.events.register("before-call.*.*", calls)  # every function's clients come from `hub`
        via: dict[str, str] = {}
        echoes = Echoes()
        for row in rows:
            if row.spec.delivery == "imported":
                via[row.id] = "Imported V2 event" if row.ocsf else "Imported event"
                deliver(stack, imported_event(row, row.finding), rows, FIRST, echoes, calls)
        imported = len(via)
        waiting = [row for row in rows if row.status(FIRST) == "waiting"]
        accounts = {HUB_ACCOUNT: "hub", MEMBER_ACCOUNT: "member"}
        print(
            f"Imported events: {imported}; {imported - len(waiting)} handled on their own (safe), "
            f"{len(waiting)} wait for a person (workload-affecting: manual), "
            f"{calls.count('sns.Publish')} notifications published. The notes they left:"
        )
        print(report.notes([(row, get_finding(securityhub, row)) for row in waiting], accounts))
        print(f"Policy of {PUBLIC_FUNCTION} after its automatic event: {public_function_policy(member)}.")
        selected = [row for row in rows if row.spec.delivery == "backlog" or row in waiting]
        for row in selected:
            via[row.id] = "custom action" if row.spec.delivery == "backlog" else "waited, then\ncustom action"
            row.outcomes.pop(FIRST, None)
        for chunk in chunks(selected, SELECTION_LIMIT):
            event = asff.custom_action_event(
                [r.finding for r in chunk], action_arn, ACTION_ID, HUB_ACCOUNT, REGION
            )
            deliver(stack, event, rows, FIRST, echoes, calls)
        read_back(securityhub, rows, FIRST)
        print(
            f"\nFirst pass: {imported} Imported events, then a person's custom action over {len(selected)} "
            f"({len(waiting)} waiting, {len(selected) - len(waiting)} backlog):"
        )
        print(report.before_after(rows, FIRST, via, accounts))
        print(f"Policy of {PUBLIC_FUNCTION} after the custom action: {public_function_policy(member)}.")

        for chunk in chunks(asff_rows, SELECTION_LIMIT):
            event = asff.custom_action_event(
                [r.finding for r in chunk], action_arn, ACTION_ID, HUB_ACCOUNT, REGION
            )
            deliver(stack, event, rows, SECOND, echoes, calls)
        for row in rows:
            if row.ocsf:  # delivered again, as EventBridge may: the custom action takes ASFF only
                deliver(stack, imported_event(row, row.finding), rows, SECOND, echoes, calls)
        read_back(securityhub, rows, SECOND)
        print(
            f"\nSecond pass: the custom action over all {len(asff_rows)} ASFF findings again, and the "
            f"{len(rows) - len(asff_rows)} OCSF findings' events delivered again:"
        )
        print(report.compact(rows, SECOND, accounts))
        on_hub = baseline.Hub(stack, securityhub, action_arn, ACTION_ID, HUB_ACCOUNT, echoes, calls)
        baseline_ok = baseline.show(on_hub, newcomer)

        print(
            f"\nLoop guard: {echoes.sent} echo events of the engine's own updates, {echoes.matched} matched "
            f"a rule (waiting findings stay actionable), {echoes.wrote} of those wrote anything again."
        )
        held_shown = show_held_finding(stack, member, action_arn)
        approved = approval.show(routes, hub, stack.provision)
        print(f"Functions that ran: {', '.join(sorted(stack.engines)) or 'none'}.")
        if skipped:
            print("Not built, no rule in rules/registry.json yet: " + "; ".join(skipped) + ".")
        history = show_history(stack)
    ok = (
        baseline_ok
        and held_shown
        and approved
        and history == 0
        and bool(waiting)
        and echoes.wrote == 0
        and all(row.status(FIRST) in DONE for row in rows)
        and all(row.status(SECOND) == "already-compliant" for row in rows)
    )
    print(f"\n{'Done' if ok else 'FAILED'} in {time.monotonic() - started:.1f} s.")
    return 0 if ok else 1


def build_estate(registry: Registry, sessions: Mapping[str, boto3.Session]) -> tuple[list[Row], list[str]]:
    """Build each piece some rule can fix; returns its findings and what was left out."""
    rows: list[Row] = []
    skipped: list[str] = []
    for piece in PIECES:
        account = HUB_ACCOUNT if piece.account == "hub" else MEMBER_ACCOUNT
        specs = [spec for spec in piece.findings if has_rule(registry, spec, account)]
        missing = [spec.control for spec in piece.findings if spec not in specs]
        if missing:
            skipped.append(f"{piece.description} ({', '.join(missing)})")
        if not specs:
            continue
        target = piece.build(sessions[account], account, REGION)
        for spec in specs:
            if spec.format == "ocsf":
                finding = ocsf.finding(spec.control, target, account, REGION)
            else:
                finding = asff.finding(spec.control, target, account, REGION, legacy=spec.legacy)
            rows.append(Row(piece, spec, account, _short_name(piece, target), finding))
    return rows, skipped


def has_rule(registry: Registry, spec: FindingSpec, account: str) -> bool:
    probe = asff.finding(
        spec.control,
        asff.Target("AwsAccount", f"AWS::::Account:{account}"),
        account,
        REGION,
        legacy=spec.legacy,
    )
    return registry.match(finding_keys(probe)) is not None


def _short_name(piece: Piece, target: asff.Target) -> str:
    if target.type == "AwsAccount":
        return "password policy"
    name = target.id.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    if target.type == "AwsEc2SecurityGroup" and target.details:
        name += f" ({target.details['AwsEc2SecurityGroup']['GroupName']})"
    return name


def _template_routes() -> Routes:
    """The routing and environments of the transformed template.yaml, which must exist before moto starts."""
    project_path("template.yaml")
    return sam_routes


if __name__ == "__main__":
    sys.exit(main())
