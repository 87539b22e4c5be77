"""A benchmark figure, its target and verdict, and the timing helpers every figure uses."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"  # Cloud Custodian lives here, apart from our deps
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_SESSION_TOKEN": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


@dataclass
class Figure:
    """One measured number; `limit` is the target (at most, or at least when `at_least`)."""

    name: str
    value: float | None
    unit: str
    limit: float | None = None
    at_least: bool = False
    detail: str = ""
    runs: list[float] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        if self.value is None or self.limit is None:
            return None
        return self.value >= self.limit if self.at_least else self.value <= self.limit

    def target(self) -> str:
        if self.limit is None:
            return "-"
        return f"{'≥' if self.at_least else '≤'} {_number(self.limit)}"

    def verdict(self) -> str:
        if self.value is None:
            return "not measured"
        if self.met is None:
            return "info"
        if self.met:
            return "met"
        assert self.limit is not None
        off = f" ({abs(self.value - self.limit) / self.limit * 100:.0f}%)" if self.limit else ""
        return f"MISSED by {_number(abs(self.value - self.limit))} {self.unit}{off}".replace("  ", " ")

    def shown(self) -> str:
        return "-" if self.value is None else f"{_number(self.value)} {self.unit}".strip()

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "target": self.target(), "verdict": self.verdict(), "met": self.met}


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def run_seconds(
    command: Sequence[str],
    env: Mapping[str, str],
    *,
    setup: Callable[[], Sequence[str]] | None = None,
    check: Callable[[subprocess.CompletedProcess[str]], None] | None = None,
) -> float:
    """Wall-clock seconds of one fresh process; `setup` (untimed) may append arguments."""
    arguments = list(command) + list(setup() if setup else ())
    started = time.perf_counter()
    result = subprocess.run(arguments, env=dict(env), cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0 and check is None:
        raise RuntimeError(f"{' '.join(arguments)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    if check:
        check(result)
    return elapsed


def base_env(**extra: str) -> dict[str, str]:
    """PATH and HOME from the caller, fake AWS credentials, nothing else of the user's."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
    return {**env, **FAKE_AWS, "PYTHONDONTWRITEBYTECODE": "1", **extra}
