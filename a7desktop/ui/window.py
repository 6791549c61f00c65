"""The main window: a list of pages on the left, the chosen page on the right.

The window is shown in two steps, so it appears as fast as a bare Qt window:

- the first frame holds only what is cheap to build: the title, the menu
  bar's titles, the list of pages (text only) and "Starting…";
- once that frame is painted, the rest is built one piece per turn of the
  event loop, so the window keeps painting in between: icons, the account
  page, the menus' actions and shortcuts, then the other pages.
  :meth:`MainWindow.ensure_pages` builds whatever is left at once.

Until :meth:`MainWindow.attach` hands it the services it shows "Starting…".
It never quits by itself: closing it either hides it in the tray or asks the
application to quit through :attr:`MainWindow.quit_requested`, so the
bootstrap can close the HTTP client and clear the clipboard first.

This module is imported before the first paint: it touches no Qt class the
first frame does not need (each one costs time when first used, and the
``Qt`` namespace alone tens of milliseconds). The pages, icons and menus
are imported by the build steps.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from a7desktop.core.log import get_logger
from a7desktop.ui.state_text import STATE_LABELS, state_name

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QPaintEvent, QShowEvent

    from a7desktop.core.config import ProfileSettings
    from a7desktop.ui.context import WindowContext
    from a7desktop.ui.menus import MenuActions
    from a7desktop.ui.pages.account import AccountPage
    from a7desktop.ui.pages.activity import ActivityPage
    from a7desktop.ui.pages.app_passwords import AppPasswordsPage
    from a7desktop.ui.pages.base import Page
    from a7desktop.ui.pages.mcp import McpPage
    from a7desktop.ui.pages.settings import SettingsPage
    from a7desktop.ui.services import Services

log = get_logger("ui")

DISPLAY_NAME = "Agent700 Desktop"

# The pages in the order of the page list: title, icon, module, class.
PAGES = (
    ("Account", "session", "a7desktop.ui.pages.account", "AccountPage"),
    ("App passwords", "key", "a7desktop.ui.pages.app_passwords", "AppPasswordsPage"),
    ("MCP key", "plug", "a7desktop.ui.pages.mcp", "McpPage"),
    ("Activity", "activity", "a7desktop.ui.pages.activity", "ActivityPage"),
    ("Settings", "settings", "a7desktop.ui.pages.settings", "SettingsPage"),
)
STATUS_MESSAGE_MS = 6000
STARTING = "Starting…"


def _centred(text: str) -> QWidget:
    """A page holding one centred line (without the costly ``Qt`` enums)."""
    page = QWidget()
    column = QVBoxLayout(page)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(QLabel(text))
    row.addStretch(1)
    column.addStretch(1)
    column.addLayout(row)
    column.addStretch(1)
    return page


class MainWindow(QMainWindow):
    """The program's one window.

    Signals:
        first_painted(): the window was painted for the first time.
        pages_built(): every page, icon and menu action exists.
        quit_requested(): the person asked to quit (menu, tray, or closing
            the window when it does not go to the tray).
        closed_to_tray(): the window was closed and keeps running in the tray.
        profile_switch_requested(str, str): settings chose another profile
            or server (profile, server); the bootstrap reopens the services.
    """

    first_painted = Signal()
    pages_built = Signal()
    quit_requested = Signal()
    closed_to_tray = Signal()
    profile_switch_requested = Signal(str, str)

    def __init__(self, context: WindowContext) -> None:
        super().__init__()
        self.context = context
        self.services: Services | None = None
        self.menu_actions: MenuActions | None = None
        self.tray_available = False
        self.close_to_tray = True
        self._quitting = False
        self._painted = False
        self._built: list[Page | None] = [None] * len(PAGES)
        self._steps: list[Callable[[], None]] = [
            self._build_icons,
            partial(self._build_page, 0),
            self._build_actions,
            *(partial(self._build_page, row) for row in range(1, len(PAGES))),
        ]

        self.setWindowTitle(DISPLAY_NAME)
        self.setObjectName("mainWindow")
        self.resize(920, 620)
        self.setMinimumSize(720, 480)
        self._build_frame()
        self._connect_signals()

    # The first frame ----------------------------------------------------

    def _build_frame(self) -> None:
        self.nav = QListWidget()
        self.nav.setObjectName("pageList")
        self.nav.setAccessibleName("Pages")
        self.nav.setFixedWidth(190)
        self.nav.setSpacing(2)
        self.nav.setIconSize(QSize(20, 20))
        self.nav.addItems([spec[0] for spec in PAGES])
        self.stack = QStackedWidget()
        self.stack.addWidget(_centred(STARTING))
        for _ in PAGES[1:]:
            self.stack.addWidget(QWidget())

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        bar = self.menuBar()
        self.menus = {
            "file": bar.addMenu("&File"),
            "session": bar.addMenu("&Session"),
            "view": bar.addMenu("&View"),
            "help": bar.addMenu("&Help"),
        }

        self.state_label = QLabel(STARTING)
        self.state_label.setObjectName("sessionState")
        self.state_label.setAccessibleName("Session state")
        self.clipboard_label = QLabel("")
        self.clipboard_label.setObjectName("clipboardCountdown")
        self.clipboard_label.setAccessibleName("Clipboard")
        self.statusBar().addPermanentWidget(self.clipboard_label)
        self.statusBar().addPermanentWidget(self.state_label)
        self.nav.setCurrentRow(0)

    def _connect_signals(self) -> None:
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        self.context.status.message.connect(self._on_status_message)

    # The rest, after the first paint ------------------------------------

    def ensure_pages(self) -> None:
        """Build every page, icon and action not built yet, now."""
        while self._steps:
            self._run_step()

    def _run_step(self) -> None:
        step = self._steps.pop(0)
        step()
        if not self._steps:
            self.pages_built.emit()

    def _on_step_timer(self) -> None:
        if self._steps:
            self._run_step()
        if self._steps:
            QTimer.singleShot(0, self._on_step_timer)

    def _build_icons(self) -> None:
        from a7desktop.ui import icons

        self.setWindowIcon(icons.icon(icons.APP_ICON))
        # Monochrome icons take the palette's colour whenever they are drawn,
        # so they follow a switch between light and dark by themselves.
        for row, spec in enumerate(PAGES):
            item = self.nav.item(row)
            if item is not None:
                item.setIcon(icons.icon(spec[1]))

    def _build_page(self, row: int) -> None:
        _title, _icon, module, name = PAGES[row]
        page: Page = getattr(importlib.import_module(module), name)(self.context)
        page.setEnabled(False)
        placeholder = self.stack.widget(row)
        self.stack.insertWidget(row, page)
        if placeholder is not None:
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
        self._built[row] = page
        if self.stack.currentIndex() != self.nav.currentRow():
            self.stack.setCurrentIndex(self.nav.currentRow())
        if name == "SettingsPage":
            settings: SettingsPage = page  # type: ignore[assignment]
            settings.profile_switch_requested.connect(self.profile_switch_requested)
            settings.settings_saved.connect(self._on_settings_saved)

    def _build_actions(self) -> None:
        from a7desktop.ui.menus import MenuActions

        actions = MenuActions(self, self.menus, [spec[0] for spec in PAGES])
        actions.quit_action.triggered.connect(self._on_quit_action_triggered)
        actions.close_action.triggered.connect(self.close)
        actions.refresh_action.triggered.connect(self.refresh_now)
        actions.copy_token_action.triggered.connect(self.copy_access_token)
        actions.sign_out_action.triggered.connect(self.sign_out)
        for row, action in enumerate(actions.page_actions):
            action.triggered.connect(partial(self.show_page, row))
        actions.shortcuts_action.triggered.connect(self._on_shortcuts_action_triggered)
        self.context.clipboard.countdown.connect(self._on_clipboard_countdown)
        self.menu_actions = actions
        self._follow_signed_in()

    def _page(self, row: int) -> Page:
        page = self._built[row]
        if page is None:
            self.ensure_pages()
            page = self._built[row]
        assert page is not None
        return page

    @property
    def pages(self) -> list[Page]:
        """Every page, in the order of the page list (built if need be)."""
        return [self._page(row) for row in range(len(PAGES))]

    @property
    def account(self) -> AccountPage:
        return self._page(0)  # type: ignore[return-value]

    @property
    def app_passwords(self) -> AppPasswordsPage:
        return self._page(1)  # type: ignore[return-value]

    @property
    def mcp(self) -> McpPage:
        return self._page(2)  # type: ignore[return-value]

    @property
    def activity(self) -> ActivityPage:
        return self._page(3)  # type: ignore[return-value]

    @property
    def settings(self) -> SettingsPage:
        return self._page(4)  # type: ignore[return-value]

    # Services -----------------------------------------------------------

    def attach(self, services: Services) -> None:
        """Use ``services``: enable the pages and follow the session state."""
        self.ensure_pages()
        self.services = services
        self.close_to_tray = services.profile.settings.close_to_tray
        self.context.clipboard.set_timeout(
            round(services.profile.clipboard_timeout_seconds)
        )
        for page in self.pages:
            page.attach(services)
        services.adapter.state_changed.connect(self._on_adapter_state_changed)
        self._on_adapter_state_changed()

    def detach(self) -> None:
        """Stop using the services (before they are closed)."""
        if self.services is not None:
            self.services.adapter.state_changed.disconnect(
                self._on_adapter_state_changed
            )
        for page in self._built:
            if page is not None:
                page.detach()
                page.setEnabled(False)
        self.services = None
        self.state_label.setText(STARTING)
        self._follow_signed_in()

    def show_startup_error(self, message: str) -> None:
        """The service layer could not start: say why on the account page."""
        self.state_label.setText("Not started")
        self.account.show_startup_error(message)
        self.settings.setEnabled(True)

    # Session actions (the menus and the tray) ---------------------------

    def refresh_now(self) -> None:
        """Refresh the session now; the outcome shows on the session panel."""
        self.account.session_page.refresh_now()

    def copy_access_token(self) -> None:
        """Copy a valid access token, marked and cleared after the timeout."""
        self.account.session_page.copy_access_token()

    def sign_out(self) -> None:
        """Sign out (local tokens are wiped even if the server is unreachable)."""
        self.account.session_page.sign_out()

    # Showing ------------------------------------------------------------

    def show_page(self, row: int) -> None:
        """Make page ``row`` (0 = account) the visible one."""
        self.nav.setCurrentRow(row)

    def bring_to_front(self) -> None:
        """Show, un-minimize and raise the window (tray, second start)."""
        self.showNormal() if self.isMinimized() else self.show()
        self.raise_()
        self.activateWindow()

    def prepare_quit(self) -> None:
        """From now on, closing the window does not go to the tray."""
        self._quitting = True

    # Events -------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            # Runs once this paint has finished and reached the screen.
            QTimer.singleShot(0, self._on_first_paint_done)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._quitting:
            event.accept()
            return
        event.ignore()
        if self.tray_available and self.close_to_tray:
            self.hide()
            self.closed_to_tray.emit()
            return
        self.quit_requested.emit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        page = self._built[self.stack.currentIndex()]
        if page is not None:
            page.page_shown()

    # Slots --------------------------------------------------------------

    def _on_first_paint_done(self) -> None:
        self.first_painted.emit()
        QTimer.singleShot(0, self._on_step_timer)

    def _on_nav_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        page = self._page(row)
        self.stack.setCurrentIndex(row)
        page.page_shown()

    def _on_quit_action_triggered(self) -> None:
        self.quit_requested.emit()

    def _on_shortcuts_action_triggered(self) -> None:
        from a7desktop.ui.shortcuts_dialog import ShortcutsDialog

        assert self.menu_actions is not None
        ShortcutsDialog(self, self.menu_actions).open()

    def _on_clipboard_countdown(self, seconds: int, what: str) -> None:
        if seconds > 0:
            self.clipboard_label.setText(f"Clipboard: {what}, cleared in {seconds} s")
        else:
            self.clipboard_label.setText("")

    def _on_status_message(self, text: str) -> None:
        self.statusBar().showMessage(text, STATUS_MESSAGE_MS)

    def _on_settings_saved(self, settings: ProfileSettings) -> None:
        self.close_to_tray = settings.close_to_tray

    def _on_adapter_state_changed(self) -> None:
        services = self.services
        if services is None:
            return
        name = state_name(services.engine.state)
        self.state_label.setText(STATE_LABELS.get(name, name))
        self._follow_signed_in()

    def _follow_signed_in(self) -> None:
        """Enable what needs a session, and show the form or the panel."""
        services = self.services
        signed_in = services is not None and services.engine.session is not None
        if self.menu_actions is not None:
            for action in self.menu_actions.session_actions:
                action.setEnabled(signed_in)
        app_passwords = self._built[1]
        if app_passwords is not None:
            app_passwords.setEnabled(signed_in)
        account = self._built[0]
        if services is not None and account is not None:
            account.follow_state(signed_in)  # type: ignore[attr-defined]
