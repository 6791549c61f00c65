"""The proactive refresh timer.

It sleeps until the next moment something is due (a refresh at the lead time
before expiry, a retry after a failure, or the end of a session that cannot
be refreshed), but never longer than ``check_interval`` (30 s by default) at
a time, and compares against the wall clock each time it wakes. ``asyncio``
sleeps do not advance while a laptop is suspended, so a timer that slept the
whole way would wake hours late; this one notices within one interval of
resuming. The engine pokes it whenever the session changes.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from a7desktop.core.clock import Clock
from a7desktop.core.errors import A7Error
from a7desktop.core.log import get_logger
from a7desktop.core.retry import Backoff

if TYPE_CHECKING:
    from a7desktop.core.engine import SessionEngine

DEFAULT_CHECK_INTERVAL = 30.0
REFRESH_BACKOFF = Backoff(base=5.0, cap=300.0)

_log = get_logger("refresh")


class RefreshScheduler:
    """Runs the engine's due work on time; one background task per engine."""

    def __init__(
        self, engine: SessionEngine, clock: Clock, check_interval: float
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._interval = check_interval
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start the timer task (on the running loop); a second call does nothing."""
        if not self.running:
            self._task = asyncio.create_task(
                self._run(), name="a7desktop-refresh-timer"
            )

    def poke(self) -> None:
        """Recompute what is due now (the session changed)."""
        self._wake.set()

    async def stop(self) -> None:
        """Cancel the timer task and wait for it to end."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def next_due(self) -> float | None:
        """When something is next due (epoch seconds), or None without a session."""
        engine = self._engine
        session = engine._keeper.session
        if session is None:
            return None
        if not session.refreshable:
            return session.expires_at
        if engine._refresher.retry_at is not None:
            return engine._refresher.retry_at
        return session.expires_at - engine.lead_seconds(session)

    async def on_due(self) -> None:
        """The timer's work: refresh, retry, or end a session that ran out."""
        engine = self._engine
        keeper, refresher, clock = engine._keeper, engine._refresher, self._clock
        session = keeper.session
        if session is None:
            return
        try:
            if not session.refreshable:
                if session.expires_in(clock.time()) <= 0:
                    message = "the session expired; sign in again"
                    async with refresher.exclusive():
                        if keeper.session is session:
                            await keeper.finish("expired", message, delete=True)
                return
            await refresher.ensure(
                need=engine.lead_seconds(session), stale=None, reason="scheduled"
            )
            refresher.retry_at = None  # refreshed, adopted, or nothing was due
        except A7Error as exc:
            _log.info("scheduled refresh did not complete: %s", exc)
        except Exception:
            _log.exception("scheduled refresh failed unexpectedly")
        due = self.next_due()
        if due is not None and due <= clock.time():
            # Whatever happened, the timer must not spin: wait before trying again.
            refresher.retry_at = clock.time() + REFRESH_BACKOFF.delay(0)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            due = self.next_due()
            now = self._clock.time()
            if due is not None and now >= due:
                await self.on_due()
                continue
            self._engine._update_state()
            wait = self._interval if due is None else min(self._interval, due - now)
            await self._sleep_or_wake(wait)

    async def _sleep_or_wake(self, seconds: float) -> None:
        sleeper = asyncio.ensure_future(self._clock.sleep(seconds))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waker):
                task.cancel()
            await asyncio.gather(sleeper, waker, return_exceptions=True)
