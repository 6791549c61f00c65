"""The secret clipboard: marked for clipboard managers, cleared only if still ours."""

from __future__ import annotations

import struct

from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from a7desktop.ui.clipboard import (
    KDE_HINT,
    SecretClipboard,
    secret_mime_data,
    windows_mime,
)

SECRET = "app_a7_0123456789abcdef0123456789abcdef"


def test_linux_copy_carries_the_kde_password_manager_hint() -> None:
    """R27: Klipper and other Linux clipboard managers skip content marked secret."""
    data = secret_mime_data(SECRET, platform="linux")

    assert data.text() == SECRET
    assert bytes(data.data(KDE_HINT).data()) == b"secret"


def test_windows_copy_is_excluded_from_monitors_history_and_cloud() -> None:
    """R27: the three Windows formats that keep a secret out of clipboard history."""
    data = secret_mime_data(SECRET, platform="win32")

    zero = struct.pack("<I", 0)
    assert bytes(data.data(windows_mime("CanIncludeInClipboardHistory")).data()) == zero
    assert bytes(data.data(windows_mime("CanUploadToCloudClipboard")).data()) == zero
    assert data.hasFormat(windows_mime("ExcludeClipboardContentFromMonitorProcessing"))


def test_macos_copy_is_marked_concealed() -> None:
    data = secret_mime_data(SECRET, platform="darwin")

    assert data.hasFormat("application/x-nspasteboard-concealed-type")


def test_copied_secret_is_on_the_clipboard_marked(qtbot: QtBot) -> None:
    clipboard = SecretClipboard(timeout_seconds=30)

    clipboard.copy(SECRET, "app password")

    system = QGuiApplication.clipboard()
    assert system.text() == SECRET
    assert system.mimeData().hasFormat(KDE_HINT)
    assert clipboard.remaining == 30
    clipboard.clear_now()


def test_secret_is_cleared_when_the_countdown_ends(qtbot: QtBot) -> None:
    """R27: cleared after the timeout; the countdown is announced every second."""
    clipboard = SecretClipboard(timeout_seconds=2)
    seen: list[int] = []
    clipboard.countdown.connect(lambda seconds, _what: seen.append(seconds))

    with qtbot.waitSignal(clipboard.cleared, timeout=10_000):
        clipboard.copy(SECRET, "app password")

    assert QGuiApplication.clipboard().text() == ""
    assert seen[0] == 2
    assert seen[-1] == 0
    assert 1 in seen


def test_text_copied_since_is_left_alone(qtbot: QtBot) -> None:
    """R27: only a clipboard that still holds the secret is cleared."""
    clipboard = SecretClipboard(timeout_seconds=2)
    clipboard.copy(SECRET, "app password")
    QGuiApplication.clipboard().setText("the user's own text")

    qtbot.waitUntil(lambda: clipboard.remaining == 0, timeout=10_000)

    assert QGuiApplication.clipboard().text() == "the user's own text"
    assert clipboard.clear_now() is False
    assert QGuiApplication.clipboard().text() == "the user's own text"


def test_clear_now_on_quit_removes_a_pending_secret(qtbot: QtBot) -> None:
    """R27: quitting clears a secret that is still on the clipboard."""
    clipboard = SecretClipboard(timeout_seconds=30)
    clipboard.copy(SECRET, "access token")

    assert clipboard.clear_now() is True

    assert QGuiApplication.clipboard().text() == ""
    assert clipboard.remaining == 0


def test_the_secret_itself_is_not_kept(qtbot: QtBot) -> None:
    clipboard = SecretClipboard(timeout_seconds=30)
    clipboard.copy(SECRET, "access token")

    assert SECRET not in repr(vars(clipboard))
    clipboard.clear_now()
