"""The clock the session engine reads, passed in so tests can move time.

Expiry is measured on the wall clock (``time()``), because a suspended laptop
stops ``asyncio``'s monotonic timers but not the wall clock: after waking,
comparing against the wall clock shows at once that a token expired.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    """Wall-clock time and a way to wait."""

    def time(self) -> float:
        """Seconds since the epoch, as the local wall clock says."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (at most; a fake clock may return early)."""
        ...


class SystemClock:
    """The real clock: ``time.time`` and ``asyncio.sleep``."""

    def time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(seconds, 0.0))
