"""Fixtures for the service layer's unit tests.

Engines here talk to the real emulator in-process (``httpx.ASGITransport``),
keep secrets in a :class:`MemoryVault` and read a :class:`FakeClock`, so a
test can move time for both sides and nothing touches the network or the
keyring.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from a7desktop.core.api import ApiClient
from a7desktop.core.config import Profile, resolve_profile
from a7desktop.core.engine import SessionEngine
from a7desktop.core.fingerprint import device_fingerprint
from a7desktop.core.retry import Backoff
from a7desktop.core.vault import MemoryVault
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


@pytest.fixture
def no_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the policy file at a path that does not exist (yet)."""
    path = tmp_path / "policy.json"
    monkeypatch.setenv("A7DESKTOP_POLICY_FILE", str(path))
    return path


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def profile(a7home: Path, no_policy: Path) -> Profile:
    return resolve_profile("default", SERVER)


class Emulator:
    """An in-process emulator whose clock can move with the engine's."""

    def __init__(self, **config: Any) -> None:
        self.app = create_app(EmulatorConfig(**config))
        self.state: EmulatorState = self.app.state.emulator

    def transport(self) -> httpx.ASGITransport:
        return httpx.ASGITransport(app=self.app)

    def rotated(self) -> list[str]:
        return [a.outcome for a in self.state.refresh_log]


@pytest.fixture
def emulator() -> Emulator:
    return Emulator()


@pytest.fixture
async def make_engine(
    profile: Profile, clock: FakeClock, emulator: Emulator
) -> AsyncIterator[Callable[..., SessionEngine]]:
    """Build engines on the same emulator, clock and (by default) one MemoryVault."""
    engines: list[SessionEngine] = []
    shared = MemoryVault()

    def make(
        *,
        vault: Any = None,
        api: Any = None,
        target: Emulator | None = None,
        the_profile: Profile | None = None,
        **kwargs: Any,
    ) -> SessionEngine:
        chosen = the_profile or profile
        client = api or ApiClient(
            chosen.server,
            device_fingerprint(chosen.settings),
            transport=(target or emulator).transport(),
            backoff=FAST,
            sleep=lambda s: asyncio.sleep(0),
        )
        kwargs.setdefault("backoff", FAST)
        engine = SessionEngine(
            chosen,
            client,
            vault if vault is not None else shared,
            clock=clock,
            **kwargs,
        )
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.aclose()
