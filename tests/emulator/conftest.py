"""Fixtures for testing the emulator in-process, through ``httpx.ASGITransport``.

``api`` wraps the client with the few calls most tests repeat; a test shapes
the emulator by overriding the ``config`` fixture (for instance with
``pytest.mark.parametrize("config", [...], indirect=True)`` or a module-level
fixture of the same name).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from emulator_helpers import Api
from starlette.applications import Starlette

from a7desktop.emulator import EmulatorConfig, EmulatorState, create_app


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig()


@pytest.fixture
def app(config: EmulatorConfig) -> Starlette:
    return create_app(config)


@pytest.fixture
def state(app: Starlette) -> EmulatorState:
    emulator: EmulatorState = app.state.emulator
    return emulator


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://emulator.test"
    ) as http:
        yield http


@pytest.fixture
def api(client: httpx.AsyncClient, state: EmulatorState) -> Api:
    return Api(client, state)
