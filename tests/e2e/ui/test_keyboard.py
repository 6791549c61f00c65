"""Keyboard: a sensible tab order on the sign-in form, and working shortcuts.

Keys go through Qt's own delivery (``QTest`` key events), so a shortcut
that works here is one Qt's shortcut map really dispatched.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from ui_harness import (
    Ui,
    sign_in,
    sign_in_with_password,
    wait_for_dialog,
    wait_signed_in,
)

from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def tab_through(ui: Ui, start: QWidget, presses: int, key: Qt.Key) -> list[str]:
    """The object names focus visits when ``key`` is pressed from ``start``."""
    ui.window.activateWindow()
    start.setFocus(Qt.FocusReason.TabFocusReason)
    ui.wait_until(start.hasFocus)
    visited = []
    for _ in range(presses):
        ui.qtbot.keyClick(QApplication.focusWidget(), key)
        focused = QApplication.focusWidget()
        visited.append(focused.objectName() if focused is not None else "")
    return visited


def press(ui: Ui, key: Qt.Key, modifiers: Qt.KeyboardModifier = CTRL) -> None:
    ui.window.activateWindow()
    ui.qtbot.keyClick(ui.window, key, modifiers)


def test_the_sign_in_form_opens_with_the_email_field_focused(ui: Ui) -> None:
    page = ui.window.account.sign_in_page

    assert ui.window.focusWidget() is page.email


def test_tab_goes_through_the_sign_in_form_in_reading_order(ui: Ui) -> None:
    page = ui.window.account.sign_in_page

    forward = tab_through(ui, page.email, 6, Qt.Key.Key_Tab)

    assert forward == [
        "passwordField",
        "signInButton",
        "googleButton",
        "pageList",
        "qt_tabwidget_tabbar",
        "emailField",
    ]
    backward = tab_through(ui, page.email, 2, Qt.Key.Key_Backtab)
    assert backward == ["qt_tabwidget_tabbar", "pageList"]


def test_tab_on_the_app_password_form(ui: Ui) -> None:
    page = ui.window.account.sign_in_page
    page.methods.setCurrentIndex(1)

    forward = tab_through(ui, page.methods.tabBar(), 3, Qt.Key.Key_Tab)

    assert forward == ["appPasswordField", "appSignInButton", "googleButton"]


def test_enter_in_the_password_field_signs_in(ui: Ui) -> None:
    page = ui.window.account.sign_in_page
    sign_in_with_password(ui)
    wait_signed_in(ui)
    ui.run(ui.engine.sign_out())
    ui.wait_until(lambda: ui.window.account.layers.currentWidget() is page)

    page.email.clear()
    ui.qtbot.keyClicks(page.email, DEMO_EMAIL)
    ui.qtbot.keyClick(page.email, Qt.Key.Key_Return)
    assert page.password.hasFocus()
    ui.qtbot.keyClicks(page.password, DEMO_PASSWORD)
    ui.qtbot.keyClick(page.password, Qt.Key.Key_Return)

    wait_signed_in(ui)


def test_ctrl_and_a_number_shows_that_page(ui: Ui) -> None:
    keys = (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5)
    for row in (1, 2, 3, 4, 0):
        press(ui, keys[row])
        ui.wait_until(lambda row=row: ui.window.stack.currentIndex() == row)
        assert ui.window.nav.currentRow() == row


def test_session_shortcuts_refresh_and_copy(ui: Ui) -> None:
    sign_in(ui)
    refreshes = len(ui.server.state.refresh_log)

    press(ui, Qt.Key.Key_F5, Qt.KeyboardModifier.NoModifier)

    ui.wait_until(lambda: len(ui.server.state.refresh_log) == refreshes + 1)

    press(ui, Qt.Key.Key_C, CTRL | SHIFT)

    token = ui.engine.session.access_token
    ui.wait_until(lambda: QGuiApplication.clipboard().text() == token)


def test_quit_and_close_shortcuts_ask_to_quit_without_a_tray(ui: Ui) -> None:
    with ui.qtbot.waitSignal(ui.window.quit_requested, timeout=5000):
        press(ui, Qt.Key.Key_Q)
    with ui.qtbot.waitSignal(ui.window.quit_requested, timeout=5000):
        press(ui, Qt.Key.Key_W)


def test_f1_lists_the_shortcuts(ui: Ui) -> None:
    press(ui, Qt.Key.Key_F1, Qt.KeyboardModifier.NoModifier)

    dialog = wait_for_dialog(ui, QDialog, "shortcutsDialog")
    table = dialog.findChild(QWidget, "shortcutList")
    rows = {
        table.topLevelItem(row).text(0): table.topLevelItem(row).text(1)
        for row in range(table.topLevelItemCount())
    }
    assert rows["Refresh Now"] == "F5"
    assert rows["Copy Access Token"] == "Ctrl+Shift+C"
    assert rows["App passwords"] == "Ctrl+2"
    assert rows["App passwords: filter"] == "Ctrl+F"
    dialog.reject()


def test_app_password_page_shortcuts(ui: Ui) -> None:
    sign_in(ui)
    created = ui.run(ui.services.app_passwords.create("keys", keep=False))
    page = ui.window.app_passwords
    press(ui, Qt.Key.Key_2)
    ui.wait_until(lambda: page.select_id(created.info.id))

    press(ui, Qt.Key.Key_F)
    ui.wait_until(page.filter.hasFocus)

    press(ui, Qt.Key.Key_N)
    wait_for_dialog(ui, QDialog, "newAppPasswordDialog").reject()

    page.table.setFocus()
    press(ui, Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier)
    confirm = wait_for_dialog(ui, QMessageBox, "revokeConfirmation")
    assert confirm.text() == "Revoke “keys”?"
    confirm.reject()
