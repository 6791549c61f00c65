"""The tray icon: the session state at a glance, and the common actions.

The icon's colour follows the session state (green active, blue refreshing,
amber expiring soon, red expired, grey signed out, violet offline) and the
tooltip says how long the access token has left. Its menu opens the window,
copies the access token, refreshes, signs out and quits. Where the desktop
has no tray, nothing is shown and closing the window quits instead; where
it has one, the first close says once that the program is still running,
and a session that ends while the window is hidden is announced from the
icon (the sign-in form says why once the window is open).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from a7desktop.ui import icons
from a7desktop.ui.messages import signed_out_text
from a7desktop.ui.state_text import STATE_LABELS, TRAY_ICONS, state_name
from a7desktop.ui.timefmt import duration

if TYPE_CHECKING:
    from a7desktop.ui.context import WindowContext
    from a7desktop.ui.services import Services
    from a7desktop.ui.window import MainWindow

TOOLTIP_REFRESH_MS = 15_000
NOTICE_MS = 8000
# Sign-outs the person asked for here need no announcement.
USER_SIGN_OUTS = ("signed_out", "user", "manual")


def tooltip_text(state: str, expires_at: float | None, now: float) -> str:
    """The tray tooltip: the program, the state and the time left."""
    label = STATE_LABELS.get(state, state)
    if expires_at is None or state in ("signed_out", "expired"):
        return f"Agent700 Desktop: {label}"
    return f"Agent700 Desktop: {label}, {duration(expires_at - now)} left"


class Tray(QObject):
    """The tray icon and its menu.

    Signals:
        quit_requested(): "Quit" was chosen.
    """

    quit_requested = Signal()

    def __init__(
        self,
        context: WindowContext,
        window: MainWindow,
        *,
        available: bool | None = None,
    ) -> None:
        """``available`` says whether the desktop has a tray; None asks it."""
        super().__init__(window)
        self.context = context
        self.window = window
        self.services: Services | None = None
        if available is None:
            available = QSystemTrayIcon.isSystemTrayAvailable()
        self.available = available
        self.state = "signed_out"
        self.told_still_running = False
        self.last_notice: tuple[str, str] | None = None

        self.icon = QSystemTrayIcon(icons.tray_icon("signed-out"), self)
        self.menu = QMenu()
        self.open_action = QAction("Open Agent700 Desktop", self.menu)
        self.copy_action = QAction("Copy Access Token", self.menu)
        self.refresh_action = QAction("Refresh Now", self.menu)
        self.sign_out_action = QAction("Sign Out", self.menu)
        self.quit_action = QAction("Quit", self.menu)
        self.menu.addAction(self.open_action)
        self.menu.addSeparator()
        for action in (self.copy_action, self.refresh_action, self.sign_out_action):
            action.setEnabled(False)
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.icon.setContextMenu(self.menu)
        self.icon.setToolTip(tooltip_text(self.state, None, time.time()))

        self._timer = QTimer(self)
        self._timer.setInterval(TOOLTIP_REFRESH_MS)
        self._connect_signals()

    def _connect_signals(self) -> None:
        # Through the window, so the tray does not make it build its pages.
        self.open_action.triggered.connect(self.window.bring_to_front)
        self.copy_action.triggered.connect(self.window.copy_access_token)
        self.refresh_action.triggered.connect(self.window.refresh_now)
        self.sign_out_action.triggered.connect(self.window.sign_out)
        self.quit_action.triggered.connect(self.quit_requested)
        self.icon.activated.connect(self._on_icon_activated)
        self.window.closed_to_tray.connect(self._on_window_closed_to_tray)
        self._timer.timeout.connect(self._on_timer_timeout)

    def show(self) -> None:
        """Show the icon, where the desktop has a tray."""
        if self.available:
            self.icon.show()
            self._timer.start()

    def hide(self) -> None:
        self._timer.stop()
        self.icon.hide()

    def attach(self, services: Services) -> None:
        """Follow the session of ``services``."""
        self.services = services
        services.adapter.state_changed.connect(self._on_adapter_state_changed)
        services.adapter.signed_out.connect(self._on_adapter_signed_out)
        self._on_adapter_state_changed()

    def detach(self) -> None:
        if self.services is not None:
            adapter = self.services.adapter
            adapter.state_changed.disconnect(self._on_adapter_state_changed)
            adapter.signed_out.disconnect(self._on_adapter_signed_out)
        self.services = None
        self._show_state("signed_out", None)

    def notify(self, title: str, text: str) -> None:
        """Show a message from the icon, where the desktop has a tray.

        The last one is kept in :attr:`last_notice`.
        """
        if not self.available:
            return
        self.last_notice = (title, text)
        self.icon.showMessage(title, text, self.icon.icon(), NOTICE_MS)

    def _show_state(self, state: str, expires_at: float | None) -> None:
        if state != self.state:
            self.state = state
            self.icon.setIcon(icons.tray_icon(TRAY_ICONS.get(state, "signed-out")))
        signed_in = expires_at is not None
        for action in (self.copy_action, self.refresh_action, self.sign_out_action):
            action.setEnabled(signed_in)
        self.icon.setToolTip(tooltip_text(state, expires_at, time.time()))

    def _on_adapter_state_changed(self) -> None:
        services = self.services
        if services is None:
            return
        session = services.engine.session
        expires_at = None if session is None else session.expires_at
        self._show_state(state_name(services.engine.state), expires_at)

    def _on_timer_timeout(self) -> None:
        self._on_adapter_state_changed()

    def _on_window_closed_to_tray(self) -> None:
        if self.told_still_running:
            return
        self.told_still_running = True
        self.notify(
            "Agent700 Desktop is still running",
            "Your session stays fresh in the tray. Choose Quit from this icon's "
            "menu to end it.",
        )

    def _on_adapter_signed_out(self, reason: str, message: str) -> None:
        if reason in USER_SIGN_OUTS or self.window.isVisible():
            return
        self.notify("Signed out of Agent700", signed_out_text(reason, message))

    def _on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            if self.window.isVisible() and not self.window.isMinimized():
                self.window.hide()
            else:
                self.window.bring_to_front()
