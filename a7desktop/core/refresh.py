"""One refresh at a time, per process and across processes, each token used once.

:meth:`Refresher.ensure` is the only place a refresh token is presented:

1. Take this process's ``asyncio.Lock``; if the session already satisfies the
   caller (another coroutine refreshed meanwhile, or the caller's rejected
   token is no longer current), return it without refreshing.
2. Take the profile's cross-process file lock and read the vault again. A
   newer session there (another process refreshed) is adopted instead of
   refreshing; a session gone from the vault means another process signed
   out.
3. Mark the refresh token as presented, then send it. On success the new
   session is written to the vault *before* anyone gets the new access
   token; a crash after that write leaves a working session.
4. On failure: a 401 ends the session (memory and vault) with the reason;
   a failure that consumed nothing (no connection, 5xx, 429) keeps the
   session and schedules a retry with backoff and jitter; a failure after
   the token may have been consumed (lost answer, a 200 without a new
   cookie, a malformed answer) keeps the access token until it expires but
   never presents that refresh token again.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from a7desktop.core import statefile
from a7desktop.core.errors import (
    A7Error,
    AnswerLost,
    BadCredentials,
    RateLimited,
    ServerUnavailable,
    SessionExpired,
    VaultError,
)
from a7desktop.core.events import RefreshFailed
from a7desktop.core.keeper import differs
from a7desktop.core.locking import LockBusy
from a7desktop.core.log import get_logger
from a7desktop.core.models import StoredSession
from a7desktop.core.presented import PresentedTokens
from a7desktop.core.retry import Backoff

if TYPE_CHECKING:
    from a7desktop.core.engine import SessionEngine

_log = get_logger("refresh")

LOST_MESSAGE = (
    "the server's answer to a session refresh was lost, so this session cannot "
    "be renewed; sign in again when it ends"
)


class AsyncLock(Protocol):
    """What the refresher needs of the cross-process lock."""

    async def __aenter__(self) -> object: ...

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


class Refresher:
    """The refresh procedure of one :class:`SessionEngine` (see the module doc)."""

    def __init__(
        self,
        engine: SessionEngine,
        lock: AsyncLock,
        presented: PresentedTokens,
        backoff: Backoff,
    ) -> None:
        self._engine = engine
        self._lock = lock
        self._presented = presented
        self._backoff = backoff
        self._local = asyncio.Lock()
        # When the server said "wait" (Retry-After), every process of the
        # profile must wait, not only this one: the deadline is kept on disk.
        self._hold_off_path = engine.profile.state_dir / "refresh-hold-off.json"
        self._attempt = 0
        self.running = False
        self.retry_at: float | None = None

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """Hold both locks: for changes to the session other than a refresh."""
        async with self._local, self._lock:
            yield

    def reset(self) -> None:
        """Forget retry state (a new session was installed)."""
        self._attempt = 0
        self.retry_at = None

    def _satisfied(
        self, session: StoredSession, need: float, stale: str | None, asked_at: float
    ) -> bool:
        if stale is not None and session.access_token == stale:
            return False
        if session.issued_at >= asked_at:
            return True  # issued after the caller asked: as fresh as it gets
        return session.expires_in(self._engine.clock.time()) > need

    async def ensure(
        self, *, need: float, stale: str | None, reason: str, rejected: bool = False
    ) -> StoredSession:
        """A session whose token outlives ``need`` seconds and is not ``stale``.

        Refreshes at most once per call, and not at all when another coroutine
        or process already did. ``rejected`` says the server refused ``stale``:
        a session that cannot be renewed then ends at once instead of lasting
        until it expires.

        Raises:
            NotSignedIn, SessionExpired: there is no session (any more).
            ServerUnavailable, RateLimited: a passing failure; a retry is scheduled.
            AnswerLost, ProtocolError: the token may be spent; not sent again.
            LockBusy: another process held the lock too long.
        """
        engine = self._engine
        asked_at = engine.clock.time()
        async with self._local:
            current = engine._keeper.current()
            if self._satisfied(current, need, stale, asked_at):
                return current
            self.running = True
            self.retry_at = None  # this is the retry; a failure schedules the next
            engine._update_state()
            try:
                async with self._lock:
                    return await self._refresh_locked(
                        need, stale, asked_at, reason, rejected
                    )
            except A7Error as exc:
                session = engine.session
                if (
                    self.retry_at is None
                    and session is not None
                    and session.refreshable
                ):
                    # A failure without a verdict on the token (the lock was
                    # busy, the vault failed): try again later, not in a loop.
                    self._schedule_retry(exc, announce=False)
                raise
            finally:
                self.running = False
                engine._update_state()

    async def _refresh_locked(
        self,
        need: float,
        stale: str | None,
        asked_at: float,
        reason: str,
        rejected: bool,
    ) -> StoredSession:
        engine = self._engine
        memory = engine._keeper.current()

        try:
            stored = await engine.vault.load_session(engine.profile.name)
        except VaultError as exc:
            _log.warning("cannot re-read the vault before refreshing: %s", exc)
        else:
            if stored is None or stored.server != memory.server:
                if engine._keeper.persisted:
                    await engine._keeper.finish(
                        "elsewhere",
                        "signed out by another a7desktop process",
                        delete=False,
                    )
                    raise engine._keeper.ended_error()
            elif differs(stored, memory) and stored.issued_at >= memory.issued_at:
                engine._keeper.adopt(stored)
                if self._satisfied(stored, need, stale, asked_at):
                    return stored
                memory = stored

        self._check_hold_off()
        token = memory.refresh_token
        if token is None and memory.app_password is not None:
            return await self._renew_with_app_password(memory, reason)
        if token is None or token in self._presented:
            return await self._cannot_refresh(memory, rejected)

        self._presented.add(token)
        sent_at = engine.clock.time()
        try:
            result = await engine.api.refresh(token, fingerprint=memory.fingerprint)
        except SessionExpired as exc:
            engine._keeper.audit(
                "refresh_token_validation_failed", "failure", reason=exc.reason
            )
            await engine._keeper.finish(exc.reason, exc.message, delete=True)
            raise
        except (ServerUnavailable, RateLimited) as exc:
            if isinstance(exc, AnswerLost):
                await self._token_maybe_spent(memory, rejected, exc)
                raise
            self._presented.discard(token)  # it never reached the server's logic
            self._schedule_retry(exc, announce=True)
            raise
        except A7Error as exc:
            await self._token_maybe_spent(memory, rejected, exc)
            raise

        statefile.remove(self._hold_off_path)
        renewed = memory.rotated(
            result.access_token, result.refresh_token, sent_at, result.expires_in
        )
        await engine._keeper.store(
            renewed
        )  # before any caller sees the new access token
        engine._keeper.install(renewed, reason=reason)
        engine._set_offline(False)
        return renewed

    async def _renew_with_app_password(
        self, memory: StoredSession, reason: str
    ) -> StoredSession:
        """Exchange the session's app password again for a new access token.

        Unlike a refresh token, an app password is not used up by an
        exchange, so a lost answer is simply retried later. A refusal means
        the app password was revoked or expired: the session ends.
        """
        engine = self._engine
        assert memory.app_password is not None
        sent_at = engine.clock.time()
        try:
            result = await engine.api.app_login(
                memory.app_password, fingerprint=memory.fingerprint
            )
        except (BadCredentials, SessionExpired) as exc:
            engine._keeper.audit("app_password_auth_failed", "refused")
            message = (
                "the app password this session signed in with was refused "
                f"({exc.message}); sign in again"
            )
            await engine._keeper.finish("revoked", message, delete=True)
            raise SessionExpired(message, "revoked") from None
        except A7Error as exc:
            self._schedule_retry(exc, announce=True)
            raise

        statefile.remove(self._hold_off_path)
        renewed = memory.rotated(result.access_token, None, sent_at, result.expires_in)
        await engine._keeper.store(renewed)  # before any caller sees the token
        engine._keeper.install(renewed, reason=reason)
        engine._keeper.audit("app_password_auth_success", "success", renewal=True)
        engine._set_offline(False)
        return renewed

    async def _cannot_refresh(
        self, memory: StoredSession, rejected: bool
    ) -> StoredSession:
        """The session has no usable refresh token: keep it while it lasts."""
        engine = self._engine
        if memory.refresh_token is not None:
            # Presented before (a lost answer, or a crash before saving):
            # never again; store the session without it.
            memory = memory.without_refresh_token()
            await engine._keeper.store(memory)
            engine._keeper.replace(memory)
        if rejected or memory.expires_in(engine.clock.time()) <= 0:
            await engine._keeper.finish(
                "expired", "the session expired; sign in again", delete=True
            )
            raise engine._keeper.ended_error()
        raise SessionExpired(
            "this session cannot be renewed; sign in again when it ends",
            "not_refreshable",
        )

    async def _token_maybe_spent(
        self, memory: StoredSession, rejected: bool, error: A7Error
    ) -> None:
        """Retire a refresh token the server may have consumed; end if useless.

        Raises SessionExpired when the session ends here; otherwise returns
        and the caller re-raises ``error``.
        """
        engine = self._engine
        _log.warning(
            "refresh outcome unknown (%s); the refresh token is retired", error
        )
        downgraded = memory.without_refresh_token()
        await engine._keeper.store(downgraded)
        engine._keeper.replace(downgraded)
        engine._keeper.audit("token_refresh_failed", "failure", reason="answer_lost")
        engine._keeper.record_failure(str(error))
        engine._emit(RefreshFailed("answer_lost", LOST_MESSAGE, retrying=False))
        if rejected or downgraded.expires_in(engine.clock.time()) <= 0:
            await engine._keeper.finish("answer_lost", LOST_MESSAGE, delete=True)
            raise engine._keeper.ended_error() from None

    def _check_hold_off(self) -> None:
        """Refuse to send anything while the server's Retry-After runs."""
        until = statefile.read_json(self._hold_off_path)
        now = self._engine.clock.time()
        if isinstance(until, int | float) and until > now:
            self.retry_at = float(until)
            raise RateLimited(
                "the server asked to wait before renewing the session: "
                f"{math.ceil(until - now)} s left",
                until - now,
            )

    def _schedule_retry(self, error: A7Error, *, announce: bool) -> None:
        engine = self._engine
        retry_after = getattr(error, "retry_after", None)
        wait = self._backoff.wait(self._attempt, retry_after)
        self._attempt += 1
        self.retry_at = engine.clock.time() + wait
        if retry_after is not None:
            # What the server asked for, capped as the backoff caps it.
            hold = engine.clock.time() + min(float(retry_after), wait)
            statefile.write_json(self._hold_off_path, hold)
        reason = _failure_reason(error)
        if isinstance(error, ServerUnavailable):
            engine._set_offline(True)
        if announce:
            engine._keeper.audit("token_refresh_failed", "retrying", reason=reason)
        engine._keeper.record_failure(str(error))
        engine._emit(
            RefreshFailed(reason, str(error), retrying=True, retry_at=self.retry_at)
        )


def _failure_reason(error: A7Error) -> str:
    if isinstance(error, RateLimited):
        return "rate_limited"
    if isinstance(error, ServerUnavailable):
        return "server_unavailable"
    if isinstance(error, LockBusy):
        return "lock_busy"
    if isinstance(error, VaultError):
        return "vault"
    return "protocol"
