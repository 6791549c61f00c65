"""Choosing a secure keyring backend, and the one thread that talks to it.

``keyring`` blocks: D-Bus round trips, and an unlock prompt that waits for a
person. So every call runs on a single daemon worker thread
(:class:`KeyringWorker`) and the caller waits with a deadline; a call that
misses it is reported as :class:`~a7desktop.core.errors.VaultTimeout`, and a
call still queued behind it when its own deadline passes is never run. The
thread is a daemon so a keyring stuck in a prompt cannot keep the process
alive at exit.

:func:`choose_backend` refuses every backend that would write secrets where
they are not protected: the ``fail`` and ``null`` backends, anything from
``keyrings.alt`` (plain or home-made encrypted files, the registry), and any
backend whose own priority says it is not recommended (below 1). From
keyring's chainer it takes the best secure member directly, so a write can
never fall through to an insecure one.
"""

from __future__ import annotations

import concurrent.futures
import queue
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from a7desktop.core.errors import (
    VaultError,
    VaultLocked,
    VaultTimeout,
    VaultUnavailable,
)
from a7desktop.core.log import get_logger, redact

T = TypeVar("T")

_log = get_logger("vault")

_INSECURE_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")

# Windows Credential Manager stores at most 2,560 bytes of UTF-16 per item.
WINDOWS_LIMIT = (2560, "utf-16-le")


@dataclass(frozen=True)
class Choice:
    """The outcome of :func:`choose_backend`.

    ``backend`` is ``None`` when nothing secure is available, and then
    ``reason`` says why in words a person understands. ``limit`` is the
    largest secret the backend takes, as (bytes, encoding it is measured in).
    """

    backend: Any
    name: str
    reason: str | None = None
    limit: tuple[int, str] | None = None


def describe(backend: object) -> str:
    """A short display name for a keyring backend."""
    name = getattr(type(backend), "name", None)
    if isinstance(name, str) and name:
        return name
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def is_secure(backend: object) -> bool:
    """True for a backend that keeps secrets protected by the OS or a wallet."""
    module = type(backend).__module__
    if module.startswith(_INSECURE_MODULES):
        return False
    try:
        priority = float(getattr(backend, "priority", 0))
    except Exception:  # a backend's priority property may probe and fail
        return False
    return priority >= 1


def choose_backend(backend: object | None = None) -> Choice:
    """Pick the backend to use: ``backend`` if given, else keyring's default.

    Runs keyring's backend discovery, so call it on the worker thread.
    """
    if backend is None:
        try:
            import keyring

            backend = keyring.get_keyring()
        except Exception as exc:
            return Choice(None, "none", f"no keyring could be loaded ({_short(exc)})")

    candidates = list(getattr(backend, "backends", None) or [backend])
    for candidate in candidates:
        if is_secure(candidate):
            _close_connections_when_locked(candidate)
            limit = (
                WINDOWS_LIMIT
                if type(candidate).__module__.endswith("Windows")
                else None
            )
            return Choice(candidate, describe(candidate), None, limit)

    names = ", ".join(describe(candidate) for candidate in candidates) or "none"
    return Choice(
        None,
        describe(backend),
        f"no secure keyring is available (found: {names}); "
        "secrets are kept in memory only",
    )


def _close_connections_when_locked(backend: object) -> None:
    """Make keyring's Secret Service backend close its D-Bus connection on a lock.

    WORKAROUND(https://github.com/jaraco/keyring/issues/380): when the
    collection stays locked, the backend raises KeyringLocked without closing
    the connection it opened, leaking one socket per call while the keyring is
    locked. This replaces that one method on the instance with one that closes
    the connection on every failure; remove it once keyring does.
    """
    if type(backend).__module__ != "keyring.backends.SecretService":
        return

    def preferred_collection() -> Any:
        import secretstorage
        from keyring.errors import InitError, KeyringLocked

        connection = secretstorage.dbus_init()
        try:
            path = getattr(backend, "preferred_collection", None)
            try:
                collection = (
                    secretstorage.Collection(connection, path)
                    if path
                    else secretstorage.get_default_collection(connection)
                )
            except secretstorage.exceptions.SecretStorageException as exc:
                raise InitError(f"no collection to use: {exc}") from exc
            if collection.is_locked():
                collection.unlock()  # may show the desktop's unlock prompt
                if collection.is_locked():
                    raise KeyringLocked("the collection is still locked")
        except BaseException:
            connection.close()
            raise
        return collection

    backend.get_preferred_collection = preferred_collection  # type: ignore[attr-defined]


def _short(exc: BaseException) -> str:
    text = redact(str(exc)).splitlines()[0][:160] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def translate(exc: BaseException, action: str) -> VaultError:
    """Turn an exception from a keyring call into a vault error for a person.

    A locked keyring (or a locked item) is :class:`VaultLocked`, which callers
    must never take for "no credential".
    """
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & {"KeyringLocked", "LockedException"}:
        return VaultLocked(
            f"the keyring is locked, so a7desktop could not {action}; "
            "unlock it and try again (nothing was deleted)"
        )
    if names & {"InitError", "NoKeyringError"}:
        return VaultUnavailable(f"the keyring is not available ({_short(exc)})")
    return VaultError(f"the keyring failed to {action} ({_short(exc)})")


class KeyringWorker:
    """A single daemon thread running keyring calls one at a time."""

    def __init__(self, name: str = "a7desktop-vault") -> None:
        self._name = name
        self._queue: queue.SimpleQueue[
            tuple[Callable[[], Any], concurrent.futures.Future[Any]] | None
        ] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(self, call: Callable[[], T]) -> concurrent.futures.Future[T]:
        """Queue ``call``; the future settles with its result or exception."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name=self._name, daemon=True
                )
                self._thread.start()
        self._queue.put((call, future))
        return future

    def close(self) -> None:
        """Let the thread end once the queued calls are done."""
        with self._start_lock:
            if self._thread is not None:
                self._queue.put(None)
                self._thread = None

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            call, future = item
            if not future.set_running_or_notify_cancel():
                continue  # its caller gave up while it waited in the queue
            try:
                future.set_result(call())
            except BaseException as exc:
                future.set_exception(exc)

    def run_sync(self, call: Callable[[], T], deadline: float, action: str) -> T:
        """Run ``call`` on the worker and wait for it in this (non-loop) thread."""
        future = self.submit(call)
        try:
            return future.result(deadline)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise timeout_error(deadline, action) from None

    async def run(self, call: Callable[[], T], deadline: float, action: str) -> T:
        """Run ``call`` on the worker; the event loop keeps running meanwhile.

        ``deadline`` is in seconds and covers the wait in the queue too.
        """
        import asyncio  # not on the synchronous ``a7desktop token`` path

        future = self.submit(call)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), deadline)
        except TimeoutError:
            future.cancel()
            raise timeout_error(deadline, action) from None


def timeout_error(timeout: float, action: str) -> VaultTimeout:
    hint = " (is it waiting for an unlock password?)" if sys.platform != "win32" else ""
    return VaultTimeout(
        f"the keyring did not answer within {timeout:g} s, so a7desktop could not "
        f"{action}{hint}; nothing was deleted"
    )
