"""The MCP key, activity and settings pages against the emulator and keyring."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from ui_harness import Ui, sign_in

from a7desktop.core.config import config_path, load_settings


def test_mcp_key_keep_test_copy_replace_forget(ui: Ui) -> None:
    page = ui.window.mcp
    ui.window.show_page(2)
    ui.wait_until(lambda: page.status.text() == "No MCP API key is kept.")
    key = ui.server.state.config.mcp_api_key

    ui.qtbot.keyClicks(page.key_field, key)
    ui.qtbot.mouseClick(page.keep_button, Qt.MouseButton.LeftButton)
    ui.wait_until(lambda: page.has_key)
    assert page.key_field.text() == ""
    assert page.status.text() == "An MCP API key is kept in the keyring."

    ui.qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    ui.wait_until(lambda: "accepted the key" in page.notice.text())

    ui.qtbot.mouseClick(page.copy_button, Qt.MouseButton.LeftButton)
    ui.wait_until(lambda: QGuiApplication.clipboard().text() == key)

    ui.qtbot.keyClicks(page.key_field, "not-the-right-key")
    ui.qtbot.mouseClick(page.keep_button, Qt.MouseButton.LeftButton)
    ui.wait_until(lambda: page.notice.text() == "MCP API key replaced.")
    ui.qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    ui.wait_until(lambda: page.notice.kind == "error")

    ui.qtbot.mouseClick(page.forget_button, Qt.MouseButton.LeftButton)
    ui.wait_until(lambda: page.status.text() == "No MCP API key is kept.")
    assert not page.copy_button.isEnabled()


def test_activity_lists_the_sign_in_newest_first(ui: Ui) -> None:
    sign_in(ui)
    ui.run(ui.engine.refresh(reason="manual"))
    page = ui.window.activity

    ui.window.show_page(3)

    ui.wait_until(lambda: page.tree.topLevelItemCount() >= 2)
    events = [
        page.tree.topLevelItem(row).text(1)
        for row in range(page.tree.topLevelItemCount())
    ]
    assert events.index("Session refreshed") < events.index("Signed in")


def test_settings_are_saved_without_secrets(ui: Ui) -> None:
    sign_in(ui)
    page = ui.window.settings
    ui.window.show_page(4)
    switches: list[tuple[str, str]] = []
    page.profile_switch_requested.connect(
        lambda name, server: switches.append((name, server))
    )

    page.clipboard_timeout.setValue(12)
    ui.qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)

    assert page.notice.text() == "Saved."
    assert ui.window.context.clipboard.timeout_seconds == 12
    profile = ui.services.profile.name
    assert load_settings(profile).clipboard_timeout_seconds == 12
    written = config_path().read_text(encoding="utf-8")
    assert ui.engine.session.access_token not in written
    assert "refresh" not in json.loads(written)["profiles"][profile].get("server", "")
    assert switches == []

    page.refresh_lead.setValue(120)
    ui.qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)

    assert switches == [(profile, "")]
    assert load_settings(profile).refresh_lead_seconds == 120


def test_settings_refuse_an_insecure_server(ui: Ui) -> None:
    page = ui.window.settings
    ui.window.show_page(4)

    page.server.setText("http://agent700.example.com/api")
    ui.qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)

    assert page.notice.kind == "error"
    assert "http" in page.notice.text()


def test_settings_show_the_server_in_use_when_none_is_saved(ui: Ui) -> None:
    page = ui.window.settings

    ui.window.show_page(4)

    assert page.server.text() == ""
    assert page.server.placeholderText() == (
        f"{ui.services.profile.server} (in use, not saved)"
    )
