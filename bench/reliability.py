"""Reliability burst: 1,000 events through the engine against moto with faults injected.

Prints where every finding ended (resolved, notified with a note, left alone with a note,
dead-letter queue), the faults injected, the findings mixed in that must be left alone (forged,
stale tags, foreign) and how many resources were changed; exits non-zero only if the audit finds
a finding lost or ended where it must not, a resource changed twice, or a forged, excluded or
foreign finding acted on (counted from the write calls, not the engine's report). Run:
`make bench` or `.venv/bin/python -m bench.reliability [--events N] [--seed S]`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time

ENDED = ("resolved", "notified", "left-alone", "dead-letter")
FAULTS = ("deliveries", "duplicates", "invocations", "throttled_attempts", "denied", "deleted")
MUST_BE_LEFT_ALONE = ("forged", "stale_tags", "foreign")
#: Figures that must read 0; the last three are counted from the write calls the engine made.
NEVER = ("changed_twice", "forged_acted_on", "excluded_changed", "foreign_acted_on")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_LOG_LEVEL": "ERROR",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }.items():
        os.environ[name] = value
    os.environ.pop("AWS_ENDPOINT_URL", None)
    logging.disable(logging.CRITICAL)

    from moto import mock_aws

    from localaws.doubles.moto_patches import install_aws_doubles
    from localaws.reliability import run_burst

    install_aws_doubles()
    started = time.perf_counter()
    with mock_aws():
        burst, counts = run_burst(args.events, seed=args.seed)
    elapsed = time.perf_counter() - started
    print(f"reliability burst: {args.events} findings, seed {args.seed}, {elapsed:.1f} s")
    for key in ENDED + FAULTS + MUST_BE_LEFT_ALONE + ("changed",):
        print(f"  {key:<20} {counts.get(key, 0)}")
    lost = args.events - sum(counts.get(key, 0) for key in ENDED)
    for key, value in [("lost", lost), *((key, counts.get(key, 0)) for key in NEVER)]:
        print(f"  {key:<20} {value}")
    for problem in burst.problems:
        print(f"  problem: {problem}")
    print(json.dumps({"reliability": counts}))
    return 1 if lost or burst.problems or any(counts.get(key, 0) for key in NEVER) else 0


if __name__ == "__main__":
    raise SystemExit(main())
