"""The tray: its colour and tooltip follow the session, its menu acts on it.

The test platform has no tray host, but a ``QSystemTrayIcon`` still holds
its icon, tooltip and menu, which is what a tray host would show; the tests
read those and trigger the menu's actions as a click would.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QGuiApplication
from pytestqt.qtbot import QtBot
from ui_harness import Ui, sign_in, wait_signed_in, wait_signed_out

from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD, EmulatorServer
from a7desktop.ui.clipboard import KDE_HINT
from a7desktop.ui.context import StartOptions
from a7desktop.ui.shell import Shell
from a7desktop.ui.tray import Tray

# The fill of each state's shield (resources/icons/tray-<state>.svg).
FILLS = {
    "active": "#16a34a",
    "refreshing": "#2563eb",
    "expiring_soon": "#d97706",
    "expired": "#dc2626",
    "signed_out": "#6b7280",
    "offline": "#7c3aed",
}


@pytest.fixture
def tray(ui: Ui) -> Iterator[Tray]:
    """A tray for the test's window, as the program makes it on a desktop with one."""
    tray = Tray(ui.window.context, ui.window, available=True)
    ui.window.tray_available = tray.available
    tray.attach(ui.services)
    yield tray
    tray.detach()
    tray.hide()


def shield_colour(tray: Tray) -> str:
    """The colour a tray host would draw inside the icon's shield."""
    image = tray.icon.icon().pixmap(QSize(32, 32)).toImage()
    return QColor(image.pixel(9, 9)).name()


def test_the_tray_icon_and_tooltip_follow_the_session(ui: Ui, tray: Tray) -> None:
    assert shield_colour(tray) == FILLS["signed_out"]
    assert tray.icon.toolTip() == "Agent700 Desktop: Signed out"
    assert not tray.copy_action.isEnabled()

    sign_in(ui)

    ui.wait_until(lambda: shield_colour(tray) == FILLS["active"])
    tooltip = tray.icon.toolTip()
    assert tooltip.startswith("Agent700 Desktop: Active, ")
    # The emulator's access token lives 8 hours.
    assert tooltip.endswith((" h left", " min left"))
    assert tray.copy_action.isEnabled()
    assert tray.refresh_action.isEnabled()
    assert tray.sign_out_action.isEnabled()


@pytest.mark.parametrize("state", sorted(FILLS))
def test_every_state_has_its_own_colour(ui: Ui, tray: Tray, state: str) -> None:
    tray._show_state(state, None)

    assert shield_colour(tray) == FILLS[state]
    assert tray.icon.toolTip().startswith("Agent700 Desktop: ")


def test_the_tray_menu_copies_refreshes_and_signs_out(ui: Ui, tray: Tray) -> None:
    sign_in(ui)
    ui.wait_until(tray.copy_action.isEnabled)
    panel = ui.window.account.session_page

    tray.copy_action.trigger()

    clipboard = QGuiApplication.clipboard()
    ui.wait_until(lambda: clipboard.text() == ui.engine.session.access_token)
    assert bytes(clipboard.mimeData().data(KDE_HINT)) == b"secret"

    refreshes = len(ui.server.state.refresh_log)
    tray.refresh_action.trigger()

    ui.wait_until(lambda: len(ui.server.state.refresh_log) == refreshes + 1)
    ui.wait_until(lambda: panel.notice.text() == "Refreshed.")

    tray.sign_out_action.trigger()

    wait_signed_out(ui)
    ui.wait_until(lambda: shield_colour(tray) == FILLS["signed_out"])
    assert not tray.copy_action.isEnabled()


def test_open_from_the_tray_brings_the_window_back(ui: Ui, tray: Tray) -> None:
    ui.window.close()
    assert not ui.window.isVisible()

    tray.open_action.trigger()

    ui.wait_until(ui.window.isVisible)
    assert not ui.window.isMinimized()


def test_closing_keeps_the_program_in_the_tray_when_there_is_one(
    ui: Ui, tray: Tray, qtbot: QtBot
) -> None:
    sign_in(ui)

    with qtbot.assertNotEmitted(ui.window.quit_requested):
        ui.window.close()

    assert not ui.window.isVisible()
    assert tray.last_notice is not None
    assert tray.last_notice[0] == "Agent700 Desktop is still running"
    # Still running: the tray's menu still reaches the session.
    refreshes = len(ui.server.state.refresh_log)
    tray.refresh_action.trigger()
    ui.wait_until(lambda: len(ui.server.state.refresh_log) == refreshes + 1)


def test_a_session_ended_while_in_the_tray_is_announced_there(
    ui: Ui, tray: Tray
) -> None:
    """R38 from the tray: the revoked session is said where the person can see it."""
    sign_in(ui)
    ui.window.close()
    ui.server.state.revoke_sessions(DEMO_EMAIL)

    tray.refresh_action.trigger()

    ui.wait_until(lambda: ui.engine.session is None)
    ui.wait_until(lambda: (tray.last_notice or ("", ""))[0] == "Signed out of Agent700")
    assert tray.last_notice is not None
    _title, text = tray.last_notice
    assert text != "You signed out."
    tray.open_action.trigger()
    wait_signed_out(ui)
    assert ui.window.account.sign_in_page.reason.text() == text


def test_signing_out_from_the_tray_announces_nothing(ui: Ui, tray: Tray) -> None:
    sign_in(ui)
    ui.window.close()

    tray.sign_out_action.trigger()

    ui.wait_until(lambda: ui.engine.session is None)
    assert tray.last_notice is not None
    assert tray.last_notice[0] == "Agent700 Desktop is still running"


def test_with_close_to_tray_turned_off_closing_quits(ui: Ui, tray: Tray) -> None:
    settings = ui.window.settings
    ui.window.show_page(4)
    assert settings.close_to_tray.isEnabled()
    settings.close_to_tray.setChecked(False)
    settings.save_button.click()
    ui.wait_until(lambda: settings.notice.text() == "Saved.")

    with ui.qtbot.waitSignal(ui.window.quit_requested, timeout=5000):
        ui.window.close()


def test_without_a_tray_closing_quits_and_the_choice_is_off(ui: Ui) -> None:
    assert ui.window.tray_available is False
    ui.window.show_page(4)
    assert not ui.window.settings.close_to_tray.isEnabled()
    assert "no tray" in ui.window.settings.close_to_tray.toolTip()

    with ui.qtbot.waitSignal(ui.window.quit_requested, timeout=5000):
        ui.window.close()

    # Quitting is the program's to do (clipboard, engine): closing alone
    # does not hide the window behind its back.
    assert ui.window.isVisible()


def test_quit_from_the_tray_menu_ends_the_program_cleanly(
    a7home: Path,
    qloop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    emulator: EmulatorServer,
) -> None:
    shell = Shell(
        StartOptions(profile=f"tray-{uuid.uuid4().hex[:8]}", server=emulator.url)
    )
    running = qloop.create_task(shell.run())
    qtbot.waitUntil(lambda: shell.services is not None, timeout=20_000)
    wait_signed_out_of(shell, qtbot)

    shell.tray.quit_action.trigger()

    qtbot.waitUntil(running.done, timeout=20_000)
    assert running.result() == 0
    assert shell.services is None
    assert not shell.window.isVisible()
    assert shell.context.tasks.pending == 0
    shell.window.deleteLater()


def wait_signed_out_of(shell: Shell, qtbot: QtBot) -> None:
    account = shell.window.account
    qtbot.waitUntil(
        lambda: account.layers.currentWidget() is account.sign_in_page,
        timeout=20_000,
    )


def test_a_sign_in_made_elsewhere_shows_in_the_tray(ui: Ui, tray: Tray) -> None:
    ui.run(ui.engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD))

    wait_signed_in(ui)
    ui.wait_until(lambda: shield_colour(tray) == FILLS["active"])
