"""Proactive and reactive refresh, single-flight, adoption (R9-R13, R17, R36, R37)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from core_unit_helpers import Emulator, FakeClock, eventually, settle

from a7desktop.core.api import ApiClient
from a7desktop.core.engine import SessionEngine
from a7desktop.core.errors import SessionExpired, TokenRejected
from a7desktop.core.events import Refreshed, SessionState, SignedOut
from a7desktop.core.fingerprint import device_fingerprint
from a7desktop.core.models import StoredSession
from a7desktop.core.vault import MemoryVault
from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD

MakeEngine = Callable[..., SessionEngine]


def advance(clock: FakeClock, emulator: Emulator, seconds: float) -> None:
    """Move both clocks: the engine's and the server's."""
    clock.advance(seconds)
    emulator.state.clock.advance(seconds)


def outcomes(emulator: Emulator) -> list[str]:
    return [attempt.outcome for attempt in emulator.state.refresh_log]


async def signed_in(engine: SessionEngine, **start: Any) -> StoredSession:
    await engine.start(**start)
    return await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)


async def test_one_proactive_refresh_at_the_lead_time_and_none_before(
    make_engine: MakeEngine, clock: FakeClock, emulator: Emulator
) -> None:
    """R9: a 28,800 s token is refreshed once, 300 s before expiry."""
    engine = make_engine()
    refreshed: list[Refreshed] = []
    engine.subscribe(
        lambda e: refreshed.append(e) if isinstance(e, Refreshed) else None
    )
    session = await signed_in(engine)
    assert engine.next_refresh_at == session.expires_at - 300

    advance(clock, emulator, 28800 - 300 - 1)
    await settle()
    assert outcomes(emulator) == []
    assert engine.state is SessionState.ACTIVE

    advance(clock, emulator, 1)
    await eventually(lambda: len(refreshed) == 1)
    advance(clock, emulator, 600)
    await settle()
    assert outcomes(emulator) == ["rotated"]
    assert refreshed[0].reason == "scheduled"
    renewed = engine.session
    assert renewed is not None
    assert renewed.access_token != session.access_token
    assert engine.next_refresh_at == renewed.expires_at - 300


async def test_a_configured_lead_time_is_honoured(
    make_engine: MakeEngine, clock: FakeClock, emulator: Emulator, profile: Any
) -> None:
    from dataclasses import replace

    engine = make_engine(the_profile=replace(profile, refresh_lead_seconds=1200.0))
    session = await signed_in(engine)
    assert engine.next_refresh_at == session.expires_at - 1200


@pytest.mark.parametrize("offset", [600, -600, 7200, -7200])
async def test_a_clock_off_the_servers_causes_no_refresh_loop(
    make_engine: MakeEngine, clock: FakeClock, emulator: Emulator, offset: int
) -> None:
    """R10: expiry comes from the local send time plus expiresIn, not from exp."""
    emulator.state.clock.set_offset(offset)
    engine = make_engine()
    session = await signed_in(engine)
    assert session.expires_at == clock.now + 28800

    for _ in range(10):
        advance(clock, emulator, 60)
        await settle()
    response = await engine.request("GET", "/agents")
    assert response.status_code == 200
    assert outcomes(emulator) == []
    assert engine.state is SessionState.ACTIVE


class Together(httpx.AsyncBaseTransport):
    """Holds the first ``count`` requests to a path until all of them arrived."""

    def __init__(self, inner: httpx.AsyncBaseTransport, path: str, count: int) -> None:
        self.inner, self.path, self.count = inner, path, count
        self.arrived = 0
        self.all_here = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == self.path and self.arrived < self.count:
            self.arrived += 1
            if self.arrived == self.count:
                self.all_here.set()
            await self.all_here.wait()
        return await self.inner.handle_async_request(request)


async def test_twenty_concurrent_401s_cause_exactly_one_refresh(
    make_engine: MakeEngine, emulator: Emulator, profile: Any
) -> None:
    """R11: one refresh; every request retried once with the new token."""
    transport = Together(emulator.transport(), "/api/agents", 20)
    api = ApiClient(profile.server, device_fingerprint(), transport=transport)
    engine = make_engine(api=api)
    first = await signed_in(engine, schedule_refresh=False)
    emulator.state.clock.advance(28800 + 1)  # only the server sees the token expire

    responses = await asyncio.gather(
        *(engine.request("GET", "/agents") for _ in range(20))
    )

    assert [r.status_code for r in responses] == [200] * 20
    assert outcomes(emulator) == ["rotated"]
    current = engine.session
    assert current is not None
    assert current.access_token != first.access_token
    agents_calls = [r for r in emulator.state.requests if r.path == "/api/agents"]
    assert len(agents_calls) == 40


async def test_a_401_for_an_older_token_is_retried_with_the_current_one(
    make_engine: MakeEngine, emulator: Emulator
) -> None:
    """R12: another caller refreshed meanwhile; no second refresh."""
    engine = make_engine()
    await signed_in(engine, schedule_refresh=False)
    seen: list[str] = []

    async def call(token: str) -> str:
        seen.append(token)
        if len(seen) == 1:
            await engine.refresh()  # someone else refreshed while we were out
            raise TokenRejected("refused", "token_expired")
        return token

    result = await engine.authorized(call)
    assert outcomes(emulator) == ["rotated"]
    assert seen[0] != result
    assert engine.session is not None
    assert result == engine.session.access_token


async def test_a_retried_request_refused_again_asks_for_sign_in(
    make_engine: MakeEngine, emulator: Emulator
) -> None:
    """R13: no second refresh; the session ends with one sign-in prompt."""
    body = {"error": "token_revoked", "message": "revoked"}
    emulator.state.faults.add("agents", "status", status=401, times=2, body=body)
    vault = MemoryVault()
    engine = make_engine(vault=vault)
    ended: list[SignedOut] = []
    engine.subscribe(lambda e: ended.append(e) if isinstance(e, SignedOut) else None)
    await signed_in(engine, schedule_refresh=False)

    with pytest.raises(SessionExpired, match="sign in again"):
        await engine.request("GET", "/agents")
    assert outcomes(emulator) == ["rotated"]
    assert [e.reason for e in ended] == ["rejected"]
    assert engine.session is None
    assert await vault.load_session("default") is None


async def test_the_new_refresh_token_is_stored_before_anyone_gets_the_access_token(
    make_engine: MakeEngine, clock: FakeClock, emulator: Emulator
) -> None:
    """R17: callers wait until the vault holds the rotated session."""
    gate = asyncio.Event()
    saved: list[StoredSession] = []

    class SlowVault(MemoryVault):
        async def save_session(self, session: StoredSession) -> None:
            if saved:  # the sign-in's save goes through; the refresh's waits
                await gate.wait()
            saved.append(session)
            await super().save_session(session)

    vault = SlowVault()
    engine = make_engine(vault=vault)
    first = await signed_in(engine, schedule_refresh=False)
    advance(clock, emulator, first.lifetime - 100)
    asking = asyncio.create_task(engine.access_token(min_ttl=300))
    await eventually(lambda: outcomes(emulator) == ["rotated"])
    await settle()
    assert not asking.done(), "handed out a token before the vault held it"
    assert engine.session == first

    gate.set()
    token = await asking
    stored = await vault.load_session("default")
    assert stored is not None
    assert stored.access_token == token
    assert stored.refresh_token != first.refresh_token


async def test_a_restart_after_a_refresh_uses_the_stored_rotated_session(
    make_engine: MakeEngine, emulator: Emulator
) -> None:
    """R17: a crash right after the vault write still leaves a working session."""
    vault = MemoryVault()
    engine = make_engine(vault=vault)
    await signed_in(engine, schedule_refresh=False)
    await engine.refresh()

    restarted = make_engine(vault=vault)  # as a new process would
    await restarted.start(schedule_refresh=False)
    assert restarted.session == engine.session
    await restarted.refresh()
    assert outcomes(emulator) == ["rotated", "rotated"]


async def test_a_newer_session_in_the_vault_is_adopted_instead_of_refreshing(
    make_engine: MakeEngine, clock: FakeClock, emulator: Emulator
) -> None:
    """R36: another process refreshed first; this one uses its result."""
    vault = MemoryVault()
    window = make_engine(vault=vault)
    await signed_in(window, schedule_refresh=False)
    command = make_engine(vault=vault)
    await command.start(schedule_refresh=False)
    adopted: list[Refreshed] = []
    command.subscribe(lambda e: adopted.append(e) if isinstance(e, Refreshed) else None)

    first = window.session
    assert first is not None
    advance(clock, emulator, first.lifetime - 100)
    await window.refresh()
    token = await command.access_token(min_ttl=300)

    assert outcomes(emulator) == ["rotated"]
    assert window.session is not None
    assert token == window.session.access_token
    assert adopted == [Refreshed(window.session.expires_at, "adopted", adopted=True)]
    assert command.last_refresh is not None
    assert command.last_refresh.outcome == "adopted"


async def test_a_session_signed_out_elsewhere_ends_here_too(
    make_engine: MakeEngine, emulator: Emulator
) -> None:
    vault = MemoryVault()
    window = make_engine(vault=vault)
    await signed_in(window, schedule_refresh=False)
    command = make_engine(vault=vault)
    await command.start(schedule_refresh=False)
    await command.sign_out()

    with pytest.raises(SessionExpired, match="another a7desktop process"):
        await window.refresh()
    assert window.session is None
    assert outcomes(emulator) == []


async def test_a_suspend_longer_than_the_token_refreshes_once_on_wake(
    make_engine: MakeEngine, clock: FakeClock, emulator: Emulator
) -> None:
    """R37: the wall clock jumped; the timer and a request share one refresh."""
    engine = make_engine()
    await signed_in(engine)
    advance(clock, emulator, 9 * 3600)

    response = await engine.request("GET", "/agents")
    await eventually(lambda: engine.state is SessionState.ACTIVE)
    await settle()

    assert response.status_code == 200
    assert outcomes(emulator) == ["rotated"]


async def test_a_session_that_cannot_be_refreshed_ends_at_expiry(
    make_engine: MakeEngine, clock: FakeClock, emulator: Emulator
) -> None:
    engine = make_engine()
    await engine.start()
    # A sign-in answered without a refresh cookie leaves nothing to renew with.
    emulator.state.faults.add("login", "no_set_cookie")
    session = await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)
    assert not session.refreshable
    ended: list[SignedOut] = []
    engine.subscribe(lambda e: ended.append(e) if isinstance(e, SignedOut) else None)

    advance(clock, emulator, session.lifetime - 10)
    await settle()
    assert engine.session is not None
    assert await engine.access_token(min_ttl=600) == session.access_token

    advance(clock, emulator, 11)
    await eventually(lambda: engine.session is None)
    assert [e.reason for e in ended] == ["expired"]
    assert outcomes(emulator) == []


async def test_states_follow_the_session(
    make_engine: MakeEngine, clock: FakeClock, emulator: Emulator
) -> None:
    engine = make_engine()
    states: list[SessionState] = []
    engine.subscribe(lambda e: states.append(e.state) if hasattr(e, "state") else None)
    await signed_in(engine, schedule_refresh=False)
    await engine.refresh()
    await engine.sign_out()
    assert states == [
        SessionState.ACTIVE,
        SessionState.REFRESHING,
        SessionState.ACTIVE,
        SessionState.SIGNED_OUT,
    ]
