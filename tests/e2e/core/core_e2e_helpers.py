"""Helpers shared by the service layer's end-to-end tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from a7desktop.emulator import EmulatorServer


class OffsetClock:
    """The real wall clock plus an offset a test can jump (a suspend, a wrong clock).

    Sleeping is real ``asyncio`` sleeping, which does not see the jumps: just
    like a laptop waking from suspend.
    """

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(seconds, 0.0))


async def eventually(predicate: Callable[[], bool], within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.01)


def outcomes(server: EmulatorServer) -> list[str]:
    return [attempt.outcome for attempt in server.state.refresh_log]
