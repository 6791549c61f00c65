"""``a7desktop --self-test``: prove an installed window can start.

Paints the main window once (``QT_QPA_PLATFORM=offscreen`` works), renders
every shipped icon, then asks which keyring backend would hold secrets. It
prints one line and returns 0, or 1 with the reason. The packaging smoke
test and the startup benchmark run it; it never touches the network, never
reads or writes a secret and never takes the single-instance socket.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QDeadlineTimer
from PySide6.QtWidgets import QApplication

from a7desktop.core.log import get_logger
from a7desktop.ui import icons
from a7desktop.ui.app import finish_application
from a7desktop.ui.context import StartOptions, WindowContext

log = get_logger("ui")

PAINT_DEADLINE_MS = 10_000


def _paint_once(options: StartOptions) -> float:
    """Show the window until its first paint; return the seconds it took."""
    from a7desktop.ui.window import MainWindow

    started = time.perf_counter()
    window = MainWindow(WindowContext(options))
    painted: list[bool] = []
    window.first_painted.connect(lambda: painted.append(True))
    window.show()
    deadline = QDeadlineTimer(PAINT_DEADLINE_MS)
    while not painted and not deadline.hasExpired():
        QApplication.processEvents()
        time.sleep(0.005)
    if not painted:
        raise RuntimeError("the window was not painted within 10 s")
    # Every page is built after the first frame; build the rest now, and
    # grab() renders every child too: a widget that fails shows here.
    finish_application()
    window.ensure_pages()
    if window.grab().isNull():
        raise RuntimeError("the window could not be rendered")
    elapsed = time.perf_counter() - started
    window.prepare_quit()
    window.close()
    window.deleteLater()
    return elapsed


def _keyring_report() -> str:
    import logging

    from a7desktop.core.vault import Vault

    # The report below says what the vault would log as a warning.
    vault_log = get_logger("vault")
    level = vault_log.level
    vault_log.setLevel(logging.ERROR)
    vault = Vault(timeout=5.0)
    try:
        storage = vault.storage()
    finally:
        vault.close()
        vault_log.setLevel(level)
    if storage.persistent:
        return f"keyring {storage.backend}"
    return f"memory only ({storage.reason or storage.backend})"


def run_self_test(options: StartOptions) -> int:
    """Run the checks; print one line; return the exit status."""
    try:
        paint_seconds = _paint_once(options)
        icon_count = icons.check_all()
        keyring = _keyring_report()
    except Exception as error:
        print(f"a7desktop self-test: FAILED: {error}", file=sys.stderr)
        return 1
    print(
        f"a7desktop self-test: ok; window painted in {paint_seconds * 1000:.0f} ms; "
        f"{icon_count} icons; {keyring}"
    )
    return 0
