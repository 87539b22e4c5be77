"""The deployed stack, run in-process: EventBridge's routing, then each function's engine.

Routing comes from the transformed `template.yaml` (`localaws.sam_routes`): an event goes
to every function whose EventBridge rule patterns match it, and each function gets the
settings its template environment gives it (`Settings.from_env`). Engines are built once per
function, on its first event, as Lambda's cold start does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import boto3

from engine.clients import ClientFactory
from engine.handler import build_engine
from engine.process import Engine
from engine.settings import Settings
from model.errors import RetryLaterError


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

    def deliver(self, event: Mapping[str, Any]) -> list[Handled]:
        """Hand `event` to every function whose rules match it; [] when none does."""
        handled = []
        for function in self.routes.functions_for(event):
            engine = self.engine(function)
            try:
                report = engine.handle(dict(event))
            except RetryLaterError as error:  # Lambda would retry; the demo shows what happened
                report = error.report
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
            engine.on_outcome = None  # the handler's logs and metrics are for CloudWatch, not the demo
            self.engines[function] = engine
        return self.engines[function]
