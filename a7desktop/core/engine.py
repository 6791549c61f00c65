"""The session engine: the only writer of a profile's session.

Sign-in of every kind, refresh, sign-out and the end of a session all go
through :class:`SessionEngine`; the window and the command line are two views
of it. It keeps the session (see :mod:`.keeper`), refreshes it before it
expires (see :mod:`.scheduler`) and when the server refuses a token (see
:mod:`.refresh`), and tells listeners what happened through plain events
(see :mod:`.events`).

All methods run on one event loop; none blocks it. Keyring calls go to the
vault's worker thread, the cross-process lock is polled.
"""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar

import httpx

from a7desktop.core.api import ApiClient
from a7desktop.core.audit import AuditLog
from a7desktop.core.clock import Clock, SystemClock
from a7desktop.core.config import Profile
from a7desktop.core.errors import (
    A7Error,
    ServerUnavailable,
    TokenRejected,
)
from a7desktop.core.events import (
    Event,
    EventBus,
    Listener,
    RefreshRecord,
    SessionState,
    StateChanged,
)
from a7desktop.core.fingerprint import device_fingerprint
from a7desktop.core.keeper import SessionKeeper, VaultLike
from a7desktop.core.locking import ProfileLock
from a7desktop.core.log import get_logger
from a7desktop.core.models import StoredSession
from a7desktop.core.presented import PresentedTokens
from a7desktop.core.refresh import AsyncLock, Refresher
from a7desktop.core.retry import Backoff
from a7desktop.core.scheduler import (
    DEFAULT_CHECK_INTERVAL,
    REFRESH_BACKOFF,
    RefreshScheduler,
)
from a7desktop.core.signin import SignIn
from a7desktop.core.vault import StorageInfo, Vault

__all__ = ["SessionEngine", "SessionState", "VaultLike", "open_engine"]

T = TypeVar("T")

_log = get_logger("auth")


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
        profile, api, vault, clock: as given.
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
        self._bus = EventBus()
        self._offline = False
        self._state = SessionState.SIGNED_OUT
        self._retry_not_before = {}
        self._keeper = SessionKeeper(
            profile,
            vault,
            audit or AuditLog(profile.audit_path),
            self.clock,
            self._bus.emit,
            self._session_changed,
        )
        self._refresher = Refresher(
            self,
            lock or ProfileLock(profile.lock_path),
            PresentedTokens(profile.state_dir / "presented-refresh-tokens.json"),
            backoff,
        )
        self._scheduler = RefreshScheduler(self, self.clock, check_interval)

    # -- life cycle -------------------------------------------------------------

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
        if schedule_refresh:
            self._scheduler.start()
        await self._keeper.load()

    async def reload(self) -> None:
        """Read the vault again (after the person unlocked the keyring)."""
        async with self._refresher.exclusive():
            await self._keeper.load()

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
        return self._keeper.session

    @property
    def state(self) -> SessionState:
        return self._state

    @property
    def storage(self) -> StorageInfo:
        """Where the session is kept; ``persistent`` is False when only in memory."""
        info = self.vault.storage()
        if self._keeper.storage_problem is not None:
            return StorageInfo(info.backend, False, self._keeper.storage_problem)
        return info

    @property
    def next_refresh_at(self) -> float | None:
        """When the timer will next refresh (epoch seconds), if it will."""
        session = self._keeper.session
        if session is None or not session.refreshable:
            return None
        return self._scheduler.next_due()

    @property
    def last_refresh(self) -> RefreshRecord | None:
        return self._keeper.last_refresh

    def audit_event(self, event: str, outcome: str, **detail: object) -> None:
        """Add an event to the profile's security log (names, never secrets)."""
        self._keeper.audit(event, outcome, **detail)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every event; returns the unsubscribe function."""
        return self._bus.subscribe(listener)

    def lead_seconds(self, session: StoredSession) -> float:
        """The refresh lead for ``session``: the profile's, at most half its life.

        Halving keeps a short-lived token (a test server, a strict policy)
        from being refreshed the moment it arrives.
        """
        return min(self.profile.refresh_lead_seconds, session.lifetime / 2)

    # -- tokens and requests ----------------------------------------------------

    async def access_token(self, min_ttl: float = 0.0) -> str:
        """A valid access token, refreshed first if it expires within ``min_ttl``.

        ``min_ttl`` is capped at half the token's lifetime. If the refresh
        fails for any reason that leaves the session in place (server
        unreachable, rate limited, a malformed answer, another process holding
        the lock), the current token is returned while it is still valid.

        Raises:
            NotSignedIn: no session. VaultLocked: the keyring was locked at start.
            SessionExpired: the session ended (the message says why).
            A7Error: the token expired and the refresh failed (its kind says why).
        """
        session = self._keeper.current()
        need = min(max(min_ttl, 0.0), session.lifetime / 2)
        left = session.expires_in(self.clock.time())
        if left > need:
            return session.access_token
        reason = "min_ttl" if left > 0 else "expired"
        try:
            session = await self._refresher.ensure(need=need, stale=None, reason=reason)
        except A7Error as exc:
            # Whatever went wrong (an outage, a malformed answer, a busy lock),
            # a token that is still good is still handed out; only a session
            # that ended or a token that expired makes this fail.
            current = self._keeper.session
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
        current = self._keeper.current()
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
                if self._keeper.session is session:
                    await self._keeper.finish("rejected", message, delete=True)
            raise self._keeper.ended_error() from None
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
        session = self._keeper.session
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
            self._keeper.audit("user_logout", "success", server_told=told)
            await self._keeper.finish(
                "signed_out", "signed out", delete=True, always=True
            )
        return told

    # -- state, timer and sign-in plumbing ----------------------------------------

    def _session_changed(self) -> None:
        self._refresher.reset()
        self._scheduler.poke()
        self._update_state()

    def _set_offline(self, offline: bool) -> None:
        if self._offline != offline:
            self._offline = offline
            self._update_state()

    def _update_state(self) -> None:
        session = self._keeper.session
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
            self._bus.emit(StateChanged(state, previous))

    async def _install_signed_in(self, session: StoredSession) -> None:
        async with self._refresher.exclusive():
            previous = self._keeper.session
            await self._keeper.store(session)
            self._offline = False
            self._keeper.signed_in(session)
        if previous is not None and previous.server == session.server:
            await self._end_replaced_session(previous)

    async def _end_replaced_session(self, previous: StoredSession) -> None:
        """Log out the session a new sign-in replaced, so no orphan stays valid.

        Best effort: the new session is already in place, and an old one the
        server cannot be told about expires by itself.
        """
        if previous.refresh_token is None:
            return
        try:
            await self.api.logout(
                previous.refresh_token,
                previous.access_token,
                fingerprint=previous.fingerprint,
            )
        except A7Error as exc:
            _log.info("the replaced session could not be logged out: %s", exc)

    def _emit(self, event: Event) -> None:
        self._bus.emit(event)


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
