"""Backend choice, locked and slow keyrings, size limits (R24, R25, R29)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from keyring.errors import KeyringLocked

from a7desktop.core.errors import SecretTooLarge, VaultLocked, VaultTimeout
from a7desktop.core.keyring_backend import choose_backend
from a7desktop.core.models import StoredSession
from a7desktop.core.vault import MemoryVault, Vault


class DictBackend:
    """A secure-looking backend holding items in a dict.

    Not a ``KeyringBackend`` subclass on purpose: keyring registers every
    subclass it sees and could pick this one as the whole test run's keyring.
    """

    priority = 5
    name = "dict (test)"

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}
        self.locked = False
        self.delay = 0.0
        self.deleted: list[str] = []

    def _gate(self) -> None:
        if self.delay:
            time.sleep(self.delay)
        if self.locked:
            raise KeyringLocked("Failed to unlock the collection!")

    def get_password(self, service: str, username: str) -> str | None:
        self._gate()
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._gate()
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._gate()
        self.deleted.append(username)
        del self.items[(service, username)]


class PlaintextBackend(DictBackend):
    priority = 0.5


class WindowsLike(DictBackend):
    pass


WindowsLike.__module__ = "keyring.backends.Windows"


class Chainer:
    """keyring's chainer shape: a list of backends in priority order."""

    def __init__(self, *backends: object) -> None:
        self.backends = list(backends)


def session(access: str = "eyJhbGciOiJIUzI1NiJ9.e30.sig") -> StoredSession:
    return StoredSession(
        server="https://api.agent700.ai/api",
        profile="default",
        email="a@example.com",
        auth_type="password",
        access_token=access,
        refresh_token="rt-unit-1",
        issued_at=1.0,
        expires_at=2.0,
    )


def test_the_fail_backend_means_memory_only_with_a_reason() -> None:
    """R24: no keyring, nothing persisted, and the reason is given."""
    from keyring.backends.fail import Keyring as FailKeyring

    vault = Vault(backend=FailKeyring())
    info = vault.storage()
    assert info.persistent is False
    assert info.reason is not None
    assert "no secure keyring" in info.reason
    vault.close()


async def test_an_insecure_backend_is_never_written_to() -> None:
    """R24: a plaintext backend gets nothing, not even as a fallback."""
    backend = PlaintextBackend()
    vault = Vault(backend=backend)
    await vault.save_session(session())
    assert backend.items == {}
    assert await vault.load_session("default") == session()  # in memory
    assert vault.storage().persistent is False
    vault.close()


def test_a_chain_uses_its_secure_member_directly() -> None:
    secure = DictBackend()
    assert choose_backend(Chainer(PlaintextBackend(), secure)).backend is secure
    only_insecure = choose_backend(Chainer(PlaintextBackend()))
    assert only_insecure.backend is None
    assert only_insecure.reason is not None


async def test_a_locked_keyring_raises_and_deletes_nothing() -> None:
    """R24: locked is never "absent", and nothing is removed because of it."""
    backend = DictBackend()
    vault = Vault(backend=backend)
    await vault.save_session(session())
    backend.locked = True

    with pytest.raises(VaultLocked, match="locked"):
        await vault.load_session("default")
    with pytest.raises(VaultLocked):
        vault.load_session_sync("default")
    with pytest.raises(VaultLocked):
        await vault.delete_session("default")
    assert backend.deleted == []
    backend.locked = False
    assert await vault.load_session("default") == session()
    vault.close()


async def test_a_slow_keyring_does_not_block_the_event_loop() -> None:
    """R29: while a keyring call waits (an unlock prompt), the loop keeps running."""
    backend = DictBackend()
    vault = Vault(backend=backend)
    await vault.open()
    backend.delay = 1.0
    loading = asyncio.create_task(vault.load_session("default"))

    other_work_done = asyncio.Event()
    asyncio.get_running_loop().call_soon(other_work_done.set)
    await asyncio.wait_for(other_work_done.wait(), 5)
    assert not loading.done(), "the keyring call should still be waiting"
    assert await loading is None
    assert threading.current_thread() is threading.main_thread()
    vault.close()


async def test_a_keyring_that_never_answers_times_out_as_locked() -> None:
    """R29: a call has a deadline; the timeout is a VaultLocked, never "absent"."""
    backend = DictBackend()
    vault = Vault(backend=backend, timeout=0.2)
    await vault.open()
    backend.delay = 1.0
    with pytest.raises(VaultTimeout, match=r"did not answer within 0\.2 s") as caught:
        await vault.load_session("default")
    assert isinstance(caught.value, VaultLocked)
    vault.close()


async def test_keyring_calls_run_on_one_worker_thread() -> None:
    seen: set[str] = set()

    class Recording(DictBackend):
        def get_password(self, service: str, username: str) -> str | None:
            seen.add(threading.current_thread().name)
            return super().get_password(service, username)

    vault = Vault(backend=Recording())
    await asyncio.gather(*(vault.load_session(f"p{i}") for i in range(10)))
    vault.load_session_sync("sync")
    assert seen == {"a7desktop-vault"}
    vault.close()


async def test_secrets_too_large_for_the_platform_are_refused_not_truncated() -> None:
    """R25: Windows Credential Manager takes 2,560 bytes (UTF-16)."""
    backend = WindowsLike()
    vault = Vault(backend=backend)
    big = session(access="eyJhbGciOiJIUzI1NiJ9." + "a" * 1400 + ".sig")
    with pytest.raises(SecretTooLarge, match="was not stored"):
        await vault.save_session(big)
    with pytest.raises(SecretTooLarge):
        await vault.set_secret("mcp_key", "default", "k" * 1281)
    assert backend.items == {}
    await vault.set_secret("mcp_key", "default", "k" * 1280)
    assert await vault.get_secret("mcp_key", "default") == "k" * 1280
    vault.close()


async def test_memory_vault_can_imitate_a_size_limit() -> None:
    vault = MemoryVault(max_secret_bytes=10)
    with pytest.raises(SecretTooLarge):
        await vault.set_secret("mcp_key", "default", "x" * 11)


async def test_an_unreadable_index_is_rebuilt_not_fatal() -> None:
    backend = DictBackend()
    vault = Vault(backend=backend, service="svc")
    backend.items[("svc", "index:mcp_key")] = "{not a list"
    assert await vault.list_secret_names("mcp_key") == []
    await vault.set_secret("mcp_key", "default", "k")
    assert await vault.list_secret_names("mcp_key") == ["default"]
    vault.close()
