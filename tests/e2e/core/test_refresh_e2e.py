"""Refresh over real HTTP with the real keyring (R10, R11, R15-R19, R32, R37, R38)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable

import httpx
import pytest
from core_e2e_helpers import OffsetClock, eventually, outcomes

from a7desktop.core.api import ApiClient
from a7desktop.core.engine import SessionEngine
from a7desktop.core.errors import (
    AnswerLost,
    RateLimited,
    ServerUnavailable,
    SessionExpired,
)
from a7desktop.core.events import RefreshFailed, SessionState, SignedOut
from a7desktop.core.fingerprint import device_fingerprint
from a7desktop.core.vault import Vault
from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD, EmulatorServer

MakeEngine = Callable[..., SessionEngine]
FINGERPRINT_HEADERS = (
    "user-agent",
    "accept-language",
    "accept-encoding",
    "x-screen-resolution",
    "x-timezone-offset",
)


async def signed_in(engine: SessionEngine, *, schedule: bool = True) -> None:
    await engine.start(schedule_refresh=schedule)
    await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)


async def test_twenty_concurrent_requests_that_get_401_refresh_once(
    make_engine: MakeEngine, server: EmulatorServer
) -> None:
    """R11: exactly one refresh, and no refresh token presented twice."""
    engine = make_engine()
    await signed_in(engine, schedule=False)
    server.state.clock.advance(28800 + 1)  # the server sees the token expire

    responses = await asyncio.gather(
        *(engine.request("GET", "/agents") for _ in range(20))
    )

    assert [r.status_code for r in responses] == [200] * 20
    assert outcomes(server) == ["rotated"]
    stored = await Vault().load_session(engine.profile.name)
    assert stored == engine.session


@pytest.mark.parametrize("offset", [600, -600, 7200, -7200])
async def test_a_clock_off_by_minutes_or_hours_causes_no_refresh_loop(
    make_engine: MakeEngine, server: EmulatorServer, offset: int
) -> None:
    """R10: the server's clock differs; expiry is measured locally from the send."""
    server.state.clock.set_offset(offset)
    engine = make_engine(check_interval=0.02)
    await signed_in(engine)
    session = engine.session
    assert session is not None
    assert engine.next_refresh_at == pytest.approx(session.issued_at + 28800 - 300)

    await asyncio.sleep(0.3)  # the timer wakes many times meanwhile
    assert (await engine.request("GET", "/agents")).status_code == 200
    assert outcomes(server) == []
    assert engine.state is SessionState.ACTIVE


async def test_a_suspend_longer_than_the_token_refreshes_once_on_waking(
    make_engine: MakeEngine, server: EmulatorServer
) -> None:
    """R37: the wall clock jumps 9 h, the monotonic clock does not."""
    clock = OffsetClock()
    engine = make_engine(clock=clock, check_interval=0.05)
    await signed_in(engine)

    clock.offset += 9 * 3600
    server.state.clock.advance(9 * 3600)
    response = await engine.request("GET", "/agents")
    await eventually(lambda: engine.state is SessionState.ACTIVE)
    await asyncio.sleep(0.2)

    assert response.status_code == 200
    assert outcomes(server) == ["rotated"]


async def test_revocation_while_open_gives_one_sign_in_prompt(
    make_engine: MakeEngine, server: EmulatorServer
) -> None:
    """R38."""
    engine = make_engine()
    ended: list[SignedOut] = []
    engine.subscribe(lambda e: ended.append(e) if isinstance(e, SignedOut) else None)
    await signed_in(engine)
    server.state.revoke_sessions(DEMO_EMAIL)

    results = await asyncio.gather(
        *(engine.request("GET", "/agents") for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, SessionExpired) for r in results)
    assert [e.reason for e in ended] == ["revoked"]
    assert await Vault().load_session(engine.profile.name) is None


async def test_a_lost_refresh_answer_is_never_answered_by_presenting_the_token_again(
    make_engine: MakeEngine, server: EmulatorServer
) -> None:
    """R16: the server rotated, the connection dropped; no reuse, ever."""
    engine = make_engine()
    failures: list[RefreshFailed] = []
    engine.subscribe(
        lambda e: failures.append(e) if isinstance(e, RefreshFailed) else None
    )
    await signed_in(engine)
    server.state.faults.add("refresh", "drop_after_commit")

    with pytest.raises(AnswerLost):
        await engine.refresh()
    with pytest.raises(SessionExpired, match="cannot be renewed"):
        await engine.refresh()

    restarted = make_engine()
    await restarted.start(schedule_refresh=False)
    with pytest.raises(SessionExpired, match="cannot be renewed"):
        await restarted.refresh()
    assert outcomes(server) == ["rotated"]
    assert [(f.reason, f.retrying) for f in failures] == [("answer_lost", False)]
    assert engine.session is not None  # still usable until it expires
    assert (await engine.request("GET", "/agents")).status_code == 200


async def test_a_refused_connection_keeps_the_session_and_retries(
    make_engine: MakeEngine, server: EmulatorServer
) -> None:
    """R15, R30: a 503 with Retry-After; the session stays, nothing is sent while
    the wait runs, and a refresh after it succeeds."""
    engine = make_engine()
    failures: list[RefreshFailed] = []
    engine.subscribe(
        lambda e: failures.append(e) if isinstance(e, RefreshFailed) else None
    )
    await signed_in(engine)
    session = engine.session
    server.state.faults.add("refresh", "status", status=503, retry_after=1)

    with pytest.raises(ServerUnavailable, match="HTTP 503"):
        await engine.refresh()
    with pytest.raises(RateLimited, match="asked to wait"):
        await engine.refresh()
    sent = [r for r in server.state.requests if r.path == "/api/auth/refresh"]
    assert len(sent) == 1
    assert engine.session == session
    await asyncio.sleep(1.2)
    await engine.refresh()

    assert [f.retrying for f in failures] == [True]
    assert outcomes(server) == ["rotated"]


async def test_a_stalled_answer_fails_at_the_read_timeout_and_the_loop_stays_live(
    profile: object, server: EmulatorServer
) -> None:
    """R32: explicit timeouts; meanwhile other work on the loop goes on."""
    server.state.faults.add("heartbeat", "stall", seconds=5)
    api = ApiClient(
        server.url,
        device_fingerprint(),
        timeouts=httpx.Timeout(connect=2, read=0.5, write=2, pool=2),
    )
    beating = asyncio.create_task(api.send("GET", "/auth/heartbeat"))
    other_work = asyncio.create_task(asyncio.sleep(0.05, result="done"))
    assert await other_work == "done"
    assert not beating.done()
    try:
        with pytest.raises(AnswerLost, match="did not answer in time"):
            await beating
    finally:
        await api.aclose()


async def test_the_fingerprint_is_the_same_at_login_every_refresh_and_after_restart(
    make_engine: MakeEngine, server: EmulatorServer
) -> None:
    """R19: byte for byte, in this engine, a restarted one, and a second one."""
    window = make_engine()
    await signed_in(window, schedule=False)
    await window.refresh()
    restarted = make_engine()
    await restarted.start(schedule_refresh=False)
    await restarted.refresh()
    command_line = make_engine()
    await command_line.start(schedule_refresh=False)
    await command_line.refresh()

    sent = [
        tuple(request.headers.get(name) for name in FINGERPRINT_HEADERS)
        for request in server.state.requests
        if request.path in ("/api/auth/login", "/api/auth/refresh")
    ]
    assert len(sent) == 4
    assert len(set(sent)) == 1
    assert None not in sent[0]
    assert outcomes(server) == ["rotated"] * 3


async def test_a_daylight_saving_change_passes_and_a_device_change_does_not(
    make_engine: MakeEngine, server: EmulatorServer
) -> None:
    """R20: the server's 85 % rule; a refusal reads "this device changed"."""
    engine = make_engine()
    await signed_in(engine, schedule=False)
    vault = Vault()
    session = await vault.load_session(engine.profile.name)
    assert session is not None
    assert session.fingerprint is not None

    dst = dataclasses.replace(
        session.fingerprint, timezone_offset=session.fingerprint.timezone_offset - 60
    )
    await vault.save_session(dataclasses.replace(session, fingerprint=dst))
    after_dst = make_engine()
    await after_dst.start(schedule_refresh=False)
    await after_dst.refresh()

    stored = await vault.load_session(engine.profile.name)
    assert stored is not None
    moved = dataclasses.replace(dst, screen_resolution="800x600", timezone_offset=-600)
    await vault.save_session(dataclasses.replace(stored, fingerprint=moved))
    elsewhere = make_engine()
    await elsewhere.start(schedule_refresh=False)
    with pytest.raises(SessionExpired, match="this device changed, sign in again"):
        await elsewhere.refresh()
    assert outcomes(server) == ["rotated", "fingerprint_mismatch"]
    vault.close()


async def test_loopback_is_never_sent_through_a_proxy(
    make_engine: MakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A proxy from the environment must not capture the local emulator."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    engine = make_engine()
    await signed_in(engine, schedule=False)
    assert (await engine.request("GET", "/agents")).status_code == 200
