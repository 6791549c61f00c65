"""With ``--debug``, the log says what the window did and never with which secret.

Logging is set up exactly as ``a7desktop --debug`` sets it up (every level,
to a stream), the window is worked through the flows that handle secrets,
and every secret that passed through it is then looked for in the output.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox
from ui_harness import Ui, sign_in_with_password, wait_for_dialog, wait_signed_in

from a7desktop.core.log import configure_logging
from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD
from a7desktop.ui.app import parse_options
from a7desktop.ui.app_password_dialogs import NewAppPasswordDialog, ShowOnceDialog

WRONG_PASSWORD = "not-the-Password-42"


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """The process's log as ``--debug`` writes it, for the length of a test."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    stream = io.StringIO()
    configure_logging(True, stream=stream)
    yield stream
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


class Secrets:
    """Every secret the test saw go through the window."""

    def __init__(self, ui: Ui) -> None:
        self.values = {DEMO_PASSWORD, WRONG_PASSWORD}
        self._ui = ui
        ui.services.adapter.state_changed.connect(self.note_session)

    def note_session(self) -> None:
        session = self._ui.engine.session
        if session is not None:
            self.values.add(session.access_token)
            if session.refresh_token:
                self.values.add(session.refresh_token)

    def found_in(self, text: str) -> list[str]:
        return sorted(value[:6] + "…" for value in self.values if value in text)


def test_debug_is_an_option_of_the_window() -> None:
    # The window's parser takes it (the command line passes it on).
    parse_options(["--debug"])


def test_the_debug_log_never_carries_a_secret(ui: Ui, debug_log: io.StringIO) -> None:
    """R26: debug logging on, no line holds a password, token or key."""
    secrets = Secrets(ui)
    form = ui.window.account.sign_in_page
    panel = ui.window.account.session_page
    page = ui.window.app_passwords
    clipboard = QGuiApplication.clipboard()

    sign_in_with_password(ui, DEMO_EMAIL, WRONG_PASSWORD)
    ui.wait_until(lambda: form.notice.kind == "error" and form.busy.isHidden())
    sign_in_with_password(ui)
    wait_signed_in(ui)
    panel.copy_button.click()
    ui.wait_until(lambda: clipboard.text() == ui.engine.session.access_token)
    panel.refresh_button.click()
    ui.wait_until(lambda: panel.notice.text() == "Refreshed.")

    ui.window.show_page(1)
    page.new_button.click()
    naming = wait_for_dialog(ui, NewAppPasswordDialog, "newAppPasswordDialog")
    ui.qtbot.keyClicks(naming.name, "debug log")
    naming.ok_button.click()
    shown = wait_for_dialog(ui, ShowOnceDialog, "showOnceDialog")
    token = shown.token_field.text()
    secrets.values.add(token)
    for action in shown.copy_button.menu().actions():
        action.trigger()
    shown.reject()
    ui.wait_until(lambda: page.model.rows and page.model.rows[0].kept)
    page.select_id(page.model.rows[0].info.id)
    page.test_button.click()
    ui.wait_until(lambda: "works" in page.notice.text())
    page.revoke_button.click()
    confirm = wait_for_dialog(ui, QMessageBox, "revokeConfirmation")
    confirm.button(QMessageBox.StandardButton.Yes).click()
    ui.wait_until(lambda: "revoked" in page.notice.text())

    key = ui.server.state.config.mcp_api_key
    secrets.values.add(key)
    ui.window.show_page(2)
    ui.qtbot.keyClicks(ui.window.mcp.key_field, key)
    ui.qtbot.keyClick(ui.window.mcp.key_field, Qt.Key.Key_Return)
    ui.wait_until(lambda: ui.window.mcp.has_key)
    ui.window.mcp.copy_button.click()
    ui.wait_until(lambda: clipboard.text() == key)

    created = ui.run(ui.services.app_passwords.create("paste", keep=False))
    secrets.values.add(created.token)
    panel.sign_out_button.click()
    ui.wait_until(lambda: ui.engine.session is None)
    form.methods.setCurrentIndex(1)
    ui.qtbot.keyClicks(form.app_password, created.token)
    form.app_sign_in_button.click()
    wait_signed_in(ui)
    ui.window.context.clipboard.clear_now()

    output = debug_log.getvalue()
    window_lines = [line for line in output.splitlines() if "a7desktop.ui " in line]
    assert secrets.found_in(output) == []
    assert any("copied access token" in line for line in window_lines)
    assert any("copied app password" in line for line in window_lines)
    assert any("cleared" in line for line in window_lines)
