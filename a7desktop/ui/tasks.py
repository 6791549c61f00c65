"""Background work for the window: coroutines started from slots, kept alive.

asyncio holds only weak references to tasks, so a task nobody references can
be collected mid-flight. Every coroutine the window starts goes through one
:class:`TaskRunner`, which keeps it until it ends, logs what it did not
expect, and cancels everything still running when the application quits.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from a7desktop.core.log import get_logger

if TYPE_CHECKING:
    import asyncio

log = get_logger("ui")

T = TypeVar("T")


class TaskRunner:
    """Start coroutines on the running loop and keep them until they end."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def start(
        self,
        coro: Coroutine[Any, Any, T],
        *,
        name: str,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> asyncio.Task[T]:
        """Run ``coro`` as a task named ``name``; return the task.

        An exception the coroutine did not handle is logged (redacted) and
        passed to ``on_error`` when given; cancellation is not an error.
        """
        # Imported here: the window paints before asyncio is loaded.
        import asyncio

        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._finished(done, on_error))
        return task

    def _finished(
        self,
        task: asyncio.Task[Any],
        on_error: Callable[[BaseException], None] | None,
    ) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            return
        log.error("task %s failed: %s", task.get_name(), type(error).__name__)
        log.debug("task %s failed", task.get_name(), exc_info=error)
        if on_error is not None:
            on_error(error)

    @property
    def pending(self) -> int:
        """How many tasks are still running."""
        return len(self._tasks)

    async def cancel_all(self) -> None:
        """Cancel every running task and wait until each has ended."""
        import asyncio

        current = asyncio.current_task()
        tasks = [task for task in self._tasks if task is not current]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
