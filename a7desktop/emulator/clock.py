"""The emulator's settable clock.

Every lifetime the emulator checks (access tokens, refresh families, app
passwords, rate-limit windows, lockouts, Google codes) is measured on this
clock, so a test moves the server hours ahead without waiting. Delays of the
fault injector use real time: they exist to make a client wait.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import formatdate
from typing import Any


class Clock:
    """Wall-clock time plus an offset that tests control (thread-safe)."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Server time in epoch seconds."""
        with self._lock:
            return time.time() + self._offset

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset

    def advance(self, seconds: float) -> None:
        """Move the server's time forward (or back, if negative)."""
        with self._lock:
            self._offset += seconds

    def set_offset(self, seconds: float) -> None:
        """Put the server's time ``seconds`` away from the real wall clock."""
        with self._lock:
            self._offset = seconds


def iso(epoch: float) -> str:
    """Format epoch seconds the way the API does: ISO 8601 in UTC with ``Z``."""
    moment = datetime.fromtimestamp(epoch, UTC).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")


class DateHeaderMiddleware:
    """Send the ``Date`` header from the emulator's clock, not the host's.

    A client compares it with its own clock (``a7desktop doctor`` reports the
    offset), so a test that moves the server's clock must move this too. The
    HTTP server's own ``Date`` is switched off where the app is served.
    """

    def __init__(self, app: Any, clock_of: Callable[[], Clock]) -> None:
        self.app = app
        self._clock_of = clock_of

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_date(message: Any) -> None:
            if message["type"] == "http.response.start":
                date = formatdate(self._clock_of().now(), usegmt=True).encode()
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != b"date"
                ]
                message = {**message, "headers": [*headers, (b"date", date)]}
            await send(message)

        await self.app(scope, receive, send_with_date)
