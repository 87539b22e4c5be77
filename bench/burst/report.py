"""Run the burst under the template's controls and under none, and print what each does to the quotas.

`python -m bench.burst` prints the comparison, a sweep of the reserved concurrency, and the quota
table with its sources; `make bench` (bench/run.py, suite `burst`) shows the same as figures.
A model, not a measurement: what it shows is which quota binds and how the controls move it.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace

from bench.burst.quotas import LAMBDA_SOURCES, QUOTAS
from bench.burst.scenario import (
    Controls,
    Result,
    burst,
    functions_by_control,
    no_controls,
    run,
    templated_controls,
)
from bench.figures import Figure
from cli.table import render

SWEEP = (1, 2, 3)  # reserved concurrency per function, beside the template's


def compare(results: Sequence[Result], minutes: float) -> str:
    """One column per scenario."""
    rows = [
        ["findings", *[f"{r.findings:,} within {minutes:g} min" for r in results]],
        ["reserved concurrency per function", *[_reserved(r.controls) for r in results]],
        [
            "async: max event age, retries",
            *[f"{r.controls.max_event_age // 3600} h, {r.controls.retry_attempts}" for r in results],
        ],
        ["time to drain", *[f"{r.tally.last_done / 60:.0f} min" for r in results]],
        ["resolved and recorded", *[f"{r.tally.outcomes['resolved']:,}" for r in results]],
        ["fixed, not recorded (BatchUpdateFindings gave up)", *[f"{r.unrecorded:,}" for r in results]],
        ["skipped (live tags unreadable)", *[f"{r.tally.outcomes['skipped']:,}" for r in results]],
        ["dead-letter queue", *[_dead_letters(r) for r in results]],
        ["peak concurrency (account: 1,000)", *[f"{r.tally.peak:,}" for r in results]],
        ["execution environments", *[f"{r.environments:,}" for r in results]],
        ["longest wait in the async queue", *[f"{r.tally.longest_wait / 60:.0f} min" for r in results]],
        ["Lambda throttles (event back to queue)", *[f"{r.tally.throttles:,}" for r in results]],
        ["function errors (async retries)", *[f"{r.tally.errors:,}" for r in results]],
        ["sts:AssumeRole calls", *[f"{r.calls['sts:AssumeRole']:,}" for r in results]],
    ]
    apis = sorted({api for r in results for api in r.throttled})
    for api in apis:
        rows.append([f"throttled attempts: {api}", *[f"{r.throttled[api]:,}" for r in results]])
        rows.append([f"gave up after retries: {api}", *[f"{r.exhausted[api]:,}" for r in results]])
    if not apis:
        rows.append(["throttled attempts", *["0" for _ in results]])
    return render(["", *[r.controls.name for r in results]], rows)


def sweep(base: Controls, results: Sequence[tuple[int, Result, Result]]) -> str:
    rows = [
        [
            str(limit) + (" (template)" if _reserved(base) == str(limit) else ""),
            f"{plain.tally.last_done / 60:.0f} min",
            f"{plain.throttled['securityhub:BatchUpdateFindings']:,}",
            f"{plain.unrecorded:,}",
            f"{unretried.unrecorded:,} ({unretried.dead_lettered} dead-lettered)",
            f"{plain.dead_lettered}",
            f"{plain.tally.longest_wait / 60:.0f} min",
        ]
        for limit, plain, unretried in results
    ]
    headers = [
        "reserved/function",
        "drain",
        "BUF throttled",
        "not recorded",
        "not recorded without the retry",
        "DLQ",
        "longest wait",
    ]
    return render(headers, rows)


def quota_table() -> str:
    rows = [
        [
            "\n".join([*quota.apis, f"  {quota.source}"]),
            f"{quota.rate:g}/s",
            f"{quota.burst:g}",
            quota.scope.value,
            ("yes" if quota.verified else "UNVERIFIED") + (f": {quota.note}" if quota.note else ""),
        ]
        for quota in QUOTAS
    ]
    table = render(["API (source)", "rate", "bucket", "per", "verified"], rows)
    lambda_lines = [f"  {what}: {url}" for what, url in LAMBDA_SOURCES.items()]
    return "\n".join([table, "Lambda figures (bench/burst/quotas.py LAMBDA):", *lambda_lines])


def simulate(
    *,
    accounts: int = 100,
    regions: int = 4,
    minutes: float = 10.0,
    seed: int = 7,
    sweep_limits: Sequence[int] = SWEEP,
) -> tuple[list[Result], list[tuple[int, Result, Result]]]:
    templated = templated_controls()
    findings = burst(functions_by_control(), accounts=accounts, regions=regions, minutes=minutes, seed=seed)
    results = [run(templated, findings, seed=seed), run(no_controls(templated), findings, seed=seed)]
    swept = []
    for limit in sweep_limits:
        controls = replace(templated, name=f"{limit}", reserved=dict.fromkeys(templated.reserved, limit))
        plain = results[0] if controls.reserved == templated.reserved else run(controls, findings, seed=seed)
        swept.append((limit, plain, run(controls, findings, seed=seed, retry_unrecorded=False)))
    return results, swept


def printout(results: Sequence[Result], swept: Sequence[tuple[int, Result, Result]], minutes: float) -> str:
    return "\n".join(
        [
            "Burst model (bench/burst): a standard enabled across an organisation, one finding per event.",
            compare(results, minutes),
            "",
            "Reserved concurrency per function (templated async settings; BUF = BatchUpdateFindings):",
            sweep(results[0].controls, swept),
            "",
            "Quotas the model enforces (token buckets):",
            quota_table(),
        ]
    )


def figures(minutes: float = 10.0) -> list[Figure]:
    """The suite `make bench` runs: both scenarios as figures, the whole printout kept in `extra`."""
    results, swept = simulate(minutes=minutes)
    templated, bare = results
    figures = []
    for result, target in ((templated, 0.0), (bare, None)):
        name = result.controls.name
        throttled = ", ".join(f"{api} {n:,}" for api, n in sorted(result.throttled.items())) or "none"
        figures += [
            Figure(f"burst, {name}: findings dead-lettered", result.dead_lettered, "", target),
            Figure(
                f"burst, {name}: fixed but not recorded",
                result.unrecorded,
                "",
                target,
                detail=f"throttled attempts: {throttled}",
            ),
            Figure(
                f"burst, {name}: time to drain {result.findings:,} findings",
                result.tally.last_done / 60,
                "min",
            ),
            Figure(f"burst, {name}: peak concurrency", result.tally.peak, ""),
        ]
    figures[0].extra["printout"] = printout(results, swept, minutes)
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.burst", description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--regions", type=int, default=4, choices=range(1, 5))
    parser.add_argument("--minutes", type=float, default=10.0, help="the window the findings arrive in")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-sweep", action="store_true", help="only the two scenarios")
    args = parser.parse_args(argv)
    results, swept = simulate(
        accounts=args.accounts,
        regions=args.regions,
        minutes=args.minutes,
        seed=args.seed,
        sweep_limits=() if args.no_sweep else SWEEP,
    )
    print(printout(results, swept, args.minutes) if swept else compare(results, args.minutes))
    return 0


def _reserved(controls: Controls) -> str:
    limits = set(controls.reserved.values())
    if limits == {None}:
        return "none (unreserved pool)"
    return ", ".join(sorted(str(limit) for limit in limits))


def _dead_letters(result: Result) -> str:
    if not result.dead_lettered:
        return "0"
    return ", ".join(f"{n:,} {why}" for why, n in sorted(result.tally.dead_letters.items()))
