"""The current session in memory, its copy in the vault, and why it ended.

:class:`SessionKeeper` is the bookkeeping half of the session engine: every
change of the session goes through one of its methods, which keep memory and
vault in step, write the security log and emit the matching event. It makes
no network calls and decides nothing about when to refresh; the engine and
its refresher do.
"""

from __future__ import annotations

from collections.abc import Callable

from a7desktop.core.audit import AuditLog
from a7desktop.core.clock import Clock
from a7desktop.core.config import Profile
from a7desktop.core.errors import A7Error, NotSignedIn, SessionExpired, VaultError
from a7desktop.core.events import Event, Refreshed, RefreshRecord, SignedOut
from a7desktop.core.log import get_logger
from a7desktop.core.models import StoredSession
from a7desktop.core.vault import MemoryVault, Vault

VaultLike = Vault | MemoryVault

_log = get_logger("auth")


def differs(a: StoredSession, b: StoredSession) -> bool:
    """True when ``a`` and ``b`` hold different tokens."""
    return a.refresh_token != b.refresh_token or a.access_token != b.access_token


class SessionKeeper:
    """Holds one profile's session and mirrors it to the vault.

    Attributes:
        session: the session in use, or ``None``.
        persisted: whether the vault holds ``session`` (False in memory-only mode).
        storage_problem: why the last write to the vault failed, if it did.
        vault_error: the error that kept the stored session from loading.
        ended: the last :class:`SignedOut`, for the error later callers get.
        last_refresh: the last refresh's outcome.
    """

    def __init__(
        self,
        profile: Profile,
        vault: VaultLike,
        audit: AuditLog,
        clock: Clock,
        emit: Callable[[Event], None],
        changed: Callable[[], None],
    ) -> None:
        self.profile = profile
        self.vault = vault
        self.clock = clock
        self._audit = audit
        self._emit = emit
        self._changed = changed
        self.session: StoredSession | None = None
        self.persisted = False
        self.storage_problem: str | None = None
        self.vault_error: VaultError | None = None
        self.ended: SignedOut | None = None
        self.last_refresh: RefreshRecord | None = None

    async def load(self) -> None:
        """Take the stored session of this profile and server, if there is one.

        Raises:
            VaultError: the keyring is locked, failed, or holds an unreadable
                item; the keeper is left signed out, in memory-only mode.
        """
        try:
            await self.vault.open()
            stored = await self.vault.load_session(self.profile.name)
        except VaultError as exc:
            self.vault_error = exc
            self.storage_problem = str(exc)
            _log.warning("could not load the stored session: %s", exc)
            self._changed()
            raise
        self.vault_error = None
        if stored is not None and stored.server == self.profile.server:
            self.session = stored
            self.persisted = True
        self._changed()

    def current(self) -> StoredSession:
        """The session in use; raises the error that explains its absence."""
        if self.session is not None:
            return self.session
        raise self.ended_error()

    def ended_error(self) -> A7Error:
        """Why there is no session: a locked vault, how it ended, or never signed in."""
        if self.vault_error is not None:
            return self.vault_error
        ended = self.ended
        if ended is not None and ended.reason != "signed_out":
            return SessionExpired(ended.message, ended.reason)
        return NotSignedIn(
            f"not signed in to {self.profile.server} (profile {self.profile.name}); "
            "sign in first"
        )

    def audit(self, event: str, outcome: str, **detail: object) -> None:
        self._audit.record(event, self.profile.name, outcome, **detail)

    def record_failure(self, message: str) -> None:
        self.last_refresh = RefreshRecord("failed", self.clock.time(), message)

    async def store(self, session: StoredSession) -> None:
        """Write ``session`` to the vault; on failure keep it in memory only."""
        try:
            await self.vault.save_session(session)
        except VaultError as exc:
            self.persisted = False
            self.storage_problem = str(exc)
            _log.warning("the session is kept in memory only: %s", exc)
            self.audit("vault_unavailable", "failure", error=type(exc).__name__)
        else:
            self.persisted = True
            self.storage_problem = None
            self.vault_error = None

    def signed_in(self, session: StoredSession) -> None:
        """Use a session from a new sign-in (already stored or refused by the vault)."""
        self.session = session
        self.ended = None
        self.vault_error = None
        self._changed()

    def replace(self, session: StoredSession) -> None:
        """Swap in a changed copy of the current session, without an event."""
        self.session = session
        self._changed()

    def install(self, session: StoredSession, *, reason: str) -> None:
        """Use a freshly refreshed session."""
        self.session = session
        self.last_refresh = RefreshRecord("refreshed", self.clock.time())
        self.audit("token_refresh_success", "success", reason=reason)
        self._emit(Refreshed(session.expires_at, reason))
        self._changed()

    def adopt(self, session: StoredSession) -> None:
        """Use a session another process stored (it refreshed first)."""
        self.session = session
        self.persisted = True
        self.last_refresh = RefreshRecord("adopted", self.clock.time())
        self.audit("session_adopted", "success")
        self._emit(Refreshed(session.expires_at, "adopted", adopted=True))
        self._changed()

    async def finish(
        self, reason: str, message: str, *, delete: bool, always: bool = False
    ) -> None:
        """End the session: wipe memory, and the vault item if it is still ours.

        The caller holds the session locks. ``always`` deletes the vault item
        even if it holds another session (an explicit sign-out of the profile).

        Raises:
            VaultError: only with ``always``, when the item could not be removed.
        """
        session, self.session = self.session, None
        self.persisted = False
        self.ended = SignedOut(reason, message)
        try:
            if (delete and session is not None) or always:
                await self._delete_stored(session, always)
        finally:
            if reason != "signed_out":
                self.audit("session_ended", "ended", reason=reason)
            self._emit(SignedOut(reason, message))
            self._changed()

    async def _delete_stored(self, session: StoredSession | None, always: bool) -> None:
        name = self.profile.name
        try:
            if not always:
                stored = await self.vault.load_session(name)
                if stored is None or session is None or differs(stored, session):
                    return  # another process stored a newer session: not ours to end
            await self.vault.delete_session(name)
        except VaultError as exc:
            _log.warning("could not remove the stored session: %s", exc)
            if always:
                raise
