"""Reliability burst: 1,000 events through the engine against moto with faults injected.

Prints where every finding ended (resolved, notified with a note, dead-letter queue), the
faults injected, and how many resources were changed; exits non-zero only if the audit finds
a lost finding or a resource changed twice. Run: `make bench` or
`.venv/bin/python -m bench.reliability [--events N] [--seed S]`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time


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
        _, counts = run_burst(args.events, seed=args.seed)
    elapsed = time.perf_counter() - started
    print(f"reliability burst: {args.events} findings, seed {args.seed}, {elapsed:.1f} s")
    for key in (
        "resolved",
        "notified",
        "dead-letter",
        "changed",
        "deliveries",
        "duplicates",
        "invocations",
        "throttled_attempts",
        "denied",
        "deleted",
    ):
        print(f"  {key:<20} {counts.get(key, 0)}")
    ended = counts.get("resolved", 0) + counts.get("notified", 0) + counts.get("dead-letter", 0)
    print(f"  {'lost':<20} {args.events - ended}")
    print(json.dumps({"reliability": counts}))
    return 0 if ended == args.events else 1


if __name__ == "__main__":
    raise SystemExit(main())
