"""Signing in and out through the session engine (R10, R17, R20-R24)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from core_unit_helpers import SERVER, Emulator, FakeClock

from a7desktop.core.api import ApiClient
from a7desktop.core.config import load_settings, resolve_profile
from a7desktop.core.engine import SessionEngine
from a7desktop.core.errors import (
    BadCredentials,
    InvalidInput,
    NotSignedIn,
    PolicyDenied,
    RateLimited,
    VaultLocked,
)
from a7desktop.core.events import SessionState, SignedIn, SignedOut
from a7desktop.core.fingerprint import current_timezone_offset, device_fingerprint
from a7desktop.core.vault import MemoryVault
from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD

MakeEngine = Callable[..., SessionEngine]


def app_login_requests(emulator: Emulator) -> int:
    return sum(1 for r in emulator.state.requests if r.path == "/api/auth/app-login")


async def test_sign_in_measures_expiry_from_when_the_request_was_sent(
    make_engine: MakeEngine, clock: FakeClock
) -> None:
    """R10: issued_at is the local send time; expires_at adds expiresIn."""
    vault = MemoryVault()
    engine = make_engine(vault=vault)
    events: list[object] = []
    engine.subscribe(events.append)
    await engine.start()

    session = await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)

    assert session.issued_at == clock.now
    assert session.expires_at == clock.now + 28800
    assert session.auth_type == "password"
    assert session.organization is not None
    assert await vault.load_session("default") == session
    assert engine.state is SessionState.ACTIVE
    assert any(isinstance(e, SignedIn) for e in events)
    assert engine.next_refresh_at == session.expires_at - 300


async def test_sign_in_records_the_timezone_offset_it_used(
    make_engine: MakeEngine,
) -> None:
    """R20: the offset is recorded so a daylight-saving change does not alter it."""
    engine = make_engine()
    await engine.start()
    session = await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)
    assert load_settings("default").timezone_offset == current_timezone_offset()
    assert session.fingerprint is not None
    assert session.fingerprint.timezone_offset == current_timezone_offset()


async def test_wrong_password_is_refused_and_nothing_is_stored(
    make_engine: MakeEngine,
) -> None:
    vault = MemoryVault()
    engine = make_engine(vault=vault)
    await engine.start()
    with pytest.raises(BadCredentials, match="email or password"):
        await engine.sign_in_password(DEMO_EMAIL, "wrong")
    assert engine.session is None
    assert await vault.load_session("default") is None


async def test_app_password_is_trimmed_and_checked_before_any_request(
    make_engine: MakeEngine, emulator: Emulator
) -> None:
    """R28/R22: a malformed paste never reaches the server."""
    engine = make_engine()
    await engine.start()
    with pytest.raises(InvalidInput):
        await engine.sign_in_app_password("  app_a7_tooshort  ")
    assert app_login_requests(emulator) == 0

    await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)
    from a7desktop.core.app_passwords import AppPasswords

    created = await AppPasswords(engine).create("CI", keep=False)
    session = await engine.sign_in_app_password(f"\n  {created.token}\t ")
    assert session.auth_type == "app_password"
    assert session.app_password_name == "CI"
    assert session.refresh_token is None  # app-login sets no refresh cookie
    # The app password renews the session instead (see the renewal tests).
    assert engine.next_refresh_at == session.expires_at - 300


async def test_refused_app_password_is_not_retried(
    make_engine: MakeEngine, emulator: Emulator
) -> None:
    """R22: one request, one refusal; a retry would walk into the lockout."""
    engine = make_engine()
    await engine.start()
    with pytest.raises(BadCredentials, match="app password was not accepted"):
        await engine.sign_in_app_password("app_a7_" + "0" * 32)
    assert app_login_requests(emulator) == 1


async def test_rate_limited_app_password_says_how_long_to_wait(
    make_engine: MakeEngine, emulator: Emulator
) -> None:
    """R22: a 429 is not retried; the error carries Retry-After."""
    emulator.state.faults.add("app-login", "status", status=429, retry_after=37)
    engine = make_engine()
    await engine.start()
    with pytest.raises(RateLimited, match="37 seconds") as caught:
        await engine.sign_in_app_password("app_a7_" + "1" * 32)
    assert caught.value.retry_after == 37
    assert app_login_requests(emulator) == 1


async def test_after_a_429_the_engine_waits_before_asking_again(
    make_engine: MakeEngine, emulator: Emulator, clock: FakeClock
) -> None:
    """R22: until Retry-After has passed, no further app-login is sent."""
    emulator.state.faults.add("app-login", "status", status=429, retry_after=30)
    engine = make_engine()
    await engine.start()
    token = "app_a7_" + "1" * 32
    with pytest.raises(RateLimited):
        await engine.sign_in_app_password(token)

    clock.advance(20)
    with pytest.raises(RateLimited, match="try again in 10 seconds") as caught:
        await engine.sign_in_app_password(token)
    assert caught.value.retry_after == pytest.approx(10)
    assert app_login_requests(emulator) == 1

    clock.advance(11)
    with pytest.raises(BadCredentials):
        await engine.sign_in_app_password(token)
    assert app_login_requests(emulator) == 2


async def test_policy_can_forbid_a_sign_in_method(
    make_engine: MakeEngine, no_policy: Any, emulator: Emulator
) -> None:
    no_policy.write_text(json.dumps({"allowed_methods": ["app_password"]}))
    engine = make_engine(the_profile=resolve_profile("default", SERVER))
    await engine.start()
    with pytest.raises(PolicyDenied, match="email and password"):
        await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)
    assert emulator.state.requests == []


async def test_sign_out_tells_the_server_and_wipes_everything(
    make_engine: MakeEngine, emulator: Emulator
) -> None:
    vault = MemoryVault()
    engine = make_engine(vault=vault)
    events: list[object] = []
    engine.subscribe(events.append)
    await engine.start()
    await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)

    assert await engine.sign_out() is True
    assert engine.session is None
    assert await vault.load_session("default") is None
    assert engine.state is SessionState.SIGNED_OUT
    assert [e for e in events if isinstance(e, SignedOut)] == [
        SignedOut("signed_out", "signed out")
    ]
    assert "user_logout" in [e.name for e in emulator.state.events]
    with pytest.raises(NotSignedIn):
        await engine.access_token()


async def test_sign_out_wipes_local_secrets_when_the_server_is_unreachable(
    make_engine: MakeEngine, profile: Any, emulator: Emulator
) -> None:
    """R21."""
    vault = MemoryVault()
    engine = make_engine(vault=vault)
    await engine.start()
    await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route to host")

    offline = ApiClient(
        profile.server, device_fingerprint(), transport=httpx.MockTransport(refuse)
    )
    other = make_engine(vault=vault, api=offline)
    await other.start()
    assert other.session is not None

    assert await other.sign_out() is False
    assert other.session is None
    assert await vault.load_session("default") is None


class LockedVault(MemoryVault):
    """A vault whose keyring is locked: every call raises."""

    async def load_session(self, profile_key: str) -> Any:
        raise VaultLocked("the keyring is locked (test)")

    async def save_session(self, session: Any) -> None:
        raise VaultLocked("the keyring is locked (test)")

    async def delete_session(self, profile_key: str) -> None:
        raise AssertionError("a locked keyring must never be asked to delete")


async def test_a_locked_keyring_means_memory_only_and_nothing_deleted(
    make_engine: MakeEngine,
) -> None:
    """R24: start says the keyring is locked; sign-in still works, in memory only."""
    engine = make_engine(vault=LockedVault())
    with pytest.raises(VaultLocked):
        await engine.start()
    assert engine.session is None
    with pytest.raises(VaultLocked):
        await engine.access_token()

    await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)
    assert engine.storage.persistent is False
    assert engine.storage.reason is not None
    assert "locked" in engine.storage.reason
    assert await engine.access_token()


async def test_a_session_stored_for_another_server_is_not_used(
    make_engine: MakeEngine, profile: Any
) -> None:
    vault = MemoryVault()
    first = make_engine(vault=vault)
    await first.start()
    stored = await first.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)

    elsewhere = resolve_profile("default", "http://127.0.0.1:9999/api")
    second = make_engine(vault=vault, the_profile=elsewhere)
    await second.start()
    assert second.session is None
    assert await vault.load_session("default") == stored


async def test_signing_in_again_logs_out_the_replaced_session(
    make_engine: MakeEngine, emulator: Emulator
) -> None:
    """A second sign-in leaves no orphaned refresh family alive at the server."""
    engine = make_engine()
    await engine.start()
    first = await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)

    second = await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)

    assert engine.session == second
    async with httpx.AsyncClient(
        transport=emulator.transport(), base_url=SERVER
    ) as client:
        refused = await client.post(
            "/auth/refresh", headers={"Cookie": f"refreshToken={first.refresh_token}"}
        )
        agents = await client.get(
            "/agents", headers={"Authorization": f"Bearer {second.access_token}"}
        )
    assert refused.status_code == 401
    assert refused.json()["error"] == "refresh_token_revoked"
    assert agents.status_code == 200
    assert [e.name for e in emulator.state.events].count("user_logout") == 1
