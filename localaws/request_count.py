"""Count the requests a moto server answers, by AWS operation, whoever sent them.

A botocore hook (`localaws.recorder`) sees only the calls of the process it is installed in;
benchmarks that compare our CLI with another tool (Cloud Custodian, in its own virtualenv)
need the count from the server's side. `count_requests(server)` wraps the WSGI application of
a running `ThreadedMotoServer`; moto's own `/moto-api/` calls are not counted.
"""

from __future__ import annotations

import io
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from moto.server import ThreadedMotoServer

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")


class RequestCounter:
    """WSGI middleware: one count per request, keyed `service Operation` (S3: `s3 GET ?encryption`)."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not str(environ.get("PATH_INFO", "")).startswith("/moto-api"):
            operation = _operation(environ)
            with self._lock:
                self._counts[operation] += 1
        return self.app(environ, start_response)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def counts(self) -> Counter[str]:
        with self._lock:
            return Counter(self._counts)


def count_requests(server: ThreadedMotoServer) -> RequestCounter:
    """Count from now on every request `server` (started) answers."""
    wsgi = server._server  # moto keeps its werkzeug server private; it serves `wsgi.app`
    assert wsgi is not None, "start the server first"
    counter = RequestCounter(wsgi.app)
    wsgi.app = counter
    return counter


def _operation(environ: dict[str, Any]) -> str:
    scope = SCOPE.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    service = scope.group(1) if scope else "?"
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:  # JSON protocols: `Service_2017.Operation`
        return f"{service} {str(target).rsplit('.', 1)[-1]}"
    method = environ.get("REQUEST_METHOD", "")
    if method == "POST" and str(environ.get("CONTENT_TYPE", "")).startswith("application/x-www-form"):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)  # the application reads it again
        action = parse_qs(body.decode("utf-8", "replace")).get("Action", ["?"])[0]
        return f"{service} {action}"
    query = str(environ.get("QUERY_STRING", ""))
    subresource = query.split("&", 1)[0].split("=", 1)[0] if query else ""
    path = str(environ.get("PATH_INFO", "/"))
    if service == "s3":
        return f"s3 {method} {'?' + subresource if subresource else ('/' if path == '/' else 'bucket')}"
    return f"{service} {method} {path.split('/')[1] if path.count('/') else path}"
