"""The emulator's settable clock.

Every lifetime the emulator checks (access tokens, refresh families, app
passwords, rate-limit windows, lockouts, Google codes) is measured on this
clock, so a test moves the server hours ahead without waiting. Delays of the
fault injector use real time: they exist to make a client wait.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


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
