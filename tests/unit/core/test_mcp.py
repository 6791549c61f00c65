"""The MCP API key: kept in the vault, tested against the service."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from core_unit_helpers import Emulator

from a7desktop.core.engine import SessionEngine
from a7desktop.core.errors import BadCredentials, InvalidInput, NotFound
from a7desktop.core.mcp import McpKey
from a7desktop.core.vault import MemoryVault

MakeEngine = Callable[..., SessionEngine]


async def test_set_get_test_and_delete(
    make_engine: MakeEngine, emulator: Emulator
) -> None:
    engine = make_engine()
    key = McpKey(engine, "http://127.0.0.1:8700/mcp")
    with pytest.raises(NotFound, match="mcp-key set"):
        await key.get()

    await key.set(f"  {emulator.state.config.mcp_api_key}\n")
    assert await key.get() == emulator.state.config.mcp_api_key
    assert await key.test() == 2
    assert await key.delete() is True
    assert await key.delete() is False


async def test_a_wrong_key_is_refused_by_the_service(make_engine: MakeEngine) -> None:
    engine = make_engine()
    key = McpKey(engine.vault, "http://127.0.0.1:8700/mcp", engine.api, profile="x")
    await key.set("wrong-key")
    with pytest.raises(BadCredentials, match="refused the API key"):
        await key.test()


@pytest.mark.parametrize("text", ["", "   ", "two words", "line\nbreak", "k" * 5000])
async def test_implausible_keys_are_refused(make_engine: MakeEngine, text: str) -> None:
    key = McpKey(make_engine(vault=MemoryVault()), "http://127.0.0.1:8700/mcp")
    with pytest.raises(InvalidInput):
        await key.set(text)


async def test_keys_are_per_profile(make_engine: MakeEngine) -> None:
    engine = make_engine()
    await McpKey(engine.vault, engine.profile.mcp_url, engine.api, profile="a").set(
        "ka"
    )
    other = McpKey(engine.vault, engine.profile.mcp_url, engine.api, profile="b")
    with pytest.raises(NotFound):
        await other.get()
