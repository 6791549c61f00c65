"""The session panel: a proactive refresh seen live, copying, claims, sign-out."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from ui_harness import Ui, sign_in, wait_signed_out

from a7desktop.emulator import EmulatorConfig
from a7desktop.ui.clipboard import KDE_HINT

LIFETIME = 8.0


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(auto_approve=True, login_ttl=LIFETIME, refresh_ttl=LIFETIME)


@pytest.fixture
def profile_settings() -> dict[str, Any]:
    # Refresh 5 s before an 8 s token expires: about 3 s after sign-in.
    return {"refresh_lead_seconds": 5.0}


def test_a_proactive_refresh_shows_in_the_panel(ui: Ui) -> None:
    """R9 as seen by a person: the panel reports the refresh and the new expiry."""
    sign_in(ui)
    panel = ui.window.account.session_page
    assert panel.fields["last_refresh"].text() == "none yet"
    assert panel.fields["next_refresh"].text() != "none scheduled"
    first_expiry = ui.engine.session.expires_at

    ui.wait_until(lambda: panel.fields["last_refresh"].text().startswith("refreshed"))

    assert ui.engine.session.expires_at > first_expiry
    assert panel.badge.text() in ("Active", "Expiring soon")
    outcomes = [attempt.outcome for attempt in ui.server.state.refresh_log]
    assert outcomes[0] == "rotated"
    assert "reused" not in outcomes
    assert panel.lifetime.value() > 0
    assert panel.lifetime.format().endswith("left")


def test_heartbeat_reports_latency(ui: Ui) -> None:
    sign_in(ui)
    panel = ui.window.account.session_page

    ui.wait_until(lambda: panel.fields["heartbeat"].text().startswith("OK,"))

    assert " ms " in panel.fields["heartbeat"].text()


def test_copied_access_token_is_marked_and_cleared(ui: Ui) -> None:
    """R27: the access token on the clipboard is marked secret and cleared."""
    sign_in(ui)
    ui.window.context.clipboard.set_timeout(2)
    panel = ui.window.account.session_page

    ui.qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)

    clipboard = QGuiApplication.clipboard()
    ui.wait_until(lambda: clipboard.text() == ui.engine.session.access_token)
    assert clipboard.mimeData().hasFormat(KDE_HINT)
    assert ui.window.clipboard_label.text().startswith("Clipboard: access token")
    ui.wait_until(lambda: clipboard.text() == "")
    assert ui.window.clipboard_label.text() == ""


def test_claims_are_shown_without_the_token(ui: Ui) -> None:
    """R34: decoded claims are displayed, never the token itself."""
    sign_in(ui)
    panel = ui.window.account.session_page

    ui.qtbot.mouseClick(panel.claims_button, Qt.MouseButton.LeftButton)

    dialog = panel._claims_dialog
    assert dialog is not None
    text = dialog.text.toPlainText()
    assert '"auth_type": "password"' in text
    assert ui.engine.session.access_token not in text
    assert "exp:" in text
    dialog.close()


def test_sign_out_returns_to_the_form(ui: Ui) -> None:
    sign_in(ui)

    ui.qtbot.mouseClick(
        ui.window.account.session_page.sign_out_button, Qt.MouseButton.LeftButton
    )

    wait_signed_out(ui)
    assert ui.engine.session is None
    assert ui.window.state_label.text() == "Signed out"
    reason = ui.window.account.sign_in_page.reason
    assert reason.text() == "You signed out."
    assert not ui.window.app_passwords.isEnabled()
    assert not ui.window.menu_actions.copy_token_action.isEnabled()
    QApplication.processEvents()
