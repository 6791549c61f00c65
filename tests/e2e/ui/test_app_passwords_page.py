"""App passwords from the window: create, see once, copy, test, revoke."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from ui_harness import Ui, sign_in

from a7desktop.ui.app_password_dialogs import NewAppPasswordDialog, ShowOnceDialog
from a7desktop.ui.clipboard import KDE_HINT


def _open_page(ui: Ui) -> None:
    sign_in(ui)
    ui.window.show_page(1)
    page = ui.window.app_passwords
    ui.wait_until(lambda: page.count_label.text().endswith("app passwords"))


def _create(ui: Ui, name: str) -> ShowOnceDialog:
    page = ui.window.app_passwords
    ui.qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    dialogs = [d for d in page.findChildren(NewAppPasswordDialog) if d.isVisible()]
    assert len(dialogs) == 1
    dialog = dialogs[0]
    ui.qtbot.keyClicks(dialog.name, name)
    ui.qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    ui.wait_until(lambda: page._dialog is not None)
    shown = page._dialog
    assert shown is not None
    return shown


def _select(ui: Ui, name: str) -> None:
    page = ui.window.app_passwords
    ui.wait_until(lambda: any(row.info.name == name for row in page.model.rows))
    app_password_id = next(
        row.info.id for row in page.model.rows if row.info.name == name
    )
    assert page.select_id(app_password_id)


def test_create_shows_the_token_once_and_keeps_it(ui: Ui) -> None:
    """R27: shown once, copied marked as secret, cleared from the dialog on close."""
    _open_page(ui)
    page = ui.window.app_passwords

    dialog = _create(ui, "deploy bot")

    token = dialog.token_field.text()
    assert token.startswith("app_a7_")
    assert len(token) == 39
    assert dialog.keep.isChecked()
    ui.qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    clipboard = QGuiApplication.clipboard()
    assert clipboard.text() == token
    assert clipboard.mimeData().hasFormat(KDE_HINT)

    dialog.findChild(QDialogButtonBox).rejected.emit()

    assert dialog.token_field.text() == ""
    assert page._dialog is None
    _select(ui, "deploy bot")
    row = next(row for row in page.model.rows if row.info.name == "deploy bot")
    assert row.kept is True
    assert row.cells[4] == "Yes"
    assert ui.run(ui.services.app_passwords.get_kept(row.info.id)) == token


def test_unticking_keep_forgets_the_token(ui: Ui) -> None:
    _open_page(ui)
    page = ui.window.app_passwords
    dialog = _create(ui, "one-off")

    dialog.keep.setChecked(False)
    dialog.reject()

    ui.wait_until(lambda: "not kept" in page.notice.text())
    assert ui.run(ui.services.app_passwords.kept_ids()) == set()


def test_copy_formats_test_and_revoke(ui: Ui) -> None:
    _open_page(ui)
    page = ui.window.app_passwords
    dialog = _create(ui, "ci pipeline")
    token = dialog.token_field.text()
    dialog.reject()
    _select(ui, "ci pipeline")
    assert page.copy_button.isEnabled()
    assert page.test_button.isEnabled()
    clipboard = QGuiApplication.clipboard()

    formats = {action.data(): action for action in page.copy_button.menu().actions()}
    formats["export"].trigger()
    ui.wait_until(lambda: clipboard.text() == f"export AGENT700_APP_PASSWORD={token}")
    formats["header"].trigger()
    ui.wait_until(lambda: clipboard.text() == f"Authorization: Bearer {token}")
    ui.qtbot.mouseClick(page.copy_button, Qt.MouseButton.LeftButton)
    ui.wait_until(lambda: clipboard.text() == token)

    ui.qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    ui.wait_until(lambda: "works" in page.notice.text())

    ui.qtbot.mouseClick(page.revoke_button, Qt.MouseButton.LeftButton)
    box = page.findChild(QMessageBox, "revokeConfirmation")
    assert box is not None
    assert box.isVisible()
    assert "ci pipeline" in box.text()
    ui.qtbot.mouseClick(
        box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton
    )
    ui.wait_until(lambda: "revoked" in page.notice.text())
    ui.wait_until(
        lambda: all(
            row.info.name != "ci pipeline" or not row.info.is_active
            for row in page.model.rows
        )
    )
    assert ui.run(ui.services.app_passwords.test(token)) is False
    assert ui.run(ui.services.app_passwords.kept_ids()) == set()


def test_cancelling_the_revoke_confirmation_keeps_it(ui: Ui) -> None:
    _open_page(ui)
    page = ui.window.app_passwords
    _create(ui, "keep me").reject()
    _select(ui, "keep me")

    ui.qtbot.mouseClick(page.revoke_button, Qt.MouseButton.LeftButton)
    box = page.findChild(QMessageBox, "revokeConfirmation")
    assert box is not None
    box.reject()
    ui.qtbot.wait(200)

    infos = ui.run(ui.services.app_passwords.list())
    assert [info.is_active for info in infos if info.name == "keep me"] == [True]


def test_filter_narrows_the_table(ui: Ui) -> None:
    _open_page(ui)
    page = ui.window.app_passwords
    _create(ui, "alpha").reject()
    _create(ui, "beta").reject()
    ui.wait_until(lambda: page.proxy.rowCount() == 2)

    ui.qtbot.keyClicks(page.filter, "alp")

    ui.wait_until(lambda: page.proxy.rowCount() == 1)
    assert page.count_label.text() == "2 app passwords, 1 shown"
