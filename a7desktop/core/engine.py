"""The session engine: the only writer of a profile's session.

Sign-in of every kind, refresh, sign-out and the end of a session all go
through :class:`SessionEngine`; the window and the command line are two views
of it. It keeps the current :class:`StoredSession` in memory, mirrors it to
the vault, refreshes it before it expires (see :mod:`.scheduler`) and when
the server refuses a token (see :mod:`.refresh`), and tells listeners what
happened through plain events (see :mod:`.events`).

All methods run on one event loop; none blocks it. Keyring calls go to the
vault's worker thread, the cross-process lock is polled.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar

import httpx

from a7desktop.core.api import ApiClient
from a7desktop.core.audit import AuditLog
from a7desktop.core.clock import Clock, SystemClock
from a7desktop.core.config import Profile, save_settings
from a7desktop.core.errors import (
    A7Error,
    NotSignedIn,
    RateLimited,
    ServerUnavailable,
    SessionExpired,
    TokenRejected,
    VaultError,
)
from a7desktop.core.events import (
    Event,
    EventBus,
    Listener,
    Refreshed,
    RefreshRecord,
    SessionState,
    SignedOut,
    StateChanged,
)
from a7desktop.core.fingerprint import (
    DeviceFingerprint,
    current_timezone_offset,
    device_fingerprint,
)
from a7desktop.core.locking import LockBusy, ProfileLock
from a7desktop.core.log import get_logger
from a7desktop.core.models import StoredSession
from a7desktop.core.presented import PresentedTokens
from a7desktop.core.refresh import AsyncLock, Refresher
from a7desktop.core.retry import Backoff
from a7desktop.core.scheduler import DEFAULT_CHECK_INTERVAL, RefreshScheduler
from a7desktop.core.signin import SignIn
from a7desktop.core.vault import MemoryVault, StorageInfo, Vault

T = TypeVar("T")
VaultLike = Vault | MemoryVault

_log = get_logger("auth")

REFRESH_BACKOFF = Backoff(base=5.0, cap=300.0)


class _Unauthorized(TokenRejected):
    """A 401 answer inside :meth:`SessionEngine.request`."""


class SessionEngine(SignIn):
    """One profile's session: sign in, keep it fresh, sign out.

    Args:
        profile: the resolved profile (server, lead time, lock path).
        api: the HTTP client for ``profile.server``.
        vault: where the session is kept.
        clock: wall clock and sleep (tests move time).
        lock: the cross-process lock (default: a file lock at
            ``profile.lock_path``).
        audit: the security log (default: at ``profile.audit_path``).
        backoff: delays between retries of a failing refresh.
        check_interval: longest sleep of the refresh timer, in seconds.

    Attributes:
        profile, api, vault: as given.
    """

    def __init__(
        self,
        profile: Profile,
        api: ApiClient,
        vault: VaultLike,
        *,
        clock: Clock | None = None,
        lock: AsyncLock | None = None,
        audit: AuditLog | None = None,
        backoff: Backoff = REFRESH_BACKOFF,
        check_interval: float = DEFAULT_CHECK_INTERVAL,
    ) -> None:
        self.profile = profile
        self.api = api
        self.vault = vault
        self.clock: Clock = clock or SystemClock()
        self._audit = audit or AuditLog(profile.audit_path)
        self._bus = EventBus()
        self._session: StoredSession | None = None
        self._persisted = False
        self._storage_problem: str | None = None
        self._vault_error: VaultError | None = None
        self._ended: SignedOut | None = None
        self._offline = False
        self._state = SessionState.SIGNED_OUT
        self._last_refresh: RefreshRecord | None = None
        presented = PresentedTokens(profile.state_dir / "presented-refresh-tokens.json")
        self._refresher = Refresher(
            self, lock or ProfileLock(profile.lock_path), presented, backoff
        )
        self._scheduler = RefreshScheduler(self, self.clock, check_interval)

    # -- life cycle -----------------------------------------------------------

    async def start(self, *, schedule_refresh: bool = True) -> None:
        """Load the stored session and (by default) start the refresh timer.

        A stored session for another server than ``profile.server`` is left
        alone and not used. With a locked keyring the engine is still ready
        (signed out, memory only, nothing deleted) and the error is raised so
        the caller can say so.

        Raises:
            VaultLocked: the keyring is locked or did not answer in time.
            VaultError: the keyring failed or the stored item is unreadable.
        """
        try:
            await self.vault.open()
            stored = await self.vault.load_session(self.profile.name)
        except VaultError as exc:
            self._vault_error = exc
            self._storage_problem = str(exc)
            _log.warning("could not load the stored session: %s", exc)
        else:
            self._vault_error = None
            if stored is not None and stored.server == self.profile.server:
                self._session = stored
                self._persisted = True
        if schedule_refresh:
            self._scheduler.start()
        self._update_state()
        if self._vault_error is not None:
            raise self._vault_error

    async def reload(self) -> None:
        """Read the vault again (after the person unlocked the keyring)."""
        async with self._refresher.exclusive():
            await self.start(schedule_refresh=self._scheduler.running)

    async def aclose(self) -> None:
        """Stop the timer, close the HTTP client and the vault's worker."""
        await self._scheduler.stop()
        await self.api.aclose()
        self.vault.close()

    async def __aenter__(self) -> SessionEngine:
        await self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- what the views read ----------------------------------------------------

    @property
    def session(self) -> StoredSession | None:
        """The current session, or ``None`` when signed out."""
        return self._session

    @property
    def state(self) -> SessionState:
        return self._state

    @property
    def storage(self) -> StorageInfo:
        """Where the session is kept; ``persistent`` is False when only in memory."""
        info = self.vault.storage()
        if self._storage_problem is not None:
            return StorageInfo(info.backend, False, self._storage_problem)
        return info

    @property
    def next_refresh_at(self) -> float | None:
        """When the timer will next refresh (epoch seconds), if it will."""
        session = self._session
        if session is None or session.refresh_token is None:
            return None
        return self._next_due()

    @property
    def last_refresh(self) -> RefreshRecord | None:
        return self._last_refresh

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every event; returns the unsubscribe function."""
        return self._bus.subscribe(listener)

    # -- tokens and requests ------------------------------------------------------

    def lead_seconds(self, session: StoredSession) -> float:
        """The refresh lead for ``session``: the profile's, at most half its life.

        Halving keeps a short-lived token (a test server, a strict policy)
        from being refreshed the moment it arrives.
        """
        return min(self.profile.refresh_lead_seconds, session.lifetime / 2)

    async def access_token(self, min_ttl: float = 0.0) -> str:
        """A valid access token, refreshed first if it expires within ``min_ttl``.

        ``min_ttl`` is capped at half the token's lifetime. If the refresh
        fails for a passing reason (server unreachable, rate limited, another
        process holding the lock) or the session cannot be renewed, the
        current token is returned while it is still valid at all.

        Raises:
            NotSignedIn: no session. VaultLocked: the keyring was locked at start.
            SessionExpired: the session ended (the message says why).
            ServerUnavailable, RateLimited: the token expired and the refresh failed.
        """
        session = self._current_session()
        need = min(max(min_ttl, 0.0), session.lifetime / 2)
        if session.expires_in(self.clock.time()) > need:
            return session.access_token
        reason = "min_ttl" if session.expires_in(self.clock.time()) > 0 else "expired"
        try:
            session = await self._refresher.ensure(need=need, stale=None, reason=reason)
        except (ServerUnavailable, RateLimited, LockBusy, SessionExpired) as exc:
            current = self._session
            if current is None or current.expires_in(self.clock.time()) <= 0:
                raise
            _log.warning("using the current access token: %s", exc)
            return current.access_token
        return session.access_token

    async def refresh(self, reason: str = "manual") -> StoredSession:
        """Refresh now (the "refresh now" button).

        A session another process stored meanwhile counts as refreshed.

        Raises: as :meth:`access_token`, without the fallback.
        """
        current = self._current_session()
        return await self._refresher.ensure(
            need=0.0, stale=current.access_token, reason=reason
        )

    async def authorized(self, call: Callable[[str], Awaitable[T]]) -> T:
        """Run ``call(access_token)``; on TokenRejected, refresh once and retry.

        A rejection of a token older than the current one is retried with the
        current token without another refresh. A retry that is rejected again
        ends the session: the person must sign in.
        """
        token = await self.access_token()
        try:
            return await call(token)
        except TokenRejected:
            _log.debug("access token refused; refreshing once")
        session = await self._refresher.ensure(
            need=0.0, stale=token, reason="rejected", rejected=True
        )
        try:
            result = await call(session.access_token)
        except TokenRejected:
            message = (
                "the server refused the session even after a refresh; sign in again"
            )
            async with self._refresher.exclusive():
                if self._session is session:
                    await self._finish("rejected", message, delete=True)
            raise self._ended_error() from None
        self._set_offline(False)
        return result

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send an authenticated request to the API (``path`` under the server).

        Adds the Bearer token; on 401, refreshes once and retries once (see
        :meth:`authorized`). ``kwargs`` go to httpx. Any other status is
        returned as it came.
        """

        async def call(token: str) -> httpx.Response:
            response = await self.api.send(method, path, bearer=token, **kwargs)
            if response.status_code == 401:
                raise _Unauthorized("the access token was refused", "rejected")
            return response

        return await self.authorized(call)

    async def heartbeat(self) -> float:
        """Ask the server whether it is there; the round trip in seconds.

        Sets and clears the OFFLINE state. Raises ServerUnavailable.
        """
        try:
            latency = await self.api.heartbeat()
        except ServerUnavailable:
            self._set_offline(True)
            raise
        self._set_offline(False)
        return latency

    async def sign_out(self) -> bool:
        """Sign out: tell the server, then wipe the session from memory and vault.

        The local wipe happens even when the server cannot be reached.
        Returns whether the server was told.

        Raises:
            VaultLocked, VaultError: the stored session could not be removed
                (memory is wiped all the same).
        """
        session = self._session
        told = False
        if session is not None:
            try:
                await self.api.logout(
                    session.refresh_token,
                    session.access_token,
                    fingerprint=session.fingerprint,
                )
                told = True
            except A7Error as exc:
                _log.warning("the server could not be told about the sign-out: %s", exc)
        async with self._refresher.exclusive():
            self._audit_event("user_logout", "success", server_told=told)
            await self._finish("signed_out", "signed out", delete=True, always=True)
        return told

    # -- what sign-in, the refresher and the timer use ----------------------------

    def _current_session(self) -> StoredSession:
        if self._session is not None:
            return self._session
        raise self._ended_error()

    def _ended_error(self) -> A7Error:
        if self._vault_error is not None:
            return self._vault_error
        ended = self._ended
        if ended is not None and ended.reason != "signed_out":
            return SessionExpired(ended.message, ended.reason)
        return NotSignedIn(
            f"not signed in to {self.profile.server} (profile {self.profile.name}); "
            "sign in first"
        )

    def _emit(self, event: Event) -> None:
        self._bus.emit(event)

    def _audit_event(self, event: str, outcome: str, **detail: object) -> None:
        self._audit.record(event, self.profile.name, outcome, **detail)

    def _record_failure(self, message: str) -> None:
        self._last_refresh = RefreshRecord("failed", self.clock.time(), message)

    def _set_offline(self, offline: bool) -> None:
        if self._offline != offline:
            self._offline = offline
            self._update_state()

    def _update_state(self) -> None:
        session = self._session
        now = self.clock.time()
        if session is None:
            state = SessionState.SIGNED_OUT
        elif self._refresher.running:
            state = SessionState.REFRESHING
        elif session.expires_in(now) <= 0:
            state = SessionState.EXPIRED
        elif self._offline:
            state = SessionState.OFFLINE
        elif session.expires_in(now) <= self.lead_seconds(session):
            state = SessionState.EXPIRING_SOON
        else:
            state = SessionState.ACTIVE
        if state is not self._state:
            previous, self._state = self._state, state
            self._emit(StateChanged(state, previous))

    async def _store(self, session: StoredSession) -> None:
        """Write ``session`` to the vault; on failure keep it in memory only."""
        try:
            await self.vault.save_session(session)
        except VaultError as exc:
            self._persisted = False
            self._storage_problem = str(exc)
            _log.warning("the session is kept in memory only: %s", exc)
            self._audit_event("vault_unavailable", "failure", error=type(exc).__name__)
        else:
            self._persisted = True
            self._storage_problem = None
            self._vault_error = None

    def _replace(self, session: StoredSession) -> None:
        """Swap in a changed copy of the current session, without an event."""
        self._session = session
        self._scheduler.poke()
        self._update_state()

    def _install(self, session: StoredSession, *, reason: str) -> None:
        """Take a freshly refreshed session into use."""
        self._session = session
        self._refresher.reset()
        self._offline = False
        self._last_refresh = RefreshRecord("refreshed", self.clock.time())
        self._audit_event("token_refresh_success", "success", reason=reason)
        self._emit(Refreshed(session.expires_at, reason))
        self._scheduler.poke()
        self._update_state()

    def _adopt(self, session: StoredSession) -> None:
        """Take over a session another process stored (it refreshed first)."""
        self._session = session
        self._persisted = True
        self._refresher.reset()
        self._last_refresh = RefreshRecord("adopted", self.clock.time())
        self._audit_event("session_adopted", "success")
        self._emit(Refreshed(session.expires_at, "adopted", adopted=True))
        self._scheduler.poke()
        self._update_state()

    async def _finish(
        self, reason: str, message: str, *, delete: bool, always: bool = False
    ) -> None:
        """End the session: wipe memory, and the vault item if it is still ours.

        The caller holds both locks. ``always`` deletes the vault item even if
        it holds another session (an explicit sign-out of the profile).

        Raises:
            VaultError: only with ``always``, when the item could not be removed.
        """
        session, self._session = self._session, None
        self._persisted = False
        self._refresher.reset()
        self._ended = SignedOut(reason, message)
        try:
            if (delete and session is not None) or always:
                await self._delete_stored(session, always)
        finally:
            if reason != "signed_out":
                self._audit_event("session_ended", "ended", reason=reason)
            self._emit(SignedOut(reason, message))
            self._scheduler.poke()
            self._update_state()

    async def _delete_stored(self, session: StoredSession | None, always: bool) -> None:
        name = self.profile.name
        try:
            if not always:
                stored = await self.vault.load_session(name)
                if stored is None or session is None or _differs(stored, session):
                    return  # another process stored a newer session: not ours to end
            await self.vault.delete_session(name)
        except VaultError as exc:
            _log.warning("could not remove the stored session: %s", exc)
            if always:
                raise

    def _next_due(self) -> float | None:
        session = self._session
        if session is None:
            return None
        if session.refresh_token is None:
            return session.expires_at
        if self._refresher.retry_at is not None:
            return self._refresher.retry_at
        return session.expires_at - self.lead_seconds(session)

    async def _on_due(self) -> None:
        """The timer's work: refresh, retry, or end a session that ran out."""
        session = self._session
        if session is None:
            return
        try:
            if session.refresh_token is None:
                if session.expires_in(self.clock.time()) <= 0:
                    async with self._refresher.exclusive():
                        if self._session is session:
                            await self._finish(
                                "expired",
                                "the session expired; sign in again",
                                delete=True,
                            )
                return
            await self._refresher.ensure(
                need=self.lead_seconds(session), stale=None, reason="scheduled"
            )
            self._refresher.retry_at = None  # refreshed, adopted, or nothing was due
        except A7Error as exc:
            _log.info("scheduled refresh did not complete: %s", exc)
        except Exception:
            _log.exception("scheduled refresh failed unexpectedly")
        due = self._next_due()
        if due is not None and due <= self.clock.time():
            # Whatever happened, the timer must not spin: wait before trying again.
            self._refresher.retry_at = self.clock.time() + REFRESH_BACKOFF.delay(0)

    # -- sign-in plumbing used by SignIn --------------------------------------

    async def _sign_in_fingerprint(self) -> DeviceFingerprint:
        settings = self.profile.settings
        offset = current_timezone_offset()
        if settings.timezone_offset != offset:
            settings.timezone_offset = offset
            try:
                await asyncio.to_thread(save_settings, self.profile.name, settings)
            except A7Error as exc:
                _log.warning("could not record the timezone offset: %s", exc)
        return device_fingerprint(settings)

    async def _install_signed_in(self, session: StoredSession) -> None:
        async with self._refresher.exclusive():
            await self._store(session)
            self._session = session
            self._refresher.reset()
            self._ended = None
            self._offline = False
            self._vault_error = None
        self._scheduler.poke()
        self._update_state()


def _differs(a: StoredSession, b: StoredSession) -> bool:
    return a.refresh_token != b.refresh_token or a.access_token != b.access_token


def open_engine(
    profile: Profile,
    *,
    vault: VaultLike | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    ssl_context: ssl.SSLContext | None = None,
    clock: Clock | None = None,
    backoff: Backoff = REFRESH_BACKOFF,
    check_interval: float = DEFAULT_CHECK_INTERVAL,
) -> SessionEngine:
    """An engine for ``profile`` with the real HTTP client and vault; not started.

    Call ``await engine.start()`` (or use ``async with``) before anything else.
    The keyword arguments replace one collaborator each (tests, the sandbox).
    """
    api = ApiClient(
        profile.server,
        device_fingerprint(profile.settings),
        transport=transport,
        ssl_context=ssl_context,
    )
    return SessionEngine(
        profile,
        api,
        vault if vault is not None else Vault(),
        clock=clock,
        backoff=backoff,
        check_interval=check_interval,
    )


__all__ = ["SessionEngine", "SessionState", "open_engine"]
