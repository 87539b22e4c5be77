"""`make bench`: every figure of issue 8, measured now, printed as a table and kept as JSON.

Figures are ratios or counts from this run (medians of repeated runs); a missed target says
by how much. Benchmarks never fail the build: this exits 0 whatever the numbers are.
Results: bench/results/latest.json (not committed).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from bench.figures import FAKE_AWS, ROOT, Figure
from cli.table import render

RESULTS = ROOT / "bench" / "results" / "latest.json"


def suites(quick: bool) -> dict[str, Callable[[], list[Figure]]]:
    from bench import aws_calls, cold_start, overhead, package_size, registry_build, sweep_vs_custodian
    from bench.burst import report as burst

    repeats = 5 if quick else 15
    return {
        "cold-start": lambda: cold_start.ready(repeats),
        "end-to-end": lambda: cold_start.end_to_end(repeats),
        "overhead": lambda: overhead.overhead(3 if quick else 15),
        "aws-calls": aws_calls.aws_calls,
        "sweep": lambda: (
            sweep_vs_custodian.sweep_vs_custodian(1 if quick else 3)
            if not quick
            else sweep_vs_custodian.sweep_vs_custodian(1, buckets=60, groups=40)
        ),
        "package": package_size.package_size,
        "registry": registry_build.registry_build,
        "burst": burst.figures,  # a model, not a measurement: ~1 min, the same with --quick
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer repeats and a 100-finding sweep (a smoke run)"
    )
    parser.add_argument(
        "--only", action="append", default=[], metavar="SUITE", help="run only this suite (repeatable)"
    )
    args = parser.parse_args(argv)
    os.environ.update(FAKE_AWS)  # the in-process parts talk to moto only
    os.environ.pop("AWS_PROFILE", None)
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's access log: one line per request
    figures: list[Figure] = []
    for name, suite in suites(args.quick).items():
        if args.only and name not in args.only:
            continue
        started = time.monotonic()
        print(f"running {name}…", file=sys.stderr, flush=True)
        try:
            figures.extend(suite())
        except Exception as error:  # noqa: BLE001  # one broken suite must not hide the others' numbers
            traceback.print_exc()
            figures.append(
                Figure(f"{name}: did not run", None, "", detail=f"{type(error).__name__}: {error}")
            )
        print(f"  {name}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "python": platform.python_version(),
                "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
                "quick": args.quick,
                "figures": [figure.as_json() for figure in figures],
            },
            indent=2,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    print(report(figures))
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")
    return 0


def report(figures: Sequence[Figure]) -> str:
    rows = [[f.name, f.shown(), f.target(), f.verdict()] for f in figures]
    out = [render(["figure", "value", "target", "verdict"], rows), ""]
    out += [f"- {f.name}: {f.detail}" for f in figures if f.detail]
    for figure in figures:
        if "printout" in figure.extra:  # a suite's own table (bench/burst)
            out += ["", str(figure.extra["printout"])]
        profile = figure.extra.get("importtime_top")
        if profile:
            out += [
                "",
                f"Cold start (a) profile: handler imports {profile['handler_imports_ms']:.0f} ms (boto3's own imports "
                f"{profile['boto3_ms']:.0f} ms), then get_engine() {profile['get_engine_ms']:.0f} ms.",
                "Imported by the handler and not by `import boto3` (python -X importtime, self ms per package):",
            ]
            out += [f"  {ms:7.1f}  {package}" for package, ms in profile["beyond_boto3_ms"].items()]
    return "\n".join(out)
