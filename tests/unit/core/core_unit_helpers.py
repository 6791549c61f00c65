"""Fakes and helpers shared by the service layer's unit tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx

from a7desktop.core.retry import Backoff
from a7desktop.emulator import EmulatorConfig, create_app
from a7desktop.emulator.state import EmulatorState

SERVER = "http://127.0.0.1:8700/api"
FAST = Backoff(base=0.01, cap=0.05)


class FakeClock:
    """A wall clock that moves only when told; sleepers wake when it passes them."""

    def __init__(self, now: float | None = None) -> None:
        self.now = time.time() if now is None else now
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (self.now + seconds, waiter)
        self._sleepers.append(entry)
        try:
            await waiter
        finally:
            self._sleepers.remove(entry)

    def advance(self, seconds: float) -> None:
        self.now += seconds
        for deadline, waiter in list(self._sleepers):
            if deadline <= self.now and not waiter.done():
                waiter.set_result(None)


async def eventually(predicate: Callable[[], bool], within: float = 10.0) -> None:
    """Let the loop run until ``predicate()`` holds (fails after ``within`` s)."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.002)


async def settle(rounds: int = 50) -> None:
    """Give every ready task a chance to run."""
    for _ in range(rounds):
        await asyncio.sleep(0)


class Emulator:
    """An in-process emulator whose clock can move with the engine's."""

    def __init__(self, **config: Any) -> None:
        self.app = create_app(EmulatorConfig(**config))
        self.state: EmulatorState = self.app.state.emulator

    def transport(self) -> httpx.ASGITransport:
        return httpx.ASGITransport(app=self.app)

    def rotated(self) -> list[str]:
        return [a.outcome for a in self.state.refresh_log]
