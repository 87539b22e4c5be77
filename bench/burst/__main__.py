"""`python -m bench.burst`: see bench/burst/report.py."""

from __future__ import annotations

from bench.burst.report import main

raise SystemExit(main())
