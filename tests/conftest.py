"""Shared fixtures: fake credentials for every test, and moto with our doubles installed."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from moto import mock_aws

from localaws.doubles.moto_patches import install_aws_doubles
from localaws.metrics import MetricStore

REGION = "us-east-1"


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach a real account: fake keys, a fixed region, no profile or endpoint."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "SecHubRemediatorTests")


@pytest.fixture
def aws() -> Iterator[None]:
    """moto in-process, with the Security Hub and Config calls moto lacks patched in."""
    install_aws_doubles()
    with mock_aws():
        yield


@dataclass(frozen=True, slots=True)
class DemoRun:
    """One run of `make demo`'s main: its exit code, what it printed, and whether it left the environment as it was."""

    code: int
    out: str
    environment_restored: bool
    metrics: MetricStore  # what the functions emitted, as CloudWatch would get it


@pytest.fixture(scope="session")
def demo_run() -> DemoRun:
    """`make demo` run once for every test that reads its output (tests/test_demo*.py): it takes ~30 s."""
    from demo.run import main

    before = dict(os.environ)
    printed = io.StringIO()
    metrics = MetricStore()
    with contextlib.redirect_stdout(printed):
        code = main([], metrics=metrics)
    return DemoRun(code, printed.getvalue(), dict(os.environ) == before, metrics)
