"""A keyring that takes 5 s to answer (an unlock prompt) never freezes the window.

The window's vault is given the test session's real Secret Service, wrapped
so that one chosen item takes five seconds to read. While that read is in
flight the test works the window as a person would and counts what the
event loop did; nothing here measures how long anything took.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from keyring.backends.SecretService import Keyring as SecretServiceKeyring
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot
from ui_harness import Ui, close_window, make_profile, open_window, sign_in

from a7desktop.core.vault import Vault
from a7desktop.emulator import EmulatorServer

PROMPT_SECONDS = 5.0

pytestmark = pytest.mark.keyring


class UnlockPrompt(SecretServiceKeyring):
    """The real Secret Service; reading the item named in :attr:`slow_item`
    first waits five seconds, as a read does while an unlock prompt is open."""

    def __init__(self) -> None:
        super().__init__()
        self.slow_item = ""
        self.waiting = threading.Event()
        self.answered = threading.Event()

    def get_password(self, service: str, username: str) -> Any:
        if self.slow_item and username.endswith(self.slow_item):
            self.waiting.set()
            time.sleep(PROMPT_SECONDS)
            self.answered.set()
        return super().get_password(service, username)


class Counter(QObject):
    """Counts what the event loop delivered: timer ticks and paints."""

    def __init__(self) -> None:
        super().__init__()
        self.ticks = 0
        self.paints = 0
        self.timer = QTimer(self)
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._on_timer_timeout)

    def _on_timer_timeout(self) -> None:
        self.ticks += 1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


@pytest.fixture
def slow(
    a7home: Path,
    qloop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    emulator: EmulatorServer,
) -> Iterator[tuple[Ui, UnlockPrompt]]:
    """The window with a keyring that can be told to answer slowly."""
    keyring = UnlockPrompt()
    profile = make_profile(emulator)
    window, services = open_window(
        qtbot, emulator, profile, vault=Vault(backend=keyring)
    )
    yield Ui(qtbot, window, services, emulator), keyring
    keyring.slow_item = ""
    close_window(qtbot, window, services)


def test_a_five_second_keyring_read_never_freezes_the_window(
    slow: tuple[Ui, UnlockPrompt],
) -> None:
    """R29: while copying waits on the keyring, the window paints and answers."""
    ui, keyring = slow
    sign_in(ui)
    created = ui.run(ui.services.app_passwords.create("slow keyring", keep=True))
    page = ui.window.app_passwords
    ui.window.show_page(1)
    ui.wait_until(lambda: page.select_id(created.info.id))
    counter = Counter()
    page.count_label.installEventFilter(counter)
    keyring.slow_item = created.info.id

    ui.qtbot.mouseClick(page.copy_button, Qt.MouseButton.LeftButton)
    ui.wait_until(keyring.waiting.is_set)
    counter.timer.start()

    # A person types a filter (applied by a timer) and the count repaints.
    ui.qtbot.keyClicks(page.filter, "no such name")
    ui.wait_until(lambda: page.count_label.text() == "1 app password, 0 shown")
    ui.wait_until(lambda: counter.paints > 0)
    # ... and goes back to the account page with its shortcut.
    ui.qtbot.keyClick(ui.window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    ui.wait_until(lambda: ui.window.stack.currentIndex() == 0)
    # All of that happened while the keyring had not answered yet.
    assert not keyring.answered.is_set()

    ui.wait_until(keyring.answered.is_set)
    ticks = counter.ticks
    ui.wait_until(lambda: QGuiApplication.clipboard().text() == created.token)
    # About 250 ticks of 20 ms fit in five seconds; a frozen loop gives one.
    assert ticks >= 25
    page.count_label.removeEventFilter(counter)
