"""Build a registry (argv: its JSON file, the families, comma-separated or "", repeats); print the times."""

import json
import statistics
import sys
import time
from pathlib import Path

from remediations import catalog
from rules.registry import build_registry

path, families, repeats = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
remediations = catalog(family for family in families.split(",") if family)
document = json.loads(path.read_text(encoding="utf-8"))
started = time.perf_counter()
registry = build_registry(document, remediations)
first = time.perf_counter() - started
times = []
for _ in range(repeats):
    started = time.perf_counter()
    build_registry(document, remediations)
    times.append(time.perf_counter() - started)
print(
    json.dumps(
        {
            "first_ms": first * 1000,
            "median_ms": statistics.median(times) * 1000,
            "bound": len(registry.rules),
            "unloaded": len(registry.unloaded),
        }
    )
)
