"""Bugs this suite found in the program: regression tests once fixed.

Every test here states the behaviour ../shared/RELIABILITY.md (or the code's
own contract) asks for. A bug not yet fixed is pinned by a strict xfail
mark whose reason says where it is; ``strict`` makes a fix visible (the run
fails on the XPASS) so the mark comes off. The fixed ones stay as they are:
each once failed for the reason its name gives.
"""

from __future__ import annotations

import asyncio
import ssl
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from bad_input import jwt
from cli_driver import CliSession
from cli_helpers import Cli
from keyring_lock import locked_keyring
from pytestqt.qtbot import QtBot
from server_view import accepts
from ui_harness import Ui, make_profile, run, sign_in
from window_driver import WindowRows, each_row

from a7desktop.core.api import ApiClient
from a7desktop.core.config import resolve_profile
from a7desktop.core.engine import SessionEngine
from a7desktop.core.errors import A7Error, InvalidInput
from a7desktop.core.fingerprint import device_fingerprint
from a7desktop.core.models import normalize_app_password
from a7desktop.core.policy import load_policy
from a7desktop.core.vault import MemoryVault, Vault
from a7desktop.emulator import DEMO_EMAIL, EmulatorServer
from a7desktop.ui.context import StartOptions
from a7desktop.ui.shell import Shell

pytestmark = pytest.mark.reliability_finding

SERVER = "http://127.0.0.1:8700/api"
_NO_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class _Bytes(httpx.AsyncByteStream):
    """A body handed over as it came off the wire (not decoded up front)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.data


def _answer_once(status: int, headers: dict[str, str], body: bytes) -> A7Error | None:
    """Send a heartbeat to a server giving this answer; the typed error, if any."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers=headers, stream=_Bytes(body))

    async def attempt() -> A7Error | None:
        api = ApiClient(
            SERVER,
            device_fingerprint(),
            transport=httpx.MockTransport(handler),
            ssl_context=_NO_TLS,
            sleep=lambda _s: asyncio.sleep(0),
        )
        try:
            await api.heartbeat()
        except A7Error as error:
            return error
        finally:
            await api.aclose()
        return None

    return asyncio.run(attempt())


def test_a_body_that_does_not_match_its_content_encoding_is_a_typed_error() -> None:
    error = _answer_once(200, {"content-encoding": "gzip"}, b"not gzip at all")
    assert isinstance(error, A7Error)


def test_an_expiry_larger_than_a_float_is_a_typed_error(a7home: Path) -> None:
    access = jwt()
    body = b'{"accessToken": "%s", "expiresIn": 1%s}' % (access.encode(), b"0" * 400)

    def handler(request: httpx.Request) -> httpx.Response:
        cookie = {"set-cookie": "refreshToken=abcdefgh12345678"}
        return httpx.Response(200, headers=cookie, content=body)

    async def attempt() -> None:
        api = ApiClient(
            SERVER,
            device_fingerprint(),
            transport=httpx.MockTransport(handler),
            ssl_context=_NO_TLS,
        )
        try:
            with pytest.raises(A7Error):
                await api.refresh("abcdefgh12345678")
        finally:
            await api.aclose()

    asyncio.run(attempt())


def test_an_answer_nested_a_thousand_deep_is_a_typed_error() -> None:
    error = _answer_once(503, {"content-type": "application/json"}, b"[" * 5000)
    assert isinstance(error, A7Error)


def test_a_policy_file_nested_a_thousand_deep_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    path.write_text("[" * 5000, encoding="utf-8")
    with pytest.raises(A7Error):
        load_policy({"A7DESKTOP_POLICY_FILE": str(path)})


def test_a_password_that_is_not_valid_text_is_refused_before_sending(
    a7home: Path, no_policy: Path
) -> None:
    profile = resolve_profile("surrogates", SERVER)

    async def attempt() -> None:
        transport = httpx.MockTransport(lambda request: httpx.Response(401))
        api = ApiClient(
            SERVER, device_fingerprint(), transport=transport, ssl_context=_NO_TLS
        )
        engine = SessionEngine(profile, api, MemoryVault())
        try:
            with pytest.raises(InvalidInput):
                await engine.sign_in_password("a@example.com", "pass\udcffword")
        finally:
            await engine.aclose()

    asyncio.run(attempt())


@pytest.fixture
def cli(
    emulator: EmulatorServer, a7home: Path, no_policy: Path
) -> Iterator[CliSession]:
    session = CliSession(Cli(emulator, f"find-{uuid.uuid4().hex[:8]}", a7home))
    yield session
    session.run("logout")


@pytest.mark.keyring
def test_login_with_a_password_that_is_not_utf8_says_so(cli: CliSession) -> None:
    ran = cli.run(
        "login", "--email", DEMO_EMAIL, "--password-stdin", input=b"pass\xffword"
    )
    assert ran.returncode == 2
    assert "unexpected" not in ran.stderr


@pytest.mark.keyring
def test_config_set_refuses_an_mcp_url_that_would_break_the_profile(
    cli: CliSession,
) -> None:
    cli.login()
    saved = cli.run("config", "set", "mcp_url", "x")
    token = cli.token()
    assert saved.returncode == 2
    assert token.returncode == 0, token.stderr


@pytest.mark.keyring
def test_token_hands_out_the_valid_token_when_a_refresh_answer_is_malformed(
    cli: CliSession,
) -> None:
    """R33 and the engine's own contract: raise only when the token expired."""
    cli.login()
    before = cli.age(100)
    cli.cli.server.state.faults.add("refresh", "truncated_json")

    ran = cli.token()

    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == before.access_token
    assert accepts(cli.cli.server, before.access_token)


@pytest.mark.keyring
def test_retry_after_is_honoured_by_the_next_token_process(cli: CliSession) -> None:
    """R30 across processes: after a 429 with Retry-After: 120, no refresh for 120 s."""
    cli.login()
    cli.age(100)
    server = cli.cli.server
    server.state.faults.add(
        "refresh", "status", status=429, retry_after=120, times=None
    )

    first, second = cli.token(), cli.token()

    assert first.returncode == second.returncode == 0
    refreshes = [r for r in server.state.requests if r.path == "/api/auth/refresh"]
    server.state.faults.clear()
    assert len(refreshes) == 1


@pytest.fixture
def windows(
    qloop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    emulator: EmulatorServer,
    a7home: Path,
    no_policy: Path,
) -> Iterator[WindowRows]:
    yield from each_row(qtbot, emulator)


@pytest.mark.keyring
def test_with_a_locked_keyring_the_window_still_offers_a_sign_in_in_memory(
    windows: WindowRows, qtbot: QtBot, emulator: EmulatorServer
) -> None:
    """R24: said locked, and a sign-in then lives in memory only."""
    profile = make_profile(emulator)
    with locked_keyring():
        shell = Shell(StartOptions(profile=profile.name, server=profile.server))
        shell.window.show()
        try:
            run(qtbot, shell.open_services(profile.name, profile.server))
            account = shell.window.account
            offered = account.layers.currentWidget() is account.sign_in_page
            assert offered, account.starting.text()
            assert shell.services is not None
            here = Ui(qtbot, shell.window, shell.services, emulator)
            sign_in(here)
            stored_in = account.session_page.fields["storage"].text()
        finally:
            run(qtbot, shell.shutdown())

    assert stored_in.startswith("Memory only")
    assert "locked" in stored_in
    vault = Vault()
    assert run(qtbot, vault.load_session(profile.name)) is None  # nothing persisted
    vault.close()


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u200b", "\ufeff"])
def test_invisible_marks_around_a_pasted_app_password_are_trimmed(mark: str) -> None:
    """R28: a pasted app password is trimmed before its format is checked."""
    token = "app_a7_" + "0123456789abcdef" * 2
    assert normalize_app_password(f"{mark}{token}{mark}") == token
