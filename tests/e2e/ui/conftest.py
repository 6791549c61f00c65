"""Driving the real window against the emulator: real HTTP, real keyring.

How asyncio and Qt share the test: :func:`qloop` installs a qasync event
loop on the test's ``QApplication`` in "already running" mode, so asyncio
treats it as the running loop while the test body stays an ordinary
function. Tasks the widgets start run whenever Qt processes events, which
is what ``qtbot.waitUntil`` and ``qtbot.waitSignal`` do; :meth:`Ui.run`
drives a coroutine to its end the same way. The test never awaits, so no
Qt event loop is ever nested inside an asyncio task.

Any Qt warning fails the test.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import QtMsgType
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from ui_harness import WAIT_MS, Ui, close_window, make_profile, open_window

from a7desktop.emulator import EmulatorConfig, EmulatorServer
from a7desktop.ui import qtfix
from a7desktop.ui.collector import MainThreadCollector

qtfix.apply()

_FAILING = (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
# The offscreen platform used in tests cannot do these (for dialogs, or to
# raise a window); a real desktop can. They say nothing about the program.
_PLATFORM_ONLY = (
    "This plugin does not support propagateSizeHints()",
    "This plugin does not support raise()",
)


@pytest.fixture(autouse=True)
def _fail_on_qt_warnings(qtlog: Any) -> Iterator[None]:
    yield
    warnings = [
        record.message
        for record in qtlog.records
        if record.type in _FAILING and record.message not in _PLATFORM_ONLY
    ]
    assert warnings == [], f"Qt warned: {warnings}"


@pytest.fixture
def qloop(qapp: QApplication, qtbot: QtBot) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop that runs whenever the test lets Qt process events."""
    collector = MainThreadCollector()
    collector.start()
    loop = qasync.QEventLoop(qapp, already_running=True)
    yield loop
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        qtbot.waitUntil(lambda: all(task.done() for task in pending), timeout=WAIT_MS)
    # WORKAROUND: loop.stop() calls QApplication.exit(), after which every
    # nested Qt event loop (qtbot.wait and friends) returns at once for the
    # rest of the session; mark the loop stopped without telling Qt.
    loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
    asyncio.events._set_running_loop(None)
    loop.close()
    # The loop's timer object must die on this thread, not in a collection
    # some server or keyring thread happens to trigger later.
    loop._timer.deleteLater()  # type: ignore[attr-defined]
    qtbot.wait(10)
    collector.stop()


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    """The emulator's configuration; override in a test module to change it."""
    return EmulatorConfig(auto_approve=True)


@pytest.fixture
def emulator(emulator_config: EmulatorConfig) -> Iterator[EmulatorServer]:
    with EmulatorServer(emulator_config) as server:
        yield server


@pytest.fixture
def profile_settings() -> dict[str, Any]:
    """Settings for the test's profile; override in a test module to change them."""
    return {}


@pytest.fixture
def ui(
    a7home: Path,
    qloop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    emulator: EmulatorServer,
    profile_settings: dict[str, Any],
) -> Iterator[Ui]:
    """The window, signed out, against a fresh emulator and profile."""
    profile = make_profile(emulator, **profile_settings)
    window, services = open_window(qtbot, emulator, profile)
    yield Ui(qtbot, window, services, emulator)
    close_window(qtbot, window, services)
