"""The session engine against the emulator over real loopback HTTP and the real
Secret Service (the private gnome-keyring that ``scripts/run-tests`` starts).

Each test gets its own emulator, its own throwaway home and its own profile
name, so keyring items of one test never meet another's; a fixture removes
the stored session afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from a7desktop.core.config import Profile, resolve_profile
from a7desktop.core.engine import SessionEngine, open_engine
from a7desktop.core.errors import VaultError
from a7desktop.core.retry import Backoff
from a7desktop.core.vault import Vault
from a7desktop.emulator import EmulatorConfig, EmulatorServer

pytestmark = pytest.mark.keyring


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig()


@pytest.fixture
def server(emulator_config: EmulatorConfig) -> Iterator[EmulatorServer]:
    with EmulatorServer(emulator_config) as running:
        yield running


@pytest.fixture
def profile_name() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def profile(
    a7home: Path,
    server: EmulatorServer,
    profile_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Profile]:
    monkeypatch.setenv("A7DESKTOP_POLICY_FILE", str(tmp_path / "no-policy.json"))
    yield resolve_profile(profile_name, server.url)
    cleanup = Vault()
    # A failed test may leave the keyring locked; the cleanup must not hide that.
    with contextlib.suppress(VaultError):
        asyncio.run(cleanup.delete_session(profile_name))
    cleanup.close()


@pytest.fixture
async def make_engine(profile: Profile) -> AsyncIterator[Callable[..., SessionEngine]]:
    """Engines on the real HTTP client and keyring; all closed afterwards."""
    engines: list[SessionEngine] = []

    def make(**kwargs: Any) -> SessionEngine:
        kwargs.setdefault("backoff", Backoff(base=0.05, cap=0.2))
        engine = open_engine(kwargs.pop("the_profile", profile), **kwargs)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.aclose()


@pytest.fixture
def keyring_password() -> str:
    return os.environ["A7_TEST_KEYRING_PASSWORD"]
