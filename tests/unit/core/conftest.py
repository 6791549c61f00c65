"""Fixtures for the service layer's unit tests.

Engines here talk to the real emulator in-process (``httpx.ASGITransport``),
keep secrets in a :class:`MemoryVault` and read a :class:`FakeClock`, so a
test can move time for both sides and nothing touches the network or the
keyring.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from core_unit_helpers import FAST, SERVER, Emulator, FakeClock

from a7desktop.core.api import ApiClient
from a7desktop.core.config import Profile, resolve_profile
from a7desktop.core.engine import SessionEngine
from a7desktop.core.fingerprint import device_fingerprint
from a7desktop.core.vault import MemoryVault


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
