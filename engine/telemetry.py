"""Structured logs and EMF metrics for the handler, in Powertools' output format, without Powertools.

Importing Powertools' `Logger` and `single_metric` cost ~27 ms of CPU at every cold start (7 % of
a bare `import boto3`, its JMESPath helpers pulling in `typing_extensions`), for what is one JSON
line per log record and one per metric. These write the same lines, field for field, with the
`logging` and `json` modules boto3 has already imported:

- a log line has `level`, `location` (`function:line`), `message`, `timestamp`
  (`2026-12-03 11:33:53,690+0000`), `service`, the Lambda context keys `cold_start`,
  `function_name`, `function_memory_size`, `function_arn`, `function_request_id`, the appended
  keys, the record's `extra`, then `xray_trace_id` (when Lambda traces); keys whose value is None
  are left out, and an exception adds `exception` and `exception_name` (not Powertools'
  `stack_trace`: the handler logs no exception);
- a metric line is Powertools' `single_metric` one: `{"_aws": {"Timestamp", "CloudWatchMetrics":
  [{"Namespace", "Dimensions": [[…, "service"]], "Metrics": [{"Name", "Unit"}]}]}, <dimensions>,
  "service", <name>: [value]}`, `service` from `POWERTOOLS_SERVICE_NAME` when set.

The Powertools layer stays on the function: `Tracer` is imported from it when tracing is on.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

ENV_LOG_LEVEL = "POWERTOOLS_LOG_LEVEL"  # the names Powertools reads, so template.yaml is unchanged
ENV_SERVICE = "POWERTOOLS_SERVICE_NAME"
ENV_TRACE_ID = "_X_AMZN_TRACE_ID"
#: LogRecord attributes that are not a record's `extra`.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}

Handler = TypeVar("Handler", bound=Callable[..., Any])


class JsonFormatter(logging.Formatter):
    """One JSON object a record, keys in Powertools' order; `keys()` gives the appended ones."""

    def __init__(self, service: str, keys: Callable[[], Mapping[str, Any]]) -> None:
        super().__init__(datefmt="%Y-%m-%d %H:%M:%S")
        self.service = service
        self.keys = keys
        self.converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "level": record.levelname,
            "location": f"{record.funcName}:{record.lineno}",
            "message": record.getMessage(),
            "timestamp": f"{self.formatTime(record, self.datefmt)},{int(record.msecs):03d}+0000",
            "service": self.service,
            **self.keys(),
            **{name: value for name, value in vars(record).items() if name not in _RECORD_FIELDS},
            "xray_trace_id": _trace_id(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = self.formatException(record.exc_info)
            line["exception_name"] = record.exc_info[0].__name__
        return json.dumps(
            {k: v for k, v in line.items() if v is not None}, default=str, separators=(",", ":")
        )


class _Stdout:
    """Whatever `sys.stdout` is when a line is written, as `print` does: a stream bound at import
    would bypass a capture set up later (pytest's, a CLI's redirect)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


class JsonLogger:
    """The part of Powertools' `Logger` the handler uses: levels, `append_keys`, `inject_lambda_context`."""

    def __init__(self, service: str, level: str | None = None, stream: Any = None) -> None:
        self._keys: dict[str, Any] = {}
        self._logger = logging.getLogger(service)
        self._logger.propagate = False
        self._logger.setLevel((level or os.environ.get(ENV_LOG_LEVEL) or "INFO").upper())
        #: the one handler, writing to stdout (tests point it elsewhere with `setStream`)
        self.registered_handler = logging.StreamHandler(stream or _Stdout())
        self.registered_handler.setFormatter(JsonFormatter(service, lambda: self._keys))
        self._logger.handlers = [self.registered_handler]
        self._cold_start = True

    def debug(self, message: str, **kwargs: Any) -> None:
        self._logger.debug(message, stacklevel=2, **kwargs)

    def info(self, message: str, **kwargs: Any) -> None:
        self._logger.info(message, stacklevel=2, **kwargs)

    def warning(self, message: str, **kwargs: Any) -> None:
        self._logger.warning(message, stacklevel=2, **kwargs)

    def error(self, message: str, **kwargs: Any) -> None:
        self._logger.error(message, stacklevel=2, **kwargs)

    def exception(self, message: str, **kwargs: Any) -> None:
        self._logger.exception(message, stacklevel=2, **kwargs)

    def append_keys(self, **keys: Any) -> None:
        self._keys.update(keys)

    def inject_lambda_context(self, *, clear_state: bool = True) -> Callable[[Handler], Handler]:
        """Put the invocation's context on every line; `clear_state`: drop the last one's keys first."""

        def decorate(handler: Handler) -> Handler:
            @functools.wraps(handler)
            def wrapped(event: Any, context: Any) -> Any:
                if clear_state:
                    self._keys.clear()
                self._keys.update(
                    cold_start=self._cold_start,
                    function_name=getattr(context, "function_name", None),
                    function_memory_size=getattr(context, "memory_limit_in_mb", None),
                    function_arn=getattr(context, "invoked_function_arn", None),
                    function_request_id=getattr(context, "aws_request_id", None),
                )
                self._cold_start = False
                return handler(event, context)

            return wrapped  # type: ignore[return-value]

        return decorate


def _trace_id() -> str | None:
    """`1-5759e988-bd862e3fe1be46a994272793` of Lambda's `Root=…;Parent=…;Sampled=…` header."""
    header = os.environ.get(ENV_TRACE_ID, "")
    return header.partition("Root=")[2].partition(";")[0] or None


def emit_metric(
    name: str, value: float, namespace: str, dimensions: Mapping[str, str] | None = None, unit: str = "Count"
) -> None:
    """One EMF line on stdout, as Powertools' `single_metric` writes it: flushed at once."""
    dimensions = dimensions or {}
    service = os.environ.get(ENV_SERVICE, "")
    names = [*dimensions, *(["service"] if service else [])]
    line = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {"Namespace": namespace, "Dimensions": [names], "Metrics": [{"Name": name, "Unit": unit}]}
            ],
        },
        **dimensions,
        **({"service": service} if service else {}),
        name: [float(value)],
    }
    print(json.dumps(line, separators=(",", ":")), flush=True)
