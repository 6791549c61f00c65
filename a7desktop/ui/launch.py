"""From the command line to a running window, first frame first.

:func:`launch` is what ``a7desktop`` runs (through
:func:`a7desktop.ui.app.run_window`):

1. the single-instance guard: when a window of this user already runs, it
   is asked to come to the front and this process exits (where that cannot
   be the case, see :func:`~a7desktop.ui.instance.may_be_running`, the guard
   starts listening after the first frame instead);
2. the window's first frame is shown and painted by a plain Qt event loop,
   before asyncio, qasync, the icons or any page is loaded (a window
   started in the tray is not shown, so nothing waits for it);
3. then :func:`a7desktop.ui.shell.run_shell` loads the rest and runs the
   program on a qasync event loop until it quits.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from a7desktop.ui.app import finish_application
from a7desktop.ui.context import StartOptions, WindowContext
from a7desktop.ui.instance import InstanceGuard, default_server_name, may_be_running
from a7desktop.ui.window import MainWindow

# A window that is never painted (a headless session, a hidden desktop)
# must not hold the program back for long.
FIRST_PAINT_WAIT_MS = 2000


def wait_for_first_paint(window: MainWindow, timeout_ms: int) -> bool:
    """Run Qt's event loop until ``window`` was painted; False on timeout."""
    painted: list[bool] = []
    waiter = QEventLoop()
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(waiter.quit)

    def done() -> None:
        painted.append(True)
        waiter.quit()

    window.first_painted.connect(done)
    deadline.start(timeout_ms)
    waiter.exec()
    deadline.stop()
    window.first_painted.disconnect(done)
    return bool(painted)


def _load_asyncio() -> None:
    import asyncio  # noqa: F401 (loaded now, used by the shell)


def _claim(name: str) -> InstanceGuard | None:
    """Listen as the only window of this user; None if another one answered."""
    guard = InstanceGuard(name)
    if guard.listen():
        return guard
    print(
        "a7desktop: already running; its window was brought to the front",
        file=sys.stderr,
    )
    return None


def launch(options: StartOptions) -> int:
    """Run the window until it quits; a second start raises the first."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)

    name = default_server_name()
    guard: InstanceGuard | None = None
    if may_be_running(name):
        guard = _claim(name)
        if guard is None:
            return 0
    window = MainWindow(WindowContext(options))
    if not (options.minimized and QSystemTrayIcon.isSystemTrayAvailable()):
        window.show()
        wait_for_first_paint(window, FIRST_PAINT_WAIT_MS)
    if guard is None:
        # Nobody listened before; another start may have won the race since.
        guard = _claim(name)
        if guard is None:
            window.hide()
            return 0
    guard.raise_requested.connect(window.bring_to_front)
    try:
        # One piece at a time, letting the window paint and build its next
        # page in between: several short pauses instead of one long one.
        for step in (finish_application, _load_asyncio):
            step()
            app.processEvents()

        from a7desktop.ui.shell import run_shell

        return run_shell(options, window)
    finally:
        guard.close()
