"""Help → Keyboard Shortcuts: every shortcut the window answers, in one list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from a7desktop.ui.a11y import name_buttons
from a7desktop.ui.menus import shortcut_rows

if TYPE_CHECKING:
    from a7desktop.ui.menus import MenuActions

# Shortcuts that belong to one page (they are actions of that page).
PAGE_SHORTCUTS = (
    ("App passwords: filter", QKeySequence.StandardKey.Find),
    ("App passwords: new app password", QKeySequence.StandardKey.New),
    ("App passwords: revoke the selected one", QKeySequence.StandardKey.Delete),
)


def all_shortcuts(actions: MenuActions) -> list[tuple[str, str]]:
    """(what, keys) for the menus' actions, then the pages' own shortcuts."""
    rows = shortcut_rows(
        [
            *actions.page_actions,
            actions.refresh_action,
            actions.copy_token_action,
            actions.close_action,
            actions.quit_action,
            actions.shortcuts_action,
        ]
    )
    for what, key in PAGE_SHORTCUTS:
        keys = QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            rows.append((what, keys))
    return rows


class ShortcutsDialog(QDialog):
    """A list of what each shortcut does; opened with ``open()``."""

    def __init__(self, parent: QWidget, actions: MenuActions) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setObjectName("shortcutsDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(460, 380)
        layout = QVBoxLayout(self)
        self.table = QTreeWidget()
        self.table.setObjectName("shortcutList")
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHeaderLabels(["Action", "Keys"])
        self.table.setRootIsDecorated(False)
        self.table.addTopLevelItems(
            [QTreeWidgetItem([what, keys]) for what, keys in all_shortcuts(actions)]
        )
        self.table.resizeColumnToContents(0)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        name_buttons(buttons)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
