"""Signing in from the window against the emulator, and what it says when it fails."""

from __future__ import annotations

import asyncio
import socket

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from ui_harness import (
    Ui,
    make_profile,
    open_window,
    run,
    sign_in,
    sign_in_with_password,
    wait_signed_in,
    wait_signed_out,
)

from a7desktop.emulator import DEMO_EMAIL, EmulatorConfig, EmulatorServer
from a7desktop.ui.messages import DEVICE_CHANGED


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(auto_approve=True, lockout_threshold=2, lockout_seconds=300)


def test_password_sign_in_shows_the_session_panel(ui: Ui) -> None:
    sign_in_with_password(ui)

    wait_signed_in(ui)
    session = ui.window.account.session_page
    assert session.badge.text() == "Active"
    assert session.fields["account"].text() == DEMO_EMAIL
    assert session.fields["method"].text() == "Email and password"
    assert session.fields["organization"].text().startswith("Public")
    assert session.fields["storage"].text().startswith("OS keyring")
    assert ui.window.state_label.text() == "Active"


def test_wrong_password_is_said_inline(ui: Ui) -> None:
    page = ui.window.account.sign_in_page

    sign_in_with_password(ui, password="not-the-password")

    ui.wait_until(lambda: page.notice.kind == "error")
    ui.wait_until(page.busy.isHidden)
    assert "password" in page.notice.text().lower()
    assert ui.engine.session is None
    assert page.sign_in_button.isEnabled()
    assert page.password.isEnabled()


def test_empty_form_is_refused_before_any_request(ui: Ui) -> None:
    page = ui.window.account.sign_in_page
    requests_before = len(ui.server.state.requests)

    ui.qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)

    assert page.notice.text() == "Enter your email and password."
    assert len(ui.server.state.requests) == requests_before


def test_app_password_sign_in(ui: Ui) -> None:
    sign_in(ui)
    created = ui.run(ui.services.app_passwords.create("window test", keep=False))
    ui.qtbot.mouseClick(
        ui.window.account.session_page.sign_out_button, Qt.MouseButton.LeftButton
    )
    wait_signed_out(ui)
    page = ui.window.account.sign_in_page
    page.methods.setCurrentIndex(1)

    ui.qtbot.keyClicks(page.app_password, f"  {created.token}  ")
    ui.qtbot.mouseClick(page.app_sign_in_button, Qt.MouseButton.LeftButton)

    wait_signed_in(ui)
    method = ui.window.account.session_page.fields["method"].text()
    assert method == "App password (window test)"
    assert page.app_password.text() == ""


def test_rate_limit_counts_down_to_retry_after(ui: Ui) -> None:
    page = ui.window.account.sign_in_page
    ui.server.state.faults.add("login", "status", status=429, retry_after=2)

    sign_in_with_password(ui)

    ui.wait_until(lambda: "Try again in" in page.notice.text())
    assert not page.sign_in_button.isEnabled()
    ui.wait_until(lambda: "You can try again now." in page.notice.text())
    assert page.sign_in_button.isEnabled()

    sign_in_with_password(ui)
    wait_signed_in(ui)


def test_lockout_after_failed_app_passwords_is_said(ui: Ui) -> None:
    sign_in(ui)
    created = ui.run(ui.services.app_passwords.create("lockout", keep=False))
    ui.run(ui.engine.sign_out())
    wait_signed_out(ui)
    page = ui.window.account.sign_in_page
    page.methods.setCurrentIndex(1)
    # Same prefix, wrong secret: failures of that app password.
    wrong = created.token[:15] + ("0" if created.token[15] != "0" else "1") * 24

    for _ in range(3):
        page.notice.clear_message()
        page.app_password.setText(wrong)
        ui.qtbot.mouseClick(page.app_sign_in_button, Qt.MouseButton.LeftButton)
        ui.wait_until(lambda: page.notice.kind == "error")
        ui.wait_until(lambda: page.busy.isHidden())

    assert "locked" in page.notice.text()
    assert "Try again in" in page.notice.text()
    assert not page.app_sign_in_button.isEnabled()


def test_device_change_reads_sign_in_again(ui: Ui) -> None:
    """R20: a refresh refused for a changed device says so, once, on the form."""
    sign_in(ui)
    ui.server.state.faults.add(
        "refresh",
        "status",
        status=401,
        body={"error": "fingerprint_mismatch", "message": "device changed"},
    )

    ui.qtbot.mouseClick(
        ui.window.account.session_page.refresh_button, Qt.MouseButton.LeftButton
    )

    wait_signed_out(ui)
    reason = ui.window.account.sign_in_page.reason
    ui.wait_until(lambda: reason.text() == DEVICE_CHANGED)
    assert reason.kind == "error"


def test_a_slow_sign_in_can_be_cancelled(ui: Ui) -> None:
    page = ui.window.account.sign_in_page
    ui.server.state.faults.add("login", "delay", seconds=3)

    sign_in_with_password(ui)

    assert page.busy.isVisible()
    assert not page.email.isEnabled()
    ui.wait_until(lambda: _requested(ui, "/auth/login"))
    ui.qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    ui.wait_until(lambda: page.busy.isHidden())
    assert page.notice.text() == "Sign-in cancelled."
    assert page.busy.isHidden()
    assert page.email.isEnabled()
    assert ui.engine.session is None


def _requested(ui: Ui, path: str) -> bool:
    return any(str(seen[1]).endswith(path) for seen in ui.server.state.requests)


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_server_is_named(
    a7home: object,
    qloop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    emulator: EmulatorServer,
) -> None:
    import dataclasses

    port = _unused_port()
    profile = dataclasses.replace(
        make_profile(emulator), server=f"http://127.0.0.1:{port}/api"
    )
    window, services = open_window(qtbot, emulator, profile)
    ui = Ui(qtbot, window, services, emulator)
    page = window.account.sign_in_page
    try:
        sign_in_with_password(ui)
        ui.wait_until(lambda: page.notice.kind == "error")
        assert f"Cannot reach 127.0.0.1:{port}" in page.notice.text()
    finally:
        window.detach()
        run(qtbot, services.aclose())
        window.prepare_quit()
        window.close()
        window.deleteLater()
