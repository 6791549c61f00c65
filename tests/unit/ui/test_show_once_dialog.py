"""The show-once dialog: the token leaves the widget when it closes (R27)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from a7desktop.ui.app_password_dialogs import ShowOnceDialog, format_token

TOKEN = "app_a7_0123456789abcdef0123456789abcdef"


def test_closing_clears_the_token_and_reports_the_choice(qtbot: QtBot) -> None:
    """R27: closing the dialog clears the token from the widget."""
    dialog = ShowOnceDialog("ci", TOKEN, kept=True)
    qtbot.addWidget(dialog)
    choices: list[bool] = []
    dialog.closed_with_choice.connect(choices.append)
    assert dialog.token_field.text() == TOKEN

    dialog.keep.setChecked(False)
    dialog.reject()

    assert dialog.token_field.text() == ""
    assert choices == [False]


def test_a_failed_keep_cannot_be_ticked_later(qtbot: QtBot) -> None:
    dialog = ShowOnceDialog("ci", TOKEN, kept=False, keep_error="the keyring is locked")
    qtbot.addWidget(dialog)

    assert not dialog.keep.isChecked()
    assert not dialog.keep.isEnabled()


def test_copy_formats() -> None:
    assert format_token(TOKEN, "bare") == TOKEN
    assert format_token(TOKEN, "export") == f"export AGENT700_APP_PASSWORD={TOKEN}"
    assert format_token(TOKEN, "header") == f"Authorization: Bearer {TOKEN}"
