"""A one-line progress bar on stderr, redrawn in place; silent when stderr is not a terminal."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

WIDTH = 30


class ProgressBar:
    """`advance()` once per item; `close()` ends the line. Redraws at most ten times a second."""

    def __init__(
        self,
        total: int,
        label: str = "",
        stream: TextIO | None = None,
        *,
        enabled: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.done = 0
        self.label = label
        self._stream = stream or sys.stderr
        self._enabled = self._stream.isatty() if enabled is None else enabled
        self._clock = clock
        self._started = clock()
        self._drawn_at = -1.0
        self._lock = threading.Lock()

    def advance(self, count: int = 1) -> None:
        with self._lock:  # a sweep advances it from several threads
            self.done += count
            now = self._clock()
            if self.done >= self.total or now - self._drawn_at >= 0.1:
                self._draw(now)

    def close(self) -> None:
        if self._enabled and self.total:
            self._draw(self._clock())
            self._stream.write("\n")
            self._stream.flush()

    def line(self, now: float) -> str:
        """The bar as text, e.g. `[######------] 50/100 findings 12.5/s`."""
        fraction = self.done / self.total if self.total else 1.0
        filled = round(WIDTH * min(fraction, 1.0))
        elapsed = max(now - self._started, 1e-9)
        rate = f" {self.done / elapsed:.1f}/s" if self.done else ""
        return f"[{'#' * filled}{'-' * (WIDTH - filled)}] {self.done}/{self.total} {self.label}{rate}"

    def _draw(self, now: float) -> None:
        if not self._enabled:
            return
        self._drawn_at = now
        self._stream.write("\r" + self.line(now))
        self._stream.flush()
