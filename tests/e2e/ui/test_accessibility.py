"""Every control a person can reach has a name a screen reader can speak.

The window and each of its dialogs are walked widget by widget: every
button, text field, list or table, combo box and spin box needs its own
accessible name, or a label that names it (a label's buddy). Qt's inner
parts of a control (a spin box's text field, a combo box's list, a tab
bar's scroll arrows, a table's corner button) are reached through the
control and are not walked.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QMenuBar,
    QMessageBox,
    QTabBar,
    QWidget,
)
from ui_harness import Ui, sign_in, wait_for_dialog

CONTROLS = (QAbstractButton, QLineEdit, QAbstractItemView, QComboBox, QAbstractSpinBox)
COMPOSITES = (QAbstractSpinBox, QComboBox, QTabBar, QMenuBar, QLineEdit)


def _inside_composite(widget: QWidget, root: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, COMPOSITES):
            return True
        parent = parent.parentWidget()
    return False


def unnamed_controls(root: QWidget) -> list[str]:
    """Controls under ``root`` with neither an accessible name nor a label."""
    labelled = {
        id(label.buddy()) for label in root.findChildren(QLabel) if label.buddy()
    }
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or _inside_composite(widget, root):
            continue
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue  # Qt's own decorations, never reached from the keyboard
        if widget.accessibleName().strip() or id(widget) in labelled:
            continue
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        missing.append(f"{type(widget).__name__} {widget.objectName()!r} {text!r}")
    return missing


def test_every_control_of_the_window_is_named(ui: Ui) -> None:
    ui.window.ensure_pages()

    assert unnamed_controls(ui.window) == []


def test_every_control_of_every_dialog_is_named(ui: Ui) -> None:
    sign_in(ui)
    panel = ui.window.account.session_page
    page = ui.window.app_passwords
    named: dict[str, list[str]] = {}

    panel.claims_button.click()
    claims = wait_for_dialog(ui, QDialog, "claimsDialog")
    named["claims"] = unnamed_controls(claims)
    claims.close()

    assert ui.window.menu_actions is not None
    ui.window.menu_actions.shortcuts_action.trigger()
    shortcuts = wait_for_dialog(ui, QDialog, "shortcutsDialog")
    named["shortcuts"] = unnamed_controls(shortcuts)
    shortcuts.reject()

    ui.window.show_page(1)
    page.new_button.click()
    new = wait_for_dialog(ui, QDialog, "newAppPasswordDialog")
    named["new app password"] = unnamed_controls(new)
    name_field = new.findChild(QLineEdit, "appPasswordName")
    ui.qtbot.keyClicks(name_field, "named")
    ui.qtbot.keyClick(name_field, Qt.Key.Key_Return)
    shown = wait_for_dialog(ui, QDialog, "showOnceDialog")
    named["show once"] = unnamed_controls(shown)
    shown.reject()

    ui.wait_until(lambda: page.model.rowCount() == 1)
    page.select_id(page.model.rows[0].info.id)
    page.revoke_button.click()
    confirm = wait_for_dialog(ui, QMessageBox, "revokeConfirmation")
    named["revoke"] = unnamed_controls(confirm)
    confirm.reject()

    assert named == {
        "claims": [],
        "shortcuts": [],
        "new app password": [],
        "show once": [],
        "revoke": [],
    }
