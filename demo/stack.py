"""The deployed stack, run in-process: EventBridge's routing, then each function's engine.

Routing comes from the transformed `template.yaml` (`localaws.sam_routes`): an event goes
to every function whose EventBridge rule patterns match it, and each function gets the
settings its template environment gives it (`Settings.from_env`). Engines are built once per
function, on its first event, as Lambda's cold start does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

import boto3

from engine.clients import ClientFactory
from engine.handler import build_engine, count_outcome
from engine.process import Engine
from engine.settings import Settings
from localaws.metrics import MetricStore
from model.errors import RetryLaterError
from model.outcome import Outcome


class Routes(Protocol):
    """What the demo needs from the template (implemented by `localaws.sam_routes`)."""

    def functions_for(self, event: Mapping[str, Any]) -> list[str]: ...

    def function_environment(self, logical_id: str) -> dict[str, str]: ...


@dataclass(frozen=True, slots=True)
class Handled:
    """One function's report for one event."""

    function: str
    report: Mapping[str, Any]


@dataclass
class LocalStack:
    routes: Routes
    session: boto3.Session
    #: Creates what a function's settings refer to (table, topic, member role) before its first event.
    provision: Callable[[Settings], None] = lambda settings: None
    engines: dict[str, Engine] = field(default_factory=dict)
    #: Where the functions' metrics go, as CloudWatch would get them: each outcome's EMF line and
    #: each invocation's AWS/Lambda Duration and Errors (`make dashboard-png` draws them). None:
    #: nowhere, the demo prints its own report.
    metrics: MetricStore | None = None

    def deliver(self, event: Mapping[str, Any]) -> list[Handled]:
        """Hand `event` to every function whose rules match it; [] when none does."""
        handled = []
        for function in self.routes.functions_for(event):
            engine = self.engine(function)
            started, failed = time.time(), False
            try:
                report = engine.handle(dict(event))
            except RetryLaterError as error:  # Lambda would retry; the demo shows what happened
                report, failed = error.report, True
            if self.metrics is not None:
                self.metrics.put(
                    "AWS/Lambda", "Duration", (time.time() - started) * 1000, started, FunctionName=function
                )
                self.metrics.put("AWS/Lambda", "Errors", float(failed), started, FunctionName=function)
            handled.append(Handled(function, report))
        return handled

    def engine(self, function: str) -> Engine:
        if function not in self.engines:
            settings = Settings.from_env(self.routes.function_environment(function))
            self.provision(settings)
            clients = ClientFactory(
                self.session,
                member_role_name=settings.member_role_name,
                home_account_id=settings.home_account_id,
            )
            engine = build_engine(settings, clients)
            engine.on_outcome = None  # the handler's logs are for CloudWatch Logs, not the demo
            if self.metrics is not None:
                engine.on_outcome = partial(self._count, namespace=settings.metrics_namespace)
            self.engines[function] = engine
        return self.engines[function]

    def _count(self, outcome: Outcome, namespace: str) -> None:
        """The outcome's EMF line, as the handler prints it, into `metrics`."""
        assert self.metrics is not None
        self.metrics.capture(partial(count_outcome, outcome, namespace))
