"""Dialogs for app passwords: naming a new one, and showing its token once.

Both are opened with ``open()`` (window-modal, no nested event loop) and
report through signals, so the coroutine that creates the app password never
waits inside a dialog.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from a7desktop.ui import icons
from a7desktop.ui.a11y import name_buttons

MAX_NAME_LENGTH = 100

# How a copied token is written, for the tool it goes to.
COPY_FORMATS = (
    ("bare", "Copy token"),
    ("export", "Copy as export AGENT700_APP_PASSWORD=…"),
    ("header", "Copy as Authorization: Bearer … header"),
)


def format_token(token: str, kind: str) -> str:
    """The token as the bare value, a shell ``export`` line or an HTTP header."""
    if kind == "export":
        return f"export AGENT700_APP_PASSWORD={token}"
    if kind == "header":
        return f"Authorization: Bearer {token}"
    return token


def copy_menu(parent: QWidget) -> QMenu:
    """A menu with one action per copy format; each action's data is the kind."""
    menu = QMenu(parent)
    for kind, label in COPY_FORMATS:
        action = menu.addAction(label)
        action.setData(kind)
    return menu


def copy_button(text: str, parent: QWidget | None = None) -> QToolButton:
    """A button that copies the bare token on click, other formats from its menu."""
    button = QToolButton(parent)
    button.setText(text)
    button.setIcon(icons.icon("copy"))
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
    button.setMenu(copy_menu(button))
    return button


class NewAppPasswordDialog(QDialog):
    """Asks for the new app password's name.

    Signals:
        name_chosen(str): OK was pressed with a valid name.
    """

    name_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New app password")
        self.setObjectName("newAppPasswordDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("A name that says where it will be used:"))
        self.name = QLineEdit()
        self.name.setObjectName("appPasswordName")
        self.name.setAccessibleName("App password name")
        self.name.setMaxLength(MAX_NAME_LENGTH)
        self.name.setPlaceholderText("e.g. CI pipeline")
        layout.addWidget(self.name)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Create")
        self.ok_button.setEnabled(False)
        name_buttons(self.buttons)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.name.textChanged.connect(self._on_name_text_changed)

    def _on_name_text_changed(self, text: str) -> None:
        self.ok_button.setEnabled(bool(text.strip()))

    def _on_buttons_accepted(self) -> None:
        name = self.name.text().strip()
        if not name:
            return
        self.accept()
        self.name_chosen.emit(name)


class ShowOnceDialog(QDialog):
    """Shows a new token once, with Copy and a "keep in keyring" choice.

    Closing the dialog (any way) clears the token from its widgets and emits
    :attr:`closed_with_choice` with whether to keep it in the keyring. The
    dialog holds the token only in its field until then.

    Signals:
        copy_requested(str): the token in the chosen format, to be copied.
        closed_with_choice(bool): closed; True to keep the token in the keyring.
    """

    copy_requested = Signal(str)
    closed_with_choice = Signal(bool)

    def __init__(
        self,
        name: str,
        token: str,
        *,
        kept: bool,
        keep_error: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("App password created")
        self.setObjectName("showOnceDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(560)
        self._reported = False
        layout = QVBoxLayout(self)

        heading = QLabel(f"App password “{name}” created.")
        heading.setWordWrap(True)
        warning = QLabel(
            "This is the only time the token is shown. Copy it now, or keep it "
            "in the OS keyring to copy it later."
        )
        warning.setObjectName("showOnceWarning")
        warning.setWordWrap(True)
        warning.setStyleSheet("QLabel { color: #b45309; font-weight: 600; }")
        layout.addWidget(heading)
        layout.addWidget(warning)

        row = QHBoxLayout()
        self.token_field = QLineEdit(token)
        self.token_field.setObjectName("newTokenField")
        self.token_field.setReadOnly(True)
        self.token_field.setAccessibleName("New app password")
        self.token_field.setFont(
            QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        )
        self.copy_button = copy_button("&Copy")
        self.copy_button.setObjectName("copyNewTokenButton")
        self.copy_button.setAccessibleName("Copy the new app password")
        row.addWidget(self.token_field, 1)
        row.addWidget(self.copy_button)
        layout.addLayout(row)

        self.keep = QCheckBox("&Keep in the OS keyring (lets you copy it later)")
        self.keep.setObjectName("keepCheckBox")
        self.keep.setAccessibleName("Keep in the OS keyring")
        self.keep.setChecked(kept or keep_error is None)
        layout.addWidget(self.keep)
        if keep_error:
            failed = QLabel(f"It could not be kept in the keyring: {keep_error}")
            failed.setWordWrap(True)
            failed.setStyleSheet("QLabel { color: #c62828; }")
            layout.addWidget(failed)
            self.keep.setChecked(False)
            self.keep.setEnabled(False)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        name_buttons(buttons)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.copy_button.menu().triggered.connect(self._on_copy_menu_triggered)
        self.finished.connect(self._on_finished)
        self.token_field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_copy_button_clicked(self) -> None:
        self.copy_requested.emit(self.token_field.text())

    def _on_copy_menu_triggered(self, action: QAction) -> None:
        kind = str(action.data() or "bare")
        self.copy_requested.emit(format_token(self.token_field.text(), kind))

    def _on_finished(self, _result: int) -> None:
        self._clear_and_report()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._clear_and_report()
        super().closeEvent(event)

    def _clear_and_report(self) -> None:
        self.token_field.clear()
        self.token_field.setText("")
        if not self._reported:
            self._reported = True
            self.closed_with_choice.emit(self.keep.isChecked())
