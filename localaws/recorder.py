"""Record every AWS call a boto3 session makes, through botocore's own event hooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3

READ_PREFIXES = ("Get", "BatchGet", "Describe", "List", "Head", "Query")


@dataclass
class CallRecorder:
    calls: list[str] = field(default_factory=list)  # "service.Operation"

    def __call__(self, model: Any, **_: Any) -> None:
        self.calls.append(f"{model.service_model.service_name}.{model.name}")

    @property
    def writes(self) -> list[str]:
        """Calls that change something (anything but Get/BatchGet/Describe/List/Head/Query)."""
        return [call for call in self.calls if not call.split(".", 1)[1].startswith(READ_PREFIXES)]

    def count(self, call: str) -> int:
        return self.calls.count(call)


def recording_session(region: str = "us-east-1") -> tuple[boto3.Session, CallRecorder]:
    session = boto3.Session(region_name=region)
    recorder = CallRecorder()
    session.events.register("before-call.*.*", recorder)
    return session, recorder
