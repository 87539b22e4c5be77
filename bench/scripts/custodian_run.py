"""`custodian` with every thread pool it opens sized to one setting: `custodian_run.py N run …`.

Cloud Custodian hard-codes its pool sizes per stage (10 threads to fetch S3 buckets' details,
2 for the `bucket-encryption` filter, 3 for `set-bucket-encryption`) and has no flag for them.
The sweep bench gives both sides the same parallelism, so this runs Custodian's own CLI with
`executor_factory` (the pool every resource manager, filter and action opens) set to N
threads. Runs in Custodian's virtualenv (.venv-bench), not ours.
"""

import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from c7n import cli, element, manager  # type: ignore[import-not-found]  # Custodian has its own venv


def main() -> None:
    workers = int(sys.argv[1])

    def pool(*_args: Any, **_kwargs: Any) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=workers)

    element.Element.executor_factory = staticmethod(pool)
    manager.ResourceManager.executor_factory = staticmethod(pool)
    sys.argv = ["custodian", *sys.argv[2:]]
    cli.main()


if __name__ == "__main__":
    main()
