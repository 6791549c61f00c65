"""The main window: a list of pages on the left, the chosen page on the right.

The window is built and shown before the service layer is imported; it
shows "Starting…" until :meth:`MainWindow.attach` hands it the services. It
never quits by itself: closing it either hides it in the tray or asks the
application to quit through :attr:`MainWindow.quit_requested`, so the
bootstrap can close the HTTP client and clear the clipboard first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from a7desktop.core.log import get_logger
from a7desktop.ui import icons
from a7desktop.ui.pages.account import AccountPage
from a7desktop.ui.state_text import STATE_LABELS, state_name

if TYPE_CHECKING:
    from a7desktop.core.config import ProfileSettings
    from a7desktop.ui.context import WindowContext
    from a7desktop.ui.pages.activity import ActivityPage
    from a7desktop.ui.pages.app_passwords import AppPasswordsPage
    from a7desktop.ui.pages.base import Page
    from a7desktop.ui.pages.mcp import McpPage
    from a7desktop.ui.pages.settings import SettingsPage
    from a7desktop.ui.services import Services

log = get_logger("ui")

DISPLAY_NAME = "Agent700 Desktop"

# Pages after the first: (title, icon, module, class). They are built right
# after the first paint, so only the account page delays the window.
LATER_PAGES = (
    ("App passwords", "key", "a7desktop.ui.pages.app_passwords", "AppPasswordsPage"),
    ("MCP key", "plug", "a7desktop.ui.pages.mcp", "McpPage"),
    ("Activity", "activity", "a7desktop.ui.pages.activity", "ActivityPage"),
    ("Settings", "settings", "a7desktop.ui.pages.settings", "SettingsPage"),
)
STATUS_MESSAGE_MS = 6000


class _FirstPaint(QObject):
    """Reports the window's first paint event, then removes itself."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            # Emitted after this paint has finished and reached the screen;
            # the other pages are built once it is there.
            QTimer.singleShot(0, self._window.first_painted.emit)
            QTimer.singleShot(0, self._window.ensure_pages)
        return False


class MainWindow(QMainWindow):
    """The program's one window.

    Signals:
        first_painted(): the window was painted for the first time.
        quit_requested(): the person asked to quit (menu, tray, or closing
            the window when it does not go to the tray).
        profile_switch_requested(str, str): settings chose another profile
            or server (profile, server); the bootstrap reopens the services.
    """

    first_painted = Signal()
    quit_requested = Signal()
    profile_switch_requested = Signal(str, str)

    def __init__(self, context: WindowContext) -> None:
        super().__init__()
        self.context = context
        self.services: Services | None = None
        self.tray_available = False
        self.close_to_tray = True
        self._quitting = False
        self._told_about_tray = False

        self.setWindowTitle(DISPLAY_NAME)
        self.setObjectName("mainWindow")
        self.setWindowIcon(icons.icon(icons.APP_ICON))
        self.resize(920, 620)
        self.setMinimumSize(720, 480)

        self.account = AccountPage(context)
        self.pages: list[Page] = [self.account]
        self._build()
        self._build_menus()
        self._connect_signals()
        self.installEventFilter(_FirstPaint(self))

    # Building -----------------------------------------------------------

    def _build(self) -> None:
        self.nav = QListWidget()
        self.nav.setObjectName("pageList")
        self.nav.setAccessibleName("Pages")
        self.nav.setFixedWidth(190)
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setSpacing(2)
        self.stack = QStackedWidget()
        for title, _icon, _module, _class in (
            (AccountPage.title, AccountPage.icon_name, "", ""),
            *LATER_PAGES,
        ):
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, title)
            self.nav.addItem(item)
        self.stack.addWidget(self.account)
        self.account.setEnabled(False)
        self._placeholders = [QWidget() for _ in LATER_PAGES]
        for placeholder in self._placeholders:
            self.stack.addWidget(placeholder)
        self._tint_icons()

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.state_label = QLabel("Starting…")
        self.state_label.setObjectName("sessionState")
        self.state_label.setAccessibleName("Session state")
        self.clipboard_label = QLabel("")
        self.clipboard_label.setObjectName("clipboardCountdown")
        self.clipboard_label.setAccessibleName("Clipboard")
        self.statusBar().addPermanentWidget(self.clipboard_label)
        self.statusBar().addPermanentWidget(self.state_label)
        self.nav.setCurrentRow(0)

    def _build_menus(self) -> None:
        menu = self.menuBar()
        program = menu.addMenu("&File")
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        program.addAction(self.quit_action)

        session = menu.addMenu("&Session")
        self.refresh_action = QAction("&Refresh Now", self)
        self.refresh_action.setShortcut(QKeySequence("F5"))
        self.copy_token_action = QAction("&Copy Access Token", self)
        self.copy_token_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.sign_out_action = QAction("Sign &Out", self)
        for action in (
            self.refresh_action,
            self.copy_token_action,
            self.sign_out_action,
        ):
            action.setEnabled(False)
            session.addAction(action)

        view = menu.addMenu("&View")
        titles = [AccountPage.title, *(spec[0] for spec in LATER_PAGES)]
        for index, title in enumerate(titles):
            action = QAction(title, self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _=False, row=index: self.show_page(row))
            view.addAction(action)
        self.addActions(view.actions())

    def _connect_signals(self) -> None:
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        self.quit_action.triggered.connect(self._on_quit_action_triggered)
        self.refresh_action.triggered.connect(self.account.session_page.refresh_now)
        self.copy_token_action.triggered.connect(
            self.account.session_page.copy_access_token
        )
        self.sign_out_action.triggered.connect(self.account.session_page.sign_out)
        self.context.clipboard.countdown.connect(self._on_clipboard_countdown)
        self.context.status.message.connect(self._on_status_message)

    def ensure_pages(self) -> None:
        """Build the pages after the first, if that has not happened yet."""
        if len(self.pages) > 1:
            return
        import importlib

        for row, (_title, _icon, module, name) in enumerate(LATER_PAGES, start=1):
            page_class = getattr(importlib.import_module(module), name)
            page: Page = page_class(self.context)
            page.setEnabled(False)
            placeholder = self._placeholders[row - 1]
            self.stack.insertWidget(row, page)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self.pages.append(page)
        self.settings.profile_switch_requested.connect(self.profile_switch_requested)
        self.settings.settings_saved.connect(self._on_settings_saved)
        if self.services is not None:
            for page in self.pages[1:]:
                page.attach(self.services)

    @property
    def app_passwords(self) -> AppPasswordsPage:
        self.ensure_pages()
        return self.pages[1]  # type: ignore[return-value]

    @property
    def mcp(self) -> McpPage:
        self.ensure_pages()
        return self.pages[2]  # type: ignore[return-value]

    @property
    def activity(self) -> ActivityPage:
        self.ensure_pages()
        return self.pages[3]  # type: ignore[return-value]

    @property
    def settings(self) -> SettingsPage:
        self.ensure_pages()
        return self.pages[4]  # type: ignore[return-value]

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
        for page in self.pages:
            page.detach()
            page.setEnabled(False)
        self.services = None
        self.state_label.setText("Starting…")

    def show_startup_error(self, message: str) -> None:
        """The service layer could not start: say why on the account page."""
        self.state_label.setText("Not started")
        self.account.show_startup_error(message)
        self.settings.setEnabled(True)

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

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._quitting:
            event.accept()
            return
        if self.tray_available and self.close_to_tray:
            event.ignore()
            self.hide()
            return
        event.ignore()
        self.quit_requested.emit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        page = self.stack.currentWidget()
        if page is not None and hasattr(page, "page_shown"):
            page.page_shown()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (
            QEvent.Type.PaletteChange,
            QEvent.Type.ApplicationPaletteChange,
        ):
            # Light or dark theme switched: redraw monochrome icons in the new
            # text colour.
            self._tint_icons()
        super().changeEvent(event)

    def _tint_icons(self) -> None:
        names = [AccountPage.icon_name, *(spec[1] for spec in LATER_PAGES)]
        for row, name in enumerate(names):
            item = self.nav.item(row)
            if item is not None:
                item.setIcon(icons.icon(name))

    # Slots --------------------------------------------------------------

    def _on_nav_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        if row > 0:
            self.ensure_pages()
        self.stack.setCurrentIndex(row)
        self.pages[row].page_shown()

    def _on_quit_action_triggered(self) -> None:
        self.quit_requested.emit()

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
        signed_in = services.engine.session is not None
        self.state_label.setText(STATE_LABELS.get(name, name))
        for action in (
            self.refresh_action,
            self.copy_token_action,
            self.sign_out_action,
        ):
            action.setEnabled(signed_in)
        self.app_passwords.setEnabled(signed_in)
        self.account.follow_state(signed_in)


def window_icon() -> QIcon:
    """The application icon (for the application and the tray fallback)."""
    return icons.icon(icons.APP_ICON)
