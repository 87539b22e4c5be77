"""A moto server with the AWS test doubles installed, for code that talks to AWS over HTTP.

``python -m localaws.server --port 5000`` serves on loopback in the foreground until
Ctrl-C/SIGTERM and prints the endpoint URL first, so scripts and the SAM/Lambda local tools can
point ``endpoint_url`` at it. :func:`start_server` does the same in-process (a daemon thread), which
lets a test inspect moto's state directly, e.g. with
:func:`localaws.doubles.config_double.started_config_evaluations`. A separate server process has its
own state: such helpers only see it in-process.
"""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Iterable, Sequence
from types import FrameType

import moto.backends
from moto.server import ThreadedMotoServer

from localaws.doubles.moto_patches import install_aws_doubles

LOOPBACK = "127.0.0.1"


def start_server(port: int = 0, host: str = LOOPBACK) -> tuple[ThreadedMotoServer, str]:
    """Install the doubles, start a threaded moto server and return it with its endpoint URL.

    ``port=0`` lets the OS pick a free port (no race between choosing and binding). Call
    ``server.stop()`` when done. All servers in one process share moto's global state.
    """
    install_aws_doubles()
    list_moto_modules_once()
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    bound_host, bound_port = server.get_host_and_port()
    return server, f"http://{bound_host}:{bound_port}"


def list_moto_modules_once() -> None:
    """moto's server lists its own package directory on every request to route it (a `listdir` and
    ~250 `stat` calls, `moto.backends.list_of_moto_modules`); the list cannot change while the
    server runs, so it is read once. Same routing, about a millisecond less server time a request,
    which every client of the local AWS gets alike (tests, the demo, both sides of the benchmarks).
    """
    listed = getattr(moto.backends.list_of_moto_modules, "listed", None)
    if listed is None:
        listed = tuple(moto.backends.list_of_moto_modules())

        def list_of_moto_modules() -> Iterable[str]:
            return listed

        list_of_moto_modules.listed = listed  # type: ignore[attr-defined]
        moto.backends.list_of_moto_modules = list_of_moto_modules


def main(argv: Sequence[str] | None = None) -> None:
    """Run until interrupted; the endpoint URL is the first line on stdout."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True, help="TCP port (0 picks a free one)")
    parser.add_argument("--host", default=LOOPBACK, help="address to bind (default: loopback)")
    args = parser.parse_args(argv)
    server, endpoint_url = start_server(args.port, args.host)
    print(endpoint_url, flush=True)
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    stop.wait()
    server.stop()


if __name__ == "__main__":
    main()
