"""The cross-process lock that makes a refresh happen once per refresh token.

Every process that may refresh a profile's session (the window, each
``a7desktop token``) takes this lock around "read the vault, refresh if still
needed, write the vault". It is an OS file lock (``filelock``: ``flock`` on
Unix, ``LockFileEx`` on Windows), so it is released when a process dies.

Waiting for it must not block the event loop, so the lock is tried without
blocking and retried on short ``asyncio`` sleeps; cancelling the wait leaves
nothing behind.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout

from a7desktop.core.errors import A7Error
from a7desktop.core.log import get_logger

_log = get_logger("refresh")


class LockBusy(A7Error):
    """Another process held the session lock for longer than we could wait."""


class ProfileLock:
    """An async context manager around one profile's lock file.

    Not reentrant: the session engine holds its own ``asyncio.Lock`` first,
    so within one engine only one coroutine ever waits here.

    Args:
        path: the lock file (its folder is created if missing).
        timeout: seconds to wait before raising :class:`LockBusy`.
        poll: seconds between attempts.
    """

    def __init__(self, path: Path | str, *, timeout: float = 60.0, poll: float = 0.05):
        self.path = Path(path)
        self.timeout = timeout
        self.poll = poll
        self._lock: FileLock | None = None

    async def __aenter__(self) -> ProfileLock:
        if self._lock is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = FileLock(str(self.path), thread_local=False)
        deadline = time.monotonic() + self.timeout
        waited = False
        while True:
            try:
                self._lock.acquire(blocking=False)
                if waited:
                    _log.debug("took the session lock after waiting")
                return self
            except Timeout:
                pass
            if time.monotonic() >= deadline:
                raise LockBusy(
                    "another a7desktop process has held the session lock for "
                    f"{self.timeout:g} s; try again"
                )
            waited = True
            await asyncio.sleep(self.poll)

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._lock is not None
        self._lock.release()
