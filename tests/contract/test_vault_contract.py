"""One contract, two vaults: the in-memory fake and the real OS keyring.

The real one runs against the private gnome-keyring that ``scripts/run-tests``
starts; each test uses its own keyring service name, so items never collide.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from types import SimpleNamespace

import pytest

from a7desktop.core.models import Organization, StoredSession
from a7desktop.core.vault import MemoryVault, Vault

ACCESS = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.contract-signature"


def session(
    profile: str = "default", refresh: str | None = "rt-contract-1"
) -> StoredSession:
    return StoredSession(
        server="https://api.agent700.ai/api",
        profile=profile,
        email="a@example.com",
        auth_type="password",
        access_token=ACCESS,
        refresh_token=refresh,
        issued_at=1000.0,
        expires_at=29800.0,
        organization=Organization("org-1", "Public", "consumer"),
        organizations=(Organization("org-1", "Public", "consumer"),),
    )


@pytest.fixture(params=["memory", pytest.param("keyring", marks=pytest.mark.keyring)])
def vault(request: pytest.FixtureRequest) -> Iterator[MemoryVault | Vault]:
    if request.param == "memory":
        yield MemoryVault()
        return
    real = Vault(service=f"a7desktop-contract-{uuid.uuid4().hex[:8]}")
    assert real.storage().persistent, real.storage().reason
    yield real
    real.close()


async def test_no_session_is_none(vault: MemoryVault | Vault) -> None:
    assert await vault.load_session("default") is None
    assert vault.load_session_sync("default") is None


async def test_session_round_trip_and_replace(vault: MemoryVault | Vault) -> None:
    first = session()
    await vault.save_session(first)
    assert await vault.load_session("default") == first

    second = replace(first, refresh_token="rt-contract-2", issued_at=2000.0)
    await vault.save_session(second)
    assert await vault.load_session("default") == second
    assert vault.load_session_sync("default") == second
    assert await vault.load_session(SimpleNamespace(name="default")) == second


async def test_sessions_are_per_profile(vault: MemoryVault | Vault) -> None:
    await vault.save_session(session("work"))
    await vault.save_session(session("home", refresh=None))
    assert (await vault.load_session("home")).refresh_token is None  # type: ignore[union-attr]
    await vault.delete_session("work")
    assert await vault.load_session("work") is None
    assert await vault.load_session("home") is not None


async def test_deleting_what_is_not_there_is_fine(vault: MemoryVault | Vault) -> None:
    await vault.delete_session("nobody")
    await vault.delete_secret("app_password", "nothing")


async def test_kept_secrets_with_their_index(vault: MemoryVault | Vault) -> None:
    assert await vault.list_secret_names("app_password") == []
    await vault.set_secret("app_password", "default/p1", "secret-one")
    await vault.set_secret("app_password", "default/p2", "secret-two")
    await vault.set_secret("app_password", "default/p1", "secret-one-b")
    await vault.set_secret("mcp_key", "default", "mcp-secret")

    assert await vault.list_secret_names("app_password") == ["default/p1", "default/p2"]
    assert await vault.get_secret("app_password", "default/p1") == "secret-one-b"
    assert await vault.list_secret_names("mcp_key") == ["default"]

    await vault.delete_secret("app_password", "default/p1")
    assert await vault.get_secret("app_password", "default/p1") is None
    assert await vault.list_secret_names("app_password") == ["default/p2"]


async def test_unknown_secret_kinds_are_refused(vault: MemoryVault | Vault) -> None:
    with pytest.raises(ValueError, match="unknown secret kind"):
        await vault.set_secret("password", "x", "y")


async def test_storage_says_whether_secrets_persist(vault: MemoryVault | Vault) -> None:
    info = await vault.open()
    assert info == vault.storage()
    assert info.persistent is isinstance(vault, Vault)
    assert info.backend
