"""The real Secret Service: locked, slow, never a secret outside it (R23-R26, R29)."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import secretstorage
from jeepney import DBusAddress, new_method_call
from keyring.backends.SecretService import Keyring as SecretServiceKeyring
from secretstorage.util import format_secret, open_session

from a7desktop.core.app_passwords import AppPasswords
from a7desktop.core.engine import SessionEngine
from a7desktop.core.errors import VaultLocked
from a7desktop.core.mcp import McpKey
from a7desktop.core.vault import Vault
from a7desktop.emulator import EmulatorServer

MakeEngine = Callable[..., SessionEngine]


def lock_keyring() -> None:
    connection = secretstorage.dbus_init()
    secretstorage.get_default_collection(connection).lock()
    connection.close()


def unlock_keyring(password: str) -> None:
    """Unlock without a prompt, through gnome-keyring's own unlock call."""
    connection = secretstorage.dbus_init()
    collection = secretstorage.get_default_collection(connection)
    session = open_session(connection)
    address = DBusAddress(
        "/org/freedesktop/secrets",
        bus_name="org.freedesktop.secrets",
        interface="org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
    )
    secret = format_secret(session, password.encode(), "text/plain")
    connection.send_and_get_reply(
        new_method_call(
            address,
            "UnlockWithMasterPassword",
            "o(oayays)",
            (collection.collection_path, secret),
        )
    )
    assert not collection.is_locked()
    connection.close()


@pytest.fixture
def relock(keyring_password: str) -> Iterator[None]:
    """Whatever the test does, the keyring is unlocked again afterwards."""
    yield
    unlock_keyring(keyring_password)


async def test_a_locked_keyring_is_never_taken_for_no_session_and_nothing_is_deleted(
    make_engine: MakeEngine, keyring_password: str, relock: None
) -> None:
    """R24: start reports the lock, sign-out cannot delete, the item survives."""
    first = make_engine()
    await first.start(schedule_refresh=False)
    from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD

    session = await first.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)
    lock_keyring()

    second = make_engine()
    with pytest.raises(VaultLocked, match="locked"):
        await second.start(schedule_refresh=False)
    assert second.session is None
    assert second.storage.persistent is False
    with pytest.raises(VaultLocked):
        await second.access_token()
    with pytest.raises(VaultLocked):
        await first.sign_out()
    assert first.session is None  # wiped from memory all the same
    with pytest.raises(VaultLocked):
        Vault().load_session_sync(first.profile.name)

    unlock_keyring(keyring_password)
    assert await Vault().load_session(first.profile.name) == session


async def test_a_sign_in_while_the_keyring_is_locked_stays_in_memory(
    make_engine: MakeEngine, keyring_password: str, relock: None
) -> None:
    """R24: nothing persisted, and the engine says why."""
    lock_keyring()
    engine = make_engine()
    with pytest.raises(VaultLocked):
        await engine.start(schedule_refresh=False)
    from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD

    await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)
    assert engine.storage.persistent is False
    assert "locked" in (engine.storage.reason or "")
    unlock_keyring(keyring_password)
    assert await Vault().load_session(engine.profile.name) is None


class SlowSecretService:
    """The real Secret Service, five seconds late (an unlock prompt).

    A wrapper, not a subclass: keyring adopts every backend subclass it sees.
    """

    priority = 5
    name = "slow Secret Service (test)"

    def __init__(self) -> None:
        self._real = SecretServiceKeyring()

    def get_password(self, service: str, username: str) -> Any:
        time.sleep(5)
        return self._real.get_password(service, username)


async def test_a_five_second_keyring_call_does_not_block_the_loop(
    make_engine: MakeEngine,
) -> None:
    """R29."""
    engine = make_engine(vault=Vault(backend=SlowSecretService()))
    starting = asyncio.create_task(engine.start(schedule_refresh=False))
    other_work = asyncio.create_task(asyncio.sleep(0.1, result="done"))

    assert await other_work == "done"
    assert not starting.done()
    await starting
    assert engine.session is None


def files_under(*roots: Path) -> Iterator[Path]:
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                yield path


async def test_no_secret_reaches_a_file_or_a_log_line(
    make_engine: MakeEngine,
    server: EmulatorServer,
    a7home: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """R23/R26: marker secrets appear in no file written and no log record."""
    password = "Marker-Password-7f3a9c"
    server.state.add_user("marker@example.com", password)
    caplog.set_level(logging.DEBUG)

    engine = make_engine()
    await engine.start(schedule_refresh=False)
    session = await engine.sign_in_password("marker@example.com", password)
    await engine.refresh()
    created = await AppPasswords(engine).create("marker")
    await engine.sign_in_app_password(created.token)
    mcp = McpKey(engine)
    await mcp.set(server.state.config.mcp_api_key)
    await mcp.test()
    final = engine.session
    assert final is not None

    secrets = {
        password,
        session.access_token,
        session.refresh_token or "",
        created.token,
        final.access_token,
        server.state.config.mcp_api_key,
    }
    secrets.discard("")
    for path in files_under(a7home, tmp_path):
        content = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in content, f"a secret is in {path}"
    log_text = "\n".join(
        record.getMessage() + (record.exc_text or "") for record in caplog.records
    )
    for secret in secrets:
        assert secret not in log_text
        assert secret not in repr(engine.session)
    assert caplog.records, "debug logging was on; some lines were expected"

    stored = await Vault().load_session(engine.profile.name)
    assert stored == final, "the secrets do live in the keyring"


async def test_truststore_honours_a_ca_installed_for_the_system(
    a7home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A corporate CA in the system store (here SSL_CERT_FILE) is trusted."""
    from a7desktop.core.api import ApiClient
    from a7desktop.core.errors import ServerUnavailable
    from a7desktop.core.fingerprint import device_fingerprint
    from a7desktop.emulator import EmulatorConfig

    with EmulatorServer(EmulatorConfig(), tls=True) as tls_server:
        assert tls_server.ca_pem is not None
        untrusted = ApiClient(tls_server.url, device_fingerprint())
        with pytest.raises(ServerUnavailable, match="not trusted"):
            await untrusted.heartbeat()
        await untrusted.aclose()

        ca_file = tmp_path / "corporate-ca.pem"
        ca_file.write_bytes(tls_server.ca_pem)
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
        trusted = ApiClient(tls_server.url, device_fingerprint())
        assert await trusted.heartbeat() >= 0
        await trusted.aclose()
    assert os.environ["SSL_CERT_FILE"] == str(ca_file)
