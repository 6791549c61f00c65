"""Refresh under faults: rejections, passing failures, lost answers (R14-R18, R38)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from core_unit_helpers import Emulator, FakeClock, eventually, settle

from a7desktop.core.api import ApiClient
from a7desktop.core.engine import SessionEngine
from a7desktop.core.errors import (
    AnswerLost,
    ProtocolError,
    RateLimited,
    ServerUnavailable,
    SessionExpired,
)
from a7desktop.core.events import RefreshFailed, SessionState, SignedOut
from a7desktop.core.fingerprint import device_fingerprint
from a7desktop.core.presented import PresentedTokens
from a7desktop.core.retry import Backoff
from a7desktop.core.vault import MemoryVault
from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD

MakeEngine = Callable[..., SessionEngine]


def outcomes(emulator: Emulator) -> list[str]:
    return [attempt.outcome for attempt in emulator.state.refresh_log]


class Recorder:
    def __init__(self, engine: SessionEngine) -> None:
        self.events: list[object] = []
        engine.subscribe(self.events.append)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


async def start(engine: SessionEngine, schedule: bool = False) -> None:
    await engine.start(schedule_refresh=schedule)
    await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)


@pytest.mark.parametrize(
    ("damage", "reason", "words"),
    [
        ("revoke", "revoked", "ended on the server"),
        ("forget_devices", "device_limit", "trusted devices"),
        ("new_device", "fingerprint_mismatch", "this device changed, sign in again"),
        ("steal", "reuse_detected", "used from somewhere else"),
    ],
)
async def test_a_refused_refresh_wipes_the_session_and_says_why(
    make_engine: MakeEngine, emulator: Emulator, damage: str, reason: str, words: str
) -> None:
    """R14/R20: memory and vault wiped; one SignedOut that says why."""
    vault = MemoryVault()
    engine = make_engine(vault=vault)
    record = Recorder(engine)
    await start(engine)
    session = engine.session
    assert session is not None
    assert session.refresh_token is not None

    if damage == "revoke":
        emulator.state.revoke_sessions(DEMO_EMAIL)
    elif damage == "forget_devices":
        emulator.state.forget_devices(DEMO_EMAIL)
    elif damage == "new_device":
        # The same session presented from a machine with another screen and
        # another timezone: 0.8 of the fingerprint, under the 0.85 needed.
        assert session.fingerprint is not None
        moved = dataclasses.replace(
            session.fingerprint, screen_resolution="800x600", timezone_offset=-600
        )
        await vault.save_session(dataclasses.replace(session, fingerprint=moved))
        await engine.reload()
    else:
        await engine.api.refresh(session.refresh_token, fingerprint=session.fingerprint)

    with pytest.raises(SessionExpired, match=words):
        await engine.refresh()

    assert engine.session is None
    assert await vault.load_session("default") is None
    assert [e.reason for e in record.of(SignedOut)] == [reason]
    assert words in record.of(SignedOut)[0].message
    assert engine.state is SessionState.SIGNED_OUT


async def test_a_daylight_saving_change_alone_is_accepted(
    make_engine: MakeEngine, emulator: Emulator
) -> None:
    """R20: the server's 85 % rule lets a timezone change through."""
    vault = MemoryVault()
    engine = make_engine(vault=vault)
    await start(engine)
    session = engine.session
    assert session is not None
    assert session.fingerprint is not None
    shifted = dataclasses.replace(
        session.fingerprint, timezone_offset=session.fingerprint.timezone_offset - 60
    )
    await vault.save_session(dataclasses.replace(session, fingerprint=shifted))
    await engine.reload()

    await engine.refresh()
    assert outcomes(emulator) == ["rotated"]


async def test_revocation_while_open_leads_to_one_sign_in_prompt(
    make_engine: MakeEngine, emulator: Emulator
) -> None:
    """R38: the next request fails to refresh; exactly one SignedOut."""
    engine = make_engine()
    record = Recorder(engine)
    await start(engine, schedule=True)
    emulator.state.revoke_sessions(DEMO_EMAIL)

    for _ in range(3):
        with pytest.raises(SessionExpired, match="ended on the server"):
            await engine.request("GET", "/agents")
    assert [e.reason for e in record.of(SignedOut)] == ["revoked"]
    assert outcomes(emulator) == ["revoked"]


@pytest.mark.parametrize(
    ("fault", "error", "reason"),
    [
        ({"kind": "status", "status": 503}, ServerUnavailable, "server_unavailable"),
        ({"kind": "html502"}, ServerUnavailable, "server_unavailable"),
        (
            {"kind": "status", "status": 429, "retry_after": 120},
            RateLimited,
            "rate_limited",
        ),
    ],
)
async def test_a_passing_refresh_failure_keeps_the_session_and_retries(
    make_engine: MakeEngine,
    clock: FakeClock,
    emulator: Emulator,
    fault: dict[str, Any],
    error: type[Exception],
    reason: str,
) -> None:
    """R15: kept, status says retrying, the retry runs later and succeeds."""
    vault = MemoryVault()
    engine = make_engine(vault=vault)
    record = Recorder(engine)
    await start(engine, schedule=True)
    emulator.state.faults.add("refresh", **fault)
    session = engine.session
    assert session is not None

    clock.advance(session.lifetime - 300)
    emulator.state.clock.advance(session.lifetime - 300)
    await eventually(lambda: bool(record.of(RefreshFailed)))

    failed = record.of(RefreshFailed)
    assert [(f.reason, f.retrying) for f in failed] == [(reason, True)]
    assert failed[0].retry_at is not None
    assert failed[0].retry_at > clock.now
    if reason == "rate_limited":
        assert failed[0].retry_at >= clock.now + 120
    assert engine.session is not None
    assert await vault.load_session("default") == engine.session
    assert engine.next_refresh_at == failed[0].retry_at
    assert engine.state in (SessionState.OFFLINE, SessionState.EXPIRING_SOON)

    clock.advance(failed[0].retry_at - clock.now)
    await eventually(lambda: outcomes(emulator) == ["rotated"])
    assert engine.state is SessionState.ACTIVE


async def test_retries_back_off_with_jitter(
    make_engine: MakeEngine, clock: FakeClock, emulator: Emulator
) -> None:
    """R15: each retry waits longer; the jitter source decides within a step."""
    draws = iter([0.0, 1.0, 0.5])
    engine = make_engine(
        backoff=Backoff(base=10, cap=1000, uniform=lambda: next(draws))
    )
    record = Recorder(engine)
    await start(engine)
    emulator.state.faults.add("refresh", "status", status=503, times=None)

    waits = []
    for _ in range(3):
        with pytest.raises(ServerUnavailable):
            await engine.refresh()
        retry_at = record.of(RefreshFailed)[-1].retry_at
        waits.append(retry_at - clock.now)
    assert waits == [5.0, 20.0, 30.0]


async def test_no_connection_keeps_the_token_usable_for_the_next_try(
    make_engine: MakeEngine, emulator: Emulator, profile: Any
) -> None:
    """R15: a refresh that never left is not counted as presented."""
    vault = MemoryVault()
    online = make_engine(vault=vault)
    await start(online)
    session = online.session
    assert session is not None
    assert session.refresh_token is not None

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    offline_api = ApiClient(
        profile.server, device_fingerprint(), transport=httpx.MockTransport(refuse)
    )
    offline = make_engine(vault=vault, api=offline_api)
    await offline.start(schedule_refresh=False)
    with pytest.raises(ServerUnavailable, match="could not connect"):
        await offline.refresh()
    assert offline.session == session
    presented = PresentedTokens(profile.state_dir / "presented-refresh-tokens.json")
    assert session.refresh_token not in presented

    await online.refresh()
    assert outcomes(emulator) == ["rotated"]


class LosingApi(ApiClient):
    """The server rotates the token, then the answer is lost (drop_after_commit)."""

    async def refresh(self, refresh_token: str, **kwargs: Any) -> Any:
        await super().refresh(refresh_token, **kwargs)
        raise AnswerLost("the connection broke before the answer came")


def losing_api(emulator: Emulator, profile: Any) -> ApiClient:
    return LosingApi(
        profile.server,
        device_fingerprint(),
        transport=emulator.transport(),
        sleep=lambda s: settle(1),
    )


async def test_a_lost_refresh_answer_never_resends_the_used_token(
    make_engine: MakeEngine, clock: FakeClock, emulator: Emulator, profile: Any
) -> None:
    """R16: the session lasts until expiry, then ends at a clean sign-in."""
    vault = MemoryVault()
    engine = make_engine(vault=vault, api=losing_api(emulator, profile))
    record = Recorder(engine)
    await start(engine, schedule=True)
    first = engine.session
    assert first is not None

    with pytest.raises(AnswerLost):
        await engine.refresh()
    assert [(f.reason, f.retrying) for f in record.of(RefreshFailed)] == [
        ("answer_lost", False)
    ]
    assert engine.session is not None
    assert engine.session.refresh_token is None
    stored = await vault.load_session("default")
    assert stored is not None
    assert stored.refresh_token is None

    assert await engine.access_token(min_ttl=10**6) == first.access_token
    clock.advance(first.lifetime + 1)
    await eventually(lambda: engine.session is None)
    assert [e.reason for e in record.of(SignedOut)] == ["expired"]
    assert outcomes(emulator) == ["rotated"]


async def test_a_crash_after_presenting_a_token_never_presents_it_again(
    make_engine: MakeEngine, emulator: Emulator, profile: Any
) -> None:
    """R16: even a new process that still finds the used token in the vault."""
    vault = MemoryVault()
    engine = make_engine(vault=vault, api=losing_api(emulator, profile))
    await start(engine)
    stale = engine.session
    assert stale is not None
    with pytest.raises(AnswerLost):
        await engine.refresh()
    await vault.save_session(stale)  # as if the process died before saving

    restarted = make_engine(vault=vault)
    await restarted.start(schedule_refresh=False)
    with pytest.raises(SessionExpired, match="cannot be renewed"):
        await restarted.refresh()
    assert "reused" not in outcomes(emulator)
    assert outcomes(emulator) == ["rotated"]


async def test_a_lost_answer_to_a_refresh_after_a_401_ends_the_session(
    make_engine: MakeEngine, emulator: Emulator, profile: Any
) -> None:
    engine = make_engine(api=losing_api(emulator, profile))
    record = Recorder(engine)
    await start(engine)
    emulator.state.clock.advance(28800 + 1)

    with pytest.raises(SessionExpired, match="answer to a session refresh was lost"):
        await engine.request("GET", "/agents")
    assert [e.reason for e in record.of(SignedOut)] == ["answer_lost"]
    assert outcomes(emulator) == ["rotated"]


@pytest.mark.parametrize("kind", ["no_set_cookie", "truncated_json", "malformed_jwt"])
async def test_a_bad_refresh_answer_retires_the_used_token(
    make_engine: MakeEngine, emulator: Emulator, kind: str
) -> None:
    """R18/R33: a 200 without a cookie (or unreadable) is an error; no reuse."""
    vault = MemoryVault()
    engine = make_engine(vault=vault)
    await start(engine)
    first = engine.session
    assert first is not None
    emulator.state.faults.add("refresh", kind)

    with pytest.raises(ProtocolError):
        await engine.refresh()
    assert engine.session is not None
    assert engine.session.refresh_token is None
    assert engine.session.access_token == first.access_token
    with pytest.raises(SessionExpired, match="cannot be renewed"):
        await engine.refresh()
    assert outcomes(emulator) == ["rotated"]
