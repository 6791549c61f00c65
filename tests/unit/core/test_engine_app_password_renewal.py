"""A session signed in with an app password renews itself through app-login.

The API sets no refresh cookie for app-password sign-ins, so without this
such a session would end after its 12 hours, and every tool using the
profile would stop with it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from core_unit_helpers import Emulator, FakeClock

from a7desktop.core.app_passwords import AppPasswords
from a7desktop.core.engine import SessionEngine
from a7desktop.core.errors import RateLimited, SessionExpired
from a7desktop.core.events import SessionState, SignedOut
from a7desktop.core.models import StoredSession
from a7desktop.core.vault import MemoryVault
from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD

MakeEngine = Callable[..., SessionEngine]


async def _app_password_session(
    make_engine: MakeEngine, vault: MemoryVault
) -> tuple[SessionEngine, str, StoredSession, SessionEngine]:
    admin = make_engine(vault=MemoryVault())
    await admin.start()
    await admin.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)
    created = await AppPasswords(admin).create("build farm", keep=False)
    engine = make_engine(vault=vault)
    await engine.start()
    session = await engine.sign_in_app_password(created.token)
    return engine, created.token, session, admin


def _app_logins(emulator: Emulator) -> int:
    return sum(1 for r in emulator.state.requests if r.path == "/api/auth/app-login")


async def test_the_session_is_renewed_with_the_app_password_before_it_expires(
    make_engine: MakeEngine, clock: FakeClock, emulator: Emulator
) -> None:
    vault = MemoryVault()
    engine, token, first, _admin = await _app_password_session(make_engine, vault)
    clock.advance(first.lifetime - 299)

    renewed = await engine.access_token(min_ttl=300)

    assert renewed != first.access_token
    session = engine.session
    assert session is not None
    assert session.expires_at == clock.now + 43200
    assert session.auth_type == "app_password"
    assert await vault.load_session("default") == session
    assert _app_logins(emulator) == 2
    assert token not in repr(session)


async def test_a_revoked_app_password_ends_the_session_with_a_reason(
    make_engine: MakeEngine, clock: FakeClock, emulator: Emulator
) -> None:
    vault = MemoryVault()
    engine, _token, first, admin = await _app_password_session(make_engine, vault)
    ended: list[object] = []
    engine.subscribe(ended.append)
    await AppPasswords(admin).revoke("build farm")
    clock.advance(first.lifetime - 10)

    with pytest.raises(SessionExpired, match="app password"):
        await engine.refresh()

    assert engine.state is SessionState.SIGNED_OUT
    assert await vault.load_session("default") is None
    signed_out = [e for e in ended if isinstance(e, SignedOut)]
    assert "app password" in signed_out[0].message
    assert _app_logins(emulator) == 2  # refused once, never retried


async def test_a_rate_limited_renewal_keeps_the_session_and_retries_later(
    make_engine: MakeEngine, clock: FakeClock, emulator: Emulator
) -> None:
    """R15, R30."""
    engine, _token, first, _admin = await _app_password_session(
        make_engine, MemoryVault()
    )
    emulator.state.faults.add("app-login", "status", status=429, retry_after="60")
    clock.advance(first.lifetime - 200)

    with pytest.raises(RateLimited):
        await engine.refresh()

    assert engine.session == first
    assert engine.next_refresh_at is not None
    assert engine.next_refresh_at >= clock.now + 60
