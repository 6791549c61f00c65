"""Fixtures for driving the real ``a7desktop`` command against the emulator.

Each command runs as its own process (``python -m a7desktop``), as a tool
would start it, over real loopback HTTP, with the real keyring on the test
session's private bus.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import Cli

from a7desktop.emulator import EmulatorConfig, EmulatorServer


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    """Lifetimes of the guide; tests that need short ones override this."""
    return EmulatorConfig()


@pytest.fixture
def emulator(emulator_config: EmulatorConfig) -> Iterator[EmulatorServer]:
    with EmulatorServer(emulator_config) as server:
        yield server


@pytest.fixture
def cli(emulator: EmulatorServer, a7home: Path) -> Iterator[Cli]:
    runner = Cli(emulator, f"t{uuid.uuid4().hex[:12]}", a7home)
    yield runner
    # Leave nothing in the shared test keyring for the next test.
    runner.run("logout")
