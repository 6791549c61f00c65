"""Heartbeat and the offline state, the security log, listeners, claims (R32, R34)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from core_unit_helpers import Emulator

from a7desktop.core.api import DEFAULT_TIMEOUTS, ApiClient
from a7desktop.core.audit import AuditLog
from a7desktop.core.engine import SessionEngine
from a7desktop.core.errors import ServerUnavailable, VaultLocked
from a7desktop.core.events import SessionState
from a7desktop.core.fingerprint import device_fingerprint
from a7desktop.core.models import StoredSession
from a7desktop.core.vault import MemoryVault
from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD

MakeEngine = Callable[..., SessionEngine]


async def test_heartbeat_sets_and_clears_the_offline_state(
    make_engine: MakeEngine, emulator: Emulator
) -> None:
    engine = make_engine()
    await engine.start(schedule_refresh=False)
    await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)
    emulator.state.faults.add("heartbeat", "status", status=503, times=None)

    with pytest.raises(ServerUnavailable):
        await engine.heartbeat()
    assert engine.state is SessionState.OFFLINE

    emulator.state.faults.clear()
    assert await engine.heartbeat() >= 0
    assert engine.state is SessionState.ACTIVE


async def test_the_security_log_records_what_happened(
    make_engine: MakeEngine, profile: Any
) -> None:
    engine = make_engine()
    await engine.start(schedule_refresh=False)
    with pytest.raises(Exception, match="email or password"):
        await engine.sign_in_password(DEMO_EMAIL, "wrong")
    await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)
    await engine.refresh()
    await engine.sign_out()

    events = [(e["event"], e["outcome"]) for e in AuditLog(profile.audit_path).read(10)]
    assert events == [
        ("user_logout", "success"),
        ("token_refresh_success", "success"),
        ("user_login", "success"),
        ("user_login_failed", "refused"),
    ]
    assert DEMO_PASSWORD not in profile.audit_path.read_text()


async def test_a_failing_listener_does_not_stop_the_others(
    make_engine: MakeEngine,
) -> None:
    engine = make_engine()
    seen: list[object] = []

    def broken(event: object) -> None:
        raise RuntimeError("listener bug")

    engine.subscribe(broken)
    unsubscribe = engine.subscribe(seen.append)
    await engine.start(schedule_refresh=False)
    await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)
    assert seen
    unsubscribe()
    count = len(seen)
    await engine.sign_out()
    assert len(seen) == count


async def test_reload_after_the_keyring_is_unlocked(make_engine: MakeEngine) -> None:
    class Lockable(MemoryVault):
        locked = True

        async def load_session(self, profile_key: str) -> StoredSession | None:
            if self.locked:
                raise VaultLocked("the keyring is locked (test)")
            return await super().load_session(profile_key)

    vault = Lockable()
    writer = make_engine(vault=MemoryVault())
    await writer.start(schedule_refresh=False)
    session = await writer.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)
    await MemoryVault.save_session(vault, session)

    engine = make_engine(vault=vault)
    with pytest.raises(VaultLocked):
        await engine.start(schedule_refresh=False)
    vault.locked = False
    await engine.reload()
    assert engine.session == session
    assert engine.storage.persistent is False  # a MemoryVault never persists


def jwt_with(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


async def test_token_claims_decide_nothing(
    make_engine: MakeEngine, profile: Any
) -> None:
    """R34: an exp claim in the past does not make the session look expired."""
    token = jwt_with({"sub": "u", "exp": 1, "auth_type": "app_password"})

    def server(request: httpx.Request) -> httpx.Response:
        body = {"email": DEMO_EMAIL, "accessToken": token, "expiresIn": 3600}
        return httpx.Response(
            200, json=body, headers={"set-cookie": "refreshToken=rt-claims-1"}
        )

    api = ApiClient(
        profile.server, device_fingerprint(), transport=httpx.MockTransport(server)
    )
    engine = make_engine(api=api)
    await engine.start(schedule_refresh=False)
    session = await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)

    assert session.auth_type == "password"
    assert await engine.access_token(min_ttl=60) == token
    assert engine.state is SessionState.ACTIVE


def test_every_timeout_is_explicit() -> None:
    """R32: connect, read, write and pool timeouts are all set."""
    assert None not in (
        DEFAULT_TIMEOUTS.connect,
        DEFAULT_TIMEOUTS.read,
        DEFAULT_TIMEOUTS.write,
        DEFAULT_TIMEOUTS.pool,
    )
