"""The vault: secrets in the OS keyring, and nowhere else.

Items (all under the keyring service ``a7desktop``):

======================  ===============================================
``session:<profile>``   the whole :class:`StoredSession` as JSON, so
                        ``a7desktop token`` costs one keyring read
``<kind>:<name>``       a kept secret; kinds are ``app_password`` and
                        ``mcp_key``
``index:<kind>``        the names of the kept secrets of one kind (a
                        keyring cannot list its items)
======================  ===============================================

There is no plaintext fallback, ever. With no keyring, a failing one, or only
an insecure one, :class:`Vault` keeps everything in this process's memory
and :meth:`Vault.storage` says so with a reason. A locked keyring raises
:class:`VaultLocked` from every call: it is never taken for "nothing
stored", and nothing is deleted because of it. A secret larger than the
backend accepts raises :class:`SecretTooLarge` and is not stored, never
truncated.

:class:`MemoryVault` has the same interface and keeps items in a dict; it is
the fake in tests, and one contract suite runs against both.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from a7desktop.core.errors import SecretTooLarge, VaultError
from a7desktop.core.keyring_backend import (
    Choice,
    KeyringWorker,
    choose_backend,
    translate,
)
from a7desktop.core.log import get_logger, register_secret
from a7desktop.core.models import StoredSession

T = TypeVar("T")

SERVICE = "a7desktop"
SECRET_KINDS = frozenset({"app_password", "mcp_key"})
DEFAULT_TIMEOUT = 10.0

_log = get_logger("vault")


@dataclass(frozen=True)
class StorageInfo:
    """Where secrets go: the backend's name, and whether they outlive the process."""

    backend: str
    persistent: bool
    reason: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "backend": self.backend,
            "persistent": self.persistent,
            "reason": self.reason,
        }


class _Named(Protocol):
    @property
    def name(self) -> str: ...


# A profile's name, or anything with a ``name`` (a resolved Profile).
ProfileKey = str | _Named


def _key(profile: ProfileKey) -> str:
    return profile if isinstance(profile, str) else profile.name


def _check_kind(kind: str) -> None:
    if kind not in SECRET_KINDS:
        raise ValueError(f"unknown secret kind {kind!r}")


class _Items:
    """The vault's logic over three primitive item operations.

    Subclasses supply ``_get``/``_set``/``_delete`` (run on whatever thread
    :meth:`_call` chooses) and the largest secret they take (``_limit`` or
    :meth:`_size_limit`). Each public operation runs as one unit, so an item
    and its index are updated together.
    """

    _limit: tuple[int, str] | None = None

    def _get(self, username: str) -> str | None:
        raise NotImplementedError

    def _set(self, username: str, value: str) -> None:
        raise NotImplementedError

    def _delete(self, username: str) -> None:
        raise NotImplementedError

    async def _call(self, work: Callable[[], T], action: str) -> T:
        raise NotImplementedError

    def _call_sync(self, work: Callable[[], T], action: str) -> T:
        raise NotImplementedError

    def storage(self) -> StorageInfo:
        raise NotImplementedError

    def _backend_name(self) -> str:
        raise NotImplementedError

    # -- checks -------------------------------------------------------------

    def _size_limit(self) -> tuple[int, str] | None:
        return self._limit

    def _check_size(self, what: str, value: str) -> None:
        size_limit = self._size_limit()
        if size_limit is None:
            return
        limit, encoding = size_limit
        size = len(value.encode(encoding))
        if size > limit:
            raise SecretTooLarge(
                f"the {what} is {size} bytes, more than the {limit} bytes this "
                f"keyring ({self._backend_name()}) accepts; it was not stored"
            )

    # -- sessions -----------------------------------------------------------

    def _load_session(self, profile_key: ProfileKey) -> StoredSession | None:
        text = self._get(f"session:{_key(profile_key)}")
        if text is None:
            return None
        session = StoredSession.from_json(text)
        register_secret(session.access_token)
        register_secret(session.refresh_token)
        return session

    def _save_session(self, session: StoredSession) -> None:
        text = session.to_json()
        self._check_size("stored session", text)
        self._set(f"session:{session.profile}", text)

    async def load_session(self, profile_key: ProfileKey) -> StoredSession | None:
        """The stored session of a profile, or ``None`` if there is none.

        Raises:
            VaultLocked: the keyring is locked (or did not answer in time).
            VaultError: the keyring failed, or the item is unreadable.
        """
        return await self._call(
            lambda: self._load_session(profile_key), "read the session"
        )

    def load_session_sync(self, profile_key: ProfileKey) -> StoredSession | None:
        """:meth:`load_session` for code without an event loop (``a7desktop token``)."""
        return self._call_sync(
            lambda: self._load_session(profile_key), "read the session"
        )

    async def save_session(self, session: StoredSession) -> None:
        """Store ``session`` under its profile, replacing the previous one.

        Raises:
            SecretTooLarge: the session does not fit this keyring.
            VaultLocked, VaultError: as for :meth:`load_session`.
        """
        await self._call(lambda: self._save_session(session), "save the session")

    async def delete_session(self, profile_key: ProfileKey) -> None:
        """Remove a profile's stored session; absent is fine, locked raises."""
        await self._call(
            lambda: self._delete(f"session:{_key(profile_key)}"), "remove the session"
        )

    # -- kept secrets -------------------------------------------------------

    def _names(self, kind: str) -> list[str]:
        text = self._get(f"index:{kind}")
        if text is None:
            return []
        try:
            names = json.loads(text)
        except (ValueError, RecursionError):
            names = None
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            _log.warning(
                "the index of kept %s secrets is unreadable; rebuilding it", kind
            )
            return []
        return names

    def _set_secret(self, kind: str, name: str, value: str) -> None:
        self._check_size(f"{kind.replace('_', ' ')} {name!r}", value)
        self._set(f"{kind}:{name}", value)
        names = self._names(kind)
        if name not in names:
            self._set(f"index:{kind}", json.dumps([*names, name]))

    def _delete_secret(self, kind: str, name: str) -> None:
        self._delete(f"{kind}:{name}")
        names = self._names(kind)
        if name in names:
            names.remove(name)
            self._set(f"index:{kind}", json.dumps(names))

    def _get_secret(self, kind: str, name: str) -> str | None:
        value = self._get(f"{kind}:{name}")
        register_secret(value)
        return value

    async def get_secret(self, kind: str, name: str) -> str | None:
        """A kept secret, or ``None``; locked raises :class:`VaultLocked`."""
        _check_kind(kind)
        return await self._call(
            lambda: self._get_secret(kind, name), f"read the {kind}"
        )

    async def set_secret(self, kind: str, name: str, value: str) -> None:
        """Keep ``value`` under ``(kind, name)``, replacing an older one."""
        _check_kind(kind)
        register_secret(value)
        await self._call(
            lambda: self._set_secret(kind, name, value), f"store the {kind}"
        )

    async def delete_secret(self, kind: str, name: str) -> None:
        """Forget a kept secret; absent is fine, locked raises."""
        _check_kind(kind)
        await self._call(lambda: self._delete_secret(kind, name), f"remove the {kind}")

    async def list_secret_names(self, kind: str) -> list[str]:
        """The names kept for ``kind``, in the order they were first kept."""
        _check_kind(kind)
        return await self._call(lambda: self._names(kind), f"list the kept {kind}s")


class MemoryVault(_Items):
    """The vault's interface over a dict in this process; nothing persists.

    Args:
        reason: why secrets are in memory (shown by :meth:`storage`).
        max_secret_bytes: refuse larger secrets (UTF-8), as a small keyring would.
    """

    def __init__(
        self, *, reason: str | None = None, max_secret_bytes: int | None = None
    ):
        self._items: dict[str, str] = {}
        self._reason = reason or "secrets are kept in memory only"
        self._limit = None if max_secret_bytes is None else (max_secret_bytes, "utf-8")

    def _get(self, username: str) -> str | None:
        return self._items.get(username)

    def _set(self, username: str, value: str) -> None:
        self._items[username] = value

    def _delete(self, username: str) -> None:
        self._items.pop(username, None)

    async def _call(self, work: Callable[[], T], action: str) -> T:
        return work()

    def _call_sync(self, work: Callable[[], T], action: str) -> T:
        return work()

    async def open(self) -> StorageInfo:
        """Nothing to detect; returns :meth:`storage`."""
        return self.storage()

    def storage(self) -> StorageInfo:
        return StorageInfo("memory", False, self._reason)

    def _backend_name(self) -> str:
        return "memory"

    def close(self) -> None:
        """Nothing to release; here for interface parity with :class:`Vault`."""


class Vault(_Items):
    """The OS keyring, called on one worker thread with a deadline per call.

    Args:
        service: the keyring service name the items are filed under.
        timeout: seconds a call may take (queueing included) before it
            raises :class:`VaultTimeout`, a kind of :class:`VaultLocked`.
        backend: a keyring backend to use instead of keyring's choice (tests).
    """

    def __init__(
        self,
        *,
        service: str = SERVICE,
        timeout: float = DEFAULT_TIMEOUT,
        backend: object | None = None,
    ) -> None:
        self.service = service
        self.timeout = timeout
        self._requested = backend
        self._choice: Choice | None = None
        self._memory: dict[str, str] | None = None
        self._worker = KeyringWorker()

    # -- backend ------------------------------------------------------------

    def _ensure_choice(self) -> Choice:
        """On the worker: choose the backend once; fall back to memory if none."""
        if self._choice is None:
            choice = choose_backend(self._requested)
            if choice.backend is None:
                _log.warning("keyring unusable: %s", choice.reason)
                self._memory = {}
            else:
                _log.debug("keyring backend: %s", choice.name)
            self._choice = choice
        return self._choice

    async def open(self) -> StorageInfo:
        """Choose the backend now, off the event loop; return :meth:`storage`."""
        await self._worker.run(self._ensure_choice, self.timeout, "open the keyring")
        return self.storage()

    def storage(self) -> StorageInfo:
        """The backend in use and whether it persists; detects it if needed.

        Without a prior :meth:`open` this waits (up to the timeout) for the
        worker; a timeout is reported as non-persistent, not raised.
        """
        if self._choice is None:
            try:
                self._worker.run_sync(
                    self._ensure_choice, self.timeout, "open the keyring"
                )
            except VaultError as exc:
                return StorageInfo("unknown", False, str(exc))
        choice = self._choice
        assert choice is not None
        if choice.backend is None:
            return StorageInfo(choice.name, False, choice.reason)
        return StorageInfo(choice.name, True, None)

    # -- primitives (always on the worker thread) ---------------------------

    def _backend_name(self) -> str:
        return self._ensure_choice().name

    def _size_limit(self) -> tuple[int, str] | None:
        return self._ensure_choice().limit

    def _get(self, username: str) -> str | None:
        backend = self._ensure_choice().backend
        if self._memory is not None:
            return self._memory.get(username)
        value: Any = backend.get_password(self.service, username)
        return value if isinstance(value, str) else None

    def _set(self, username: str, value: str) -> None:
        backend = self._ensure_choice().backend
        if self._memory is not None:
            self._memory[username] = value
            return
        backend.set_password(self.service, username, value)

    def _delete(self, username: str) -> None:
        backend = self._ensure_choice().backend
        if self._memory is not None:
            self._memory.pop(username, None)
            return
        if backend.get_password(self.service, username) is None:
            return  # deleting nothing is not an error; a locked keyring raised above
        backend.delete_password(self.service, username)

    def _guarded(self, work: Callable[[], T], action: str) -> Callable[[], T]:
        def run() -> T:
            try:
                return work()
            except VaultError:
                raise
            except Exception as exc:
                raise translate(exc, action) from None

        return run

    async def _call(self, work: Callable[[], T], action: str) -> T:
        return await self._worker.run(self._guarded(work, action), self.timeout, action)

    def _call_sync(self, work: Callable[[], T], action: str) -> T:
        return self._worker.run_sync(self._guarded(work, action), self.timeout, action)

    def close(self) -> None:
        """Stop the worker thread once queued calls are done."""
        self._worker.close()
