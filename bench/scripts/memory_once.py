"""One execution environment's memory over argv[1] findings: RSS after the first and the last, heap growth."""

import gc
import json
import resource
import sys
import tracemalloc

from bench.overhead import events, memory_engine


def rss_mb() -> float:
    """Peak RSS of this process (VmHWM): getrusage's ru_maxrss keeps the parent's across exec."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: kilobytes


count = int(sys.argv[1])
engine = memory_engine()
batch = events(count)
engine.handle(batch[0])
first = rss_mb()
gc.collect()
tracemalloc.start()
before = tracemalloc.get_traced_memory()[0]
for event in batch[1:]:
    engine.handle(event)
gc.collect()  # what is left is held, not garbage waiting for the cycle collector
after = tracemalloc.get_traced_memory()[0]
tracemalloc.stop()
print(
    json.dumps(
        {
            "first_rss_mb": first,
            "peak_rss_mb": rss_mb(),
            "heap_growth_kb": (after - before) / 1024,
            "findings": count,
        }
    )
)
