"""`python -m cli …` is the same as the `remediator` entry point."""

from __future__ import annotations

from cli.main import main

raise SystemExit(main())
