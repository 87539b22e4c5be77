"""The rule registry's build time, which every cold start pays in `get_engine()`.

The registry of `RULES` rules (the real one's entries repeated with fresh ids and identifiers:
the size the registry reaches with ~70 controls), read from its JSON and built in a fresh process
(`bench/scripts/build_registry_once.py`): the first build, which imports the compiled validators
it needs, and the median of repeated builds after it. For one function (the s3 family's rules
bound and their parameters validated, the others indexed unloaded), and for the whole catalog
(the CLI and the tests). Then, for the function, at 25, 1,000 and 10,000 rules: the build grows
with the registry (each rule is validated and indexed), and only the ~70 rules of this release
have a target.
"""

from __future__ import annotations

import copy
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.figures import PYTHON, ROOT, Figure, base_env
from rules.registry import REGISTRY_PATH

RULES = 70
REPEATS = 200
GROWTH = (25, 1_000, 10_000)  # registry sizes printed for the S3 function, beside RULES
SCRIPT = ROOT / "bench" / "scripts" / "build_registry_once.py"


def scaled_registry(rules: int = RULES) -> dict[str, Any]:
    """The real registry's entries, repeated with fresh ids and identifiers up to `rules` rules."""
    real = json.loads(REGISTRY_PATH.read_text(encoding="utf-8"))
    entries = []
    for n in range(rules):
        entry = copy.deepcopy(real["rules"][n % len(real["rules"])])
        if copy_number := n // len(real["rules"]):
            suffix = f"x{copy_number}"
            entry["id"] = f"{entry['id']}-{suffix}"
            if "control" in entry:
                prefix, _, number = entry["control"].partition(".")
                entry["control"] = f"{prefix}{suffix}.{number}"
            entry["standard_controls"] = [f"{s}{suffix}" for s in entry.get("standard_controls", ())]
            entry["config_rules"] = [f"{c}-{suffix}" for c in entry.get("config_rules", ())]
        entries.append(entry)
    return {**real, "rules": entries}


def registry_build() -> list[Figure]:
    figures = []
    runs = [(RULES, "s3", "the S3 function"), (RULES, "", "the whole catalog")]
    runs += [(rules, "s3", "the S3 function") for rules in GROWTH]
    with tempfile.TemporaryDirectory() as scratch:
        for rules, families, who in sorted(runs, key=lambda run: run[0]):
            document = Path(scratch) / f"registry-{rules}.json"
            document.write_text(json.dumps(scaled_registry(rules)), encoding="utf-8")
            repeats = max(5, REPEATS * RULES // rules)  # ~the same time per size
            result = subprocess.run(
                [str(PYTHON), str(SCRIPT), str(document), families, str(repeats)],
                env=base_env(),
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            timing = json.loads(result.stdout)
            figures.append(
                Figure(
                    f"registry build, {rules:,} rules, {who}",
                    timing["median_ms"],
                    "ms",
                    2 if rules == RULES else None,
                    detail=f"median of {repeats} builds in one process; the first, which imports the "
                    f"compiled validators, took {timing['first_ms']:.1f} ms "
                    f"({timing['bound']} rules bound, {timing['unloaded']} indexed unloaded; "
                    f"{timing['median_ms'] * 1000 / rules:.1f} µs a rule)",
                    extra={**timing, "rules": rules},
                )
            )
    return figures
