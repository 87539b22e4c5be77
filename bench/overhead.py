"""Engine overhead per finding, no AWS: parse, validate, route, plan, and the note it would write.

A synthetic registry of 25, 1,000 and 10,000 rules (one control each, all on the S3 encryption
remediation) and Imported events for findings spread over them; the engine gets clients that
answer from memory (the bucket reads as unencrypted, BatchUpdateFindings accepts everything), so
what is timed is `Engine.handle` itself. Dry run, so `apply` is never called. The lookup is an
index, so the figure should not grow with the registry.

Then the memory of one execution environment over 1,000 findings, in a fresh process
(`bench/scripts/memory_once.py`): peak RSS after the first finding and after the 1,000th, and
the Python heap traced between the two, which stays flat when nothing is kept per finding.
"""

from __future__ import annotations

import gc
import json
import subprocess
import time
from typing import Any

from bench.figures import PYTHON, ROOT, Figure, base_env, median
from demo import asff
from engine.deadline import DeadlineHolder
from engine.parse import parse_event
from engine.process import Engine
from engine.resolve import plan_updates, send_updates
from engine.settings import Settings
from remediations import catalog
from rules.registry import build_registry

ACCOUNT, REGION = "123456789012", "us-east-1"
RULES = 1000
SIZES = (25, RULES, 10_000)  # registry sizes the overhead is measured at
MEMORY_SCRIPT = "bench.scripts.memory_once"  # run as a module: it imports bench.overhead


class MemoryClient:
    """Answers the two calls the timed path makes, instantly."""

    def get_bucket_encryption(self, **_: Any) -> dict[str, Any]:
        return {"ServerSideEncryptionConfiguration": {"Rules": []}}

    def batch_update_findings(self, **_: Any) -> dict[str, Any]:
        return {"ProcessedFindings": [], "UnprocessedFindings": []}


class MemoryClients:
    home_account_id = ACCOUNT
    home_region = REGION

    def __init__(self) -> None:
        self._client = MemoryClient()
        self.deadline = DeadlineHolder()

    def client(self, service: str, account_id: str, region: str) -> MemoryClient:
        return self._client

    def home_client(self, service: str, region: str) -> MemoryClient:
        return self._client


def synthetic_registry(rules: int = RULES) -> Any:
    document = {
        "version": 1,
        "rules": [
            {
                "id": f"bench-rule-{n:04d}",
                "control": f"BENCH.{n}",
                "config_rules": [f"bench-config-rule-{n}"],
                "remediation": "s3.enable-default-encryption",
                "mode": "automatic",
                "parameters": {"algorithm": "AES256"},
            }
            for n in range(rules)
        ],
    }
    return build_registry(document, catalog({"s3"}), source="synthetic")


def events(count: int, rules: int = RULES) -> list[dict[str, Any]]:
    out = []
    for n in range(count):
        control = f"BENCH.{(n * 7919) % rules}"
        target = asff.Target("AwsS3Bucket", f"arn:aws:s3:::bench-bucket-{n}")
        out.append(asff.imported_event(asff.finding(control, target, ACCOUNT, REGION), ACCOUNT, REGION))
    return out


def memory_engine(rules: int = RULES) -> Engine:
    """An engine over the synthetic registry whose clients answer from memory (dry run)."""
    return Engine(
        registry=synthetic_registry(rules),
        clients=MemoryClients(),  # type: ignore[arg-type]
        settings=Settings(dry_run=True, home_account_id=ACCOUNT),
    )


def overhead(runs: int, findings: int = 2000) -> list[Figure]:
    """Each size's passes interleaved with the others', so a slow spell of the machine hits all alike.

    Each pass builds its engine afresh and drops it after, as one execution environment holds one
    registry: engines of other sizes kept alive would make every garbage collection slower.
    """
    per_finding: dict[int, list[float]] = {rules: [] for rules in SIZES}
    for _ in range(runs):
        for rules in SIZES:
            per_finding[rules].append(_pass(memory_engine(rules), events(findings, rules)))
    figures = []
    for rules in SIZES:
        engine, batch = memory_engine(rules), events(findings, rules)
        _pass(engine, batch)
        figures.append(_figure(engine, batch, per_finding[rules], rules))
    return [*figures, memory()]


def _pass(engine: Engine, batch: list[dict[str, Any]]) -> float:
    """µs per finding of `engine.handle` over `batch`, after a warm-up, as the first invocation does."""
    for event in batch[:100]:
        engine.handle(event)
    gc.collect()
    started = time.perf_counter()
    for event in batch:
        report = engine.handle(event)
    elapsed = time.perf_counter() - started
    assert report["summary"] == {"planned": 1}, report
    return elapsed / len(batch) * 1e6


def _figure(engine: Engine, batch: list[dict[str, Any]], per_finding: list[float], rules: int) -> Figure:
    stages = stage_breakdown(engine, batch)
    return Figure(
        f"engine overhead per finding ({rules:,}-rule registry, no AWS)",
        median(per_finding),
        "µs",
        100,
        detail=f"Engine.handle on {len(batch)} Imported events, median of {len(per_finding)} passes "
        "(interleaved with the other sizes' passes); of which "
        + ", ".join(f"{stage} {micros:.0f} µs" for stage, micros in stages.items()),
        runs=per_finding,
        extra={"stages_us": stages, "rules": rules},
    )


def memory(findings: int = 1000) -> Figure:
    """Peak RSS after `findings` findings in a fresh process, and how much the heap grew after the first."""
    result = subprocess.run(
        [str(PYTHON), "-m", MEMORY_SCRIPT, str(findings)],
        env=base_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    measured = json.loads(result.stdout)
    return Figure(
        f"peak memory after {findings:,} findings (1,000-rule registry, no AWS)",
        measured["peak_rss_mb"],
        "MB",
        detail=f"{measured['first_rss_mb']:.1f} MB after the first finding; the Python heap grew "
        f"{measured['heap_growth_kb']:.0f} KB over the next {findings - 1:,} (tracemalloc), "
        "after a garbage collection: flat means nothing is kept per finding",
        extra=measured,
    )


def stage_breakdown(engine: Engine, batch: list[dict[str, Any]]) -> dict[str, float]:
    """Where a finding's time goes: parse + schema validation, route + plan, the Security Hub update."""
    totals = {"parse+validate": 0.0, "route+plan": 0.0, "note+update": 0.0}
    for event in batch:
        started = time.perf_counter()
        parsed = parse_event(event)
        parsed_at = time.perf_counter()
        outcomes = [outcome for finding in parsed.findings if (outcome := engine.process(finding))]
        planned_at = time.perf_counter()
        send_updates(plan_updates(outcomes), engine.clients, engine.settings.note_author)
        done = time.perf_counter()
        totals["parse+validate"] += parsed_at - started
        totals["route+plan"] += planned_at - parsed_at
        totals["note+update"] += done - planned_at
    return {stage: seconds / len(batch) * 1e6 for stage, seconds in totals.items()}
