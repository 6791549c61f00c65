"""The app passwords page: list, filter, create, copy, test and revoke.

Creating asks for a name, then shows the token once (see
:class:`~a7desktop.ui.app_password_dialogs.ShowOnceDialog`); it is kept in
the keyring unless the person unticks that. Tokens kept in the keyring can
be copied later in three formats (bare, an ``export`` line, an
``Authorization`` header) and tested with one request that uses them as
Bearer. Revoking asks for confirmation first.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QWidget,
)

from a7desktop.ui import icons
from a7desktop.ui.a11y import name_buttons
from a7desktop.ui.app_password_dialogs import (
    NewAppPasswordDialog,
    ShowOnceDialog,
    copy_button,
    format_token,
)
from a7desktop.ui.app_password_model import (
    CREATED,
    INFO_ROLE,
    KEPT_ROLE,
    AppPasswordFilter,
    AppPasswordModel,
    Row,
    make_row,
)
from a7desktop.ui.pages.base import Notice, Page, page_layout

if TYPE_CHECKING:
    from a7desktop.core.models import AppPasswordInfo, CreatedAppPassword
    from a7desktop.ui.context import WindowContext
    from a7desktop.ui.services import Services

FILTER_DELAY_MS = 120
ROW_HEIGHT = 26
# Rows prepared between two turns of the event loop while a list loads.
ROWS_PER_TURN = 200


async def _prepare_rows(infos: list[AppPasswordInfo], kept: set[str]) -> list[Row]:
    """Make the table rows a slice at a time, letting the window paint between."""
    import asyncio

    now = time.time()
    rows: list[Row] = []
    for start in range(0, len(infos), ROWS_PER_TURN):
        if start:
            await asyncio.sleep(0)
        chunk = infos[start : start + ROWS_PER_TURN]
        rows.extend(make_row(info, info.id in kept, now) for info in chunk)
    return rows


class AppPasswordsPage(Page):
    """The table of app passwords and what can be done with them."""

    title = "App passwords"
    icon_name = "key"

    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.model = AppPasswordModel(self)
        self.proxy = AppPasswordFilter(self)
        self.proxy.setSourceModel(self.model)
        self._loaded = False
        self._dialog: ShowOnceDialog | None = None
        self._build()
        self._connect_signals()
        self._on_selection_changed()

    # Building -----------------------------------------------------------

    def _build(self) -> None:
        layout = page_layout(self, "App passwords")
        tools = QHBoxLayout()
        self.filter = QLineEdit()
        self.filter.setObjectName("appPasswordFilter")
        self.filter.setPlaceholderText("Filter by name or status")
        self.filter.setAccessibleName("Filter app passwords")
        self.filter.setClearButtonEnabled(True)
        self.new_button = QPushButton(icons.icon("add"), "&New…")
        self.new_button.setObjectName("newAppPasswordButton")
        self.copy_button = copy_button("&Copy")
        self.copy_button.setObjectName("copyAppPasswordButton")
        self.test_button = QPushButton(icons.icon("test"), "&Test")
        self.test_button.setObjectName("testAppPasswordButton")
        self.revoke_button = QPushButton(icons.icon("revoke"), "&Revoke…")
        self.revoke_button.setObjectName("revokeAppPasswordButton")
        self.reload_button = QPushButton(icons.icon("refresh"), "Re&load")
        self.reload_button.setObjectName("reloadAppPasswordsButton")
        tools.addWidget(self.filter, 1)
        for button, name in (
            (self.new_button, "New app password"),
            (self.copy_button, "Copy the kept app password"),
            (self.test_button, "Test the kept app password"),
            (self.revoke_button, "Revoke the app password"),
            (self.reload_button, "Reload the list"),
        ):
            button.setAccessibleName(name)
            tools.addWidget(button)
        layout.addLayout(tools)

        self.table = QTableView()
        self.table.setObjectName("appPasswordTable")
        self.table.setAccessibleName("App passwords")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(CREATED, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        # Fixed row heights: the view never measures 10,000 rows.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.resizeSection(0, 220)
        layout.addWidget(self.table, 1)

        self.count_label = QLabel("")
        self.count_label.setObjectName("appPasswordCount")
        layout.addWidget(self.count_label)
        self.notice = Notice()
        self.notice.setObjectName("appPasswordMessage")
        layout.addWidget(self.notice)

        self._filter_delay = QTimer(self)
        self._filter_delay.setSingleShot(True)
        self._filter_delay.setInterval(FILTER_DELAY_MS)

        self.find_action = QAction(self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.new_action = QAction(self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.revoke_action = QAction(self)
        self.revoke_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.addActions([self.find_action, self.new_action, self.revoke_action])

    def _connect_signals(self) -> None:
        self.filter.textChanged.connect(self._on_filter_text_changed)
        self._filter_delay.timeout.connect(self._on_filter_delay_timeout)
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.new_action.triggered.connect(self._on_new_button_clicked)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.copy_button.menu().triggered.connect(self._on_copy_menu_triggered)
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.revoke_button.clicked.connect(self._on_revoke_button_clicked)
        self.revoke_action.triggered.connect(self._on_revoke_button_clicked)
        self.reload_button.clicked.connect(self.reload)
        self.find_action.triggered.connect(self.filter.setFocus)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)

    # Services -----------------------------------------------------------

    def on_attached(self, services: Services) -> None:
        services.adapter.signed_out.connect(self._on_adapter_signed_out)
        self._loaded = False

    def on_detached(self) -> None:
        assert self.services is not None
        self.services.adapter.signed_out.disconnect(self._on_adapter_signed_out)
        self.model.set_rows([], set())

    def page_shown(self) -> None:
        if not self._loaded:
            self.reload()

    # Loading ------------------------------------------------------------

    def reload(self) -> None:
        """Fetch the list from the server and which tokens the keyring holds."""
        if self.services is None or self.services.engine.session is None:
            return
        self._loaded = True
        self.count_label.setText("Loading…")

        async def load(services: Services) -> None:
            try:
                infos = await services.app_passwords.list()
                kept = await services.app_passwords.kept_ids()
                rows = await _prepare_rows(infos, kept)
            finally:
                self._update_count()
            self.show_prepared_rows(rows)

        self.run_task(load, "load app passwords", self.notice)

    def show_rows(self, infos: list[AppPasswordInfo], kept: set[str]) -> None:
        """Replace the table's rows, keeping the selected app password selected."""
        now = time.time()
        self.show_prepared_rows(
            [make_row(info, info.id in kept, now) for info in infos]
        )

    def show_prepared_rows(self, rows: list[Row]) -> None:
        """Show rows made by ``make_row``, keeping the selection."""
        selected = self.selected()
        self.model.set_prepared_rows(rows)
        if selected is not None:
            self.select_id(selected.id)
        self._update_count()
        self._on_selection_changed()

    def selected(self) -> AppPasswordInfo | None:
        """The app password of the selected row, if any."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        info: AppPasswordInfo = rows[0].data(INFO_ROLE)
        return info

    def select_id(self, app_password_id: str) -> bool:
        """Select the row of ``app_password_id``; False if it is not shown."""
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            info = index.data(INFO_ROLE)
            if info is not None and info.id == app_password_id:
                self.table.selectionModel().select(
                    index,
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                self.table.scrollTo(index)
                return True
        return False

    def _selected_kept(self) -> bool:
        rows = self.table.selectionModel().selectedRows()
        return bool(rows and rows[0].data(KEPT_ROLE))

    def _update_count(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        noun = "app password" if total == 1 else "app passwords"
        text = f"{total} {noun}"
        if shown != total:
            text += f", {shown} shown"
        self.count_label.setText(text)

    # Creating -----------------------------------------------------------

    def _create(self, name: str) -> None:
        self.notice.show_info(f"Creating “{name}”…")

        async def create(services: Services) -> None:
            created = await services.app_passwords.create(name, keep=True)
            self.notice.clear_message()
            self._show_once(created)
            self.reload()

        self.run_task(create, "create app password", self.notice)

    def _show_once(self, created: CreatedAppPassword) -> None:
        dialog = ShowOnceDialog(
            created.info.name,
            created.token,
            kept=created.kept,
            keep_error=created.keep_error,
            parent=self,
        )
        info = created.info
        kept_now = created.kept
        dialog.copy_requested.connect(self._on_dialog_copy_requested)
        dialog.closed_with_choice.connect(
            lambda keep: self._on_dialog_closed_with_choice(info, kept_now, keep)
        )
        del created
        self._dialog = dialog
        dialog.open()

    # Slots --------------------------------------------------------------

    def _on_filter_text_changed(self, _text: str) -> None:
        self._filter_delay.start()

    def _on_filter_delay_timeout(self) -> None:
        self.proxy.set_text(self.filter.text())
        self._update_count()

    def _on_selection_changed(self) -> None:
        info = self.selected()
        kept = self._selected_kept()
        self.copy_button.setEnabled(kept)
        self.test_button.setEnabled(kept)
        self.revoke_button.setEnabled(info is not None and info.is_active)
        tip = "" if kept else "Only app passwords kept in the keyring can be copied"
        self.copy_button.setToolTip(tip)

    def _on_new_button_clicked(self) -> None:
        if self.services is None or not self.new_button.isEnabled():
            return
        dialog = NewAppPasswordDialog(self)
        dialog.name_chosen.connect(self._create)
        dialog.open()

    def _on_dialog_copy_requested(self, text: str) -> None:
        self.context.clipboard.copy(text, "app password")

    def _on_dialog_closed_with_choice(
        self, info: AppPasswordInfo, kept: bool, keep: bool
    ) -> None:
        self._dialog = None
        if self.services is None or keep == kept:
            return
        if keep:
            # Keeping needs the token, which the dialog no longer holds.
            self.notice.show_error(
                f"“{info.name}” could not be kept in the keyring; the token was "
                "shown once and is gone. Revoke it and create another if needed."
            )
            return

        async def forget(services: Services) -> None:
            await services.app_passwords.forget(info.id)
            self.notice.show_info(f"“{info.name}” is not kept in the keyring.")
            self.reload()

        self.run_task(forget, "forget app password", self.notice)

    def _copy_selected(self, kind: str) -> None:
        info = self.selected()
        if info is None or not self._selected_kept():
            return

        async def copy(services: Services) -> None:
            token = await services.app_passwords.get_kept(info.id)
            self.context.clipboard.copy(format_token(token, kind), "app password")
            self.context.status.message.emit(f"“{info.name}” copied")

        self.run_task(copy, "copy app password", self.notice)

    def _on_copy_button_clicked(self) -> None:
        self._copy_selected("bare")

    def _on_copy_menu_triggered(self, action: QAction) -> None:
        self._copy_selected(str(action.data() or "bare"))

    def _on_test_button_clicked(self) -> None:
        info = self.selected()
        if info is None:
            return
        self.notice.show_info(f"Testing “{info.name}”…")

        async def test(services: Services) -> None:
            token = await services.app_passwords.get_kept(info.id)
            if await services.app_passwords.test(token):
                self.notice.show_success(
                    f"“{info.name}” works: the server accepted it."
                )
            else:
                self.notice.show_error(
                    f"“{info.name}” was refused: it is revoked, expired or wrong."
                )

        self.run_task(test, "test app password", self.notice)

    def _on_revoke_button_clicked(self) -> None:
        info = self.selected()
        if self.services is None or info is None or not info.is_active:
            return
        box = QMessageBox(self)
        box.setObjectName("revokeConfirmation")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Revoke app password")
        box.setText(f"Revoke “{info.name}”?")
        box.setInformativeText(
            "Every tool using it stops working at once. This cannot be undone."
        )
        box.setStandardButtons(
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Yes).setText("Revoke")
        name_buttons(box)
        box.finished.connect(lambda result: self._on_revoke_box_finished(info, result))
        box.open()

    def _on_revoke_box_finished(self, info: AppPasswordInfo, result: int) -> None:
        if result != QMessageBox.StandardButton.Yes:
            return

        async def revoke(services: Services) -> None:
            await services.app_passwords.revoke(info.id)
            self.notice.show_success(f"“{info.name}” revoked.")
            self.reload()

        self.run_task(revoke, "revoke app password", self.notice)

    def _on_adapter_signed_out(self, _reason: str, _message: str) -> None:
        self.model.set_rows([], set())
        self._loaded = False
        self._update_count()
