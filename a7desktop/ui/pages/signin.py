"""The sign-in form: email and password, an app password, or Google.

Each attempt runs as a task; while it runs the form shows a busy bar with
Cancel, and nothing else waits on it. Failures appear inline and say what
happened: wrong credentials, too many attempts (with a countdown to the
server's Retry-After, during which the buttons stay off), a lockout, an
unreachable server, a device that changed. Google sign-in shows the time
left in the browser and the link to open by hand when no browser opened.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from a7desktop.ui import icons
from a7desktop.ui.google import GoogleSignIn
from a7desktop.ui.messages import countdown_text, explain, signed_out_text
from a7desktop.ui.pages.base import Notice, Page, page_layout
from a7desktop.ui.timefmt import duration

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Awaitable, Callable

    from a7desktop.ui.context import WindowContext
    from a7desktop.ui.services import Services


class SignInPage(Page):
    """The form shown while signed out."""

    title = "Sign in"
    icon_name = "signin"

    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._task: asyncio.Task[None] | None = None
        self._retry_at: float | None = None
        self._retry_text = ""
        self.google: GoogleSignIn | None = None
        self._build()
        self._connect_signals()

    # Building -----------------------------------------------------------

    def _build(self) -> None:
        layout = page_layout(self, "Sign in to Agent700")
        self.server_label = QLabel("")
        self.server_label.setObjectName("serverLabel")
        layout.addWidget(self.server_label)
        self.reason = Notice()
        self.reason.setObjectName("signedOutReason")
        layout.addWidget(self.reason)

        self.methods = QTabWidget()
        self.methods.setAccessibleName("Sign-in method")
        self.methods.setMaximumWidth(560)
        self.methods.addTab(self._build_password_tab(), "Email and password")
        self.methods.addTab(self._build_app_password_tab(), "App password")
        layout.addWidget(self.methods)

        self.google_button = QPushButton(icons.icon("google"), "Sign in with Google")
        self.google_button.setObjectName("googleButton")
        self.google_button.setAccessibleName("Sign in with Google")
        self.google_button.setMaximumWidth(560)
        layout.addWidget(self.google_button)

        self.busy = QWidget()
        busy_row = QHBoxLayout(self.busy)
        busy_row.setContentsMargins(0, 0, 0, 0)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(180)
        self.busy_bar.setAccessibleName("Working")
        self.busy_label = QLabel("")
        self.busy_label.setObjectName("busyLabel")
        self.cancel_button = QPushButton(icons.icon("cancel"), "Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAccessibleName("Cancel sign-in")
        busy_row.addWidget(self.busy_bar)
        busy_row.addWidget(self.busy_label, 1)
        busy_row.addWidget(self.cancel_button)
        self.busy.hide()
        layout.addWidget(self.busy)

        self.link_row = QWidget()
        link_layout = QHBoxLayout(self.link_row)
        link_layout.setContentsMargins(0, 0, 0, 0)
        self.link_field = QLineEdit()
        self.link_field.setReadOnly(True)
        self.link_field.setAccessibleName("Sign-in link to open in a browser")
        self.copy_link_button = QPushButton(icons.icon("copy"), "Copy link")
        self.copy_link_button.setAccessibleName("Copy the sign-in link")
        link_layout.addWidget(self.link_field, 1)
        link_layout.addWidget(self.copy_link_button)
        self.link_row.hide()
        layout.addWidget(self.link_row)

        self.notice = Notice()
        self.notice.setObjectName("signInMessage")
        layout.addWidget(self.notice)
        layout.addStretch(1)

        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)

    def _build_password_tab(self) -> QWidget:
        tab = QWidget()
        form = QFormLayout(tab)
        self.email = QLineEdit()
        self.email.setObjectName("emailField")
        self.email.setPlaceholderText("you@example.com")
        self.email.setAccessibleName("Email")
        self.password = QLineEdit()
        self.password.setObjectName("passwordField")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.sign_in_button = QPushButton(icons.icon("signin"), "Sign in")
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setAccessibleName("Sign in with email and password")
        form.addRow("&Email:", self.email)
        form.addRow("&Password:", self.password)
        form.addRow("", self.sign_in_button)
        QWidget.setTabOrder(self.email, self.password)
        QWidget.setTabOrder(self.password, self.sign_in_button)
        return tab

    def _build_app_password_tab(self) -> QWidget:
        tab = QWidget()
        column = QVBoxLayout(tab)
        hint = QLabel(
            "Paste an app password (app_a7_ followed by 32 hexadecimal characters)."
        )
        hint.setWordWrap(True)
        self.app_password = QLineEdit()
        self.app_password.setObjectName("appPasswordField")
        self.app_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.app_password.setAccessibleName("App password")
        self.app_password.setPlaceholderText("app_a7_…")
        self.app_sign_in_button = QPushButton(icons.icon("signin"), "Sign in")
        self.app_sign_in_button.setObjectName("appSignInButton")
        self.app_sign_in_button.setAccessibleName("Sign in with the app password")
        column.addWidget(hint)
        column.addWidget(self.app_password)
        column.addWidget(self.app_sign_in_button)
        column.addStretch(1)
        return tab

    def _connect_signals(self) -> None:
        self.sign_in_button.clicked.connect(self._on_sign_in_button_clicked)
        self.password.returnPressed.connect(self._on_sign_in_button_clicked)
        self.email.returnPressed.connect(self.password.setFocus)
        self.app_sign_in_button.clicked.connect(self._on_app_sign_in_button_clicked)
        self.app_password.returnPressed.connect(self._on_app_sign_in_button_clicked)
        self.google_button.clicked.connect(self._on_google_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.copy_link_button.clicked.connect(self._on_copy_link_button_clicked)
        self._countdown.timeout.connect(self._on_countdown_timeout)

    # Services -----------------------------------------------------------

    def on_attached(self, services: Services) -> None:
        profile = services.profile
        self.server_label.setText(f"Server: {profile.server} (profile {profile.name})")
        policy = profile.policy
        self.methods.setTabVisible(0, policy.allows("password"))
        self.methods.setTabVisible(1, policy.allows("app_password"))
        self.google = GoogleSignIn(profile, self._open_url, self)
        google_ready = policy.allows("google") and self.google.configured
        self.google_button.setVisible(policy.allows("google"))
        self.google_button.setEnabled(google_ready)
        self.google_button.setToolTip(
            "" if google_ready else "Google sign-in is not configured for this server"
        )
        self.google.waiting.connect(self._on_google_waiting)
        self.google.link_available.connect(self._on_google_link_available)
        services.adapter.signed_out.connect(self._on_adapter_signed_out)

    def on_detached(self) -> None:
        assert self.services is not None
        self.services.adapter.signed_out.disconnect(self._on_adapter_signed_out)
        if self._task is not None:
            self._task.cancel()
        self.google = None

    def prefill(self, email: str, password: str) -> None:
        """Fill in the form (the demo's account) without signing in."""
        self.email.setText(email)
        self.password.setText(password)
        self.notice.show_info(
            "Demo: the local emulator's account is filled in. Press Sign in."
        )

    def page_shown(self) -> None:
        if self.email.isVisible() and not self.email.text():
            self.email.setFocus()

    # Attempts -----------------------------------------------------------

    def _start(self, work: Callable[[], Awaitable[object]], what: str) -> None:
        if self._task is not None and not self._task.done():
            return
        self.notice.clear_message()
        self.reason.clear_message()
        self._set_busy(what)
        # The request is made inside the task, so a Cancel that comes before
        # the task's first step leaves nothing half-started.
        self._task = self.context.tasks.start(
            self._attempt(work), name="sign in", on_error=self._on_attempt_crashed
        )
        self._task.add_done_callback(self._on_task_done)

    async def _attempt(self, work: Callable[[], Awaitable[object]]) -> None:
        services = self.services
        try:
            await work()
        except Exception as error:  # each failure is explained inline
            server = services.profile.server if services is not None else ""
            explained = explain(error, server)
            self.notice.show_error(explained.text)
            if explained.retry_after:
                self._start_countdown(explained.text, explained.retry_after)
        else:
            self.password.clear()
            self.app_password.clear()
            self.notice.clear_message()

    def _set_busy(self, what: str) -> None:
        self.busy_label.setText(what)
        self.busy.show()
        for widget in self._inputs():
            widget.setEnabled(False)
        self.cancel_button.setFocus()

    def _on_task_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            self.notice.show_info("Sign-in cancelled.")
        self._set_idle()

    def _set_idle(self) -> None:
        self.busy.hide()
        self.link_row.hide()
        self.link_field.clear()
        self._enable_inputs()

    def _enable_inputs(self) -> None:
        waiting = self._retry_at is not None
        for widget in self._inputs():
            widget.setEnabled(not waiting)
        if self.google is not None and not self.google.configured:
            self.google_button.setEnabled(False)

    def _inputs(self) -> list[QWidget]:
        return [
            self.email,
            self.password,
            self.sign_in_button,
            self.app_password,
            self.app_sign_in_button,
            self.google_button,
        ]

    def _start_countdown(self, text: str, seconds: float) -> None:
        self._retry_text = text
        self._retry_at = time.monotonic() + seconds
        self._countdown.start()
        self._on_countdown_timeout()

    def _open_url(self, url: str) -> bool:
        return QDesktopServices.openUrl(QUrl(url))

    # Slots --------------------------------------------------------------

    def _on_sign_in_button_clicked(self) -> None:
        services = self.services
        if services is None or not self.sign_in_button.isEnabled():
            return
        email = self.email.text().strip()
        password = self.password.text()
        if not email or not password:
            self.notice.show_error("Enter your email and password.")
            (self.password if email else self.email).setFocus()
            return
        engine = services.engine
        self._start(lambda: engine.sign_in_password(email, password), "Signing in…")

    def _on_app_sign_in_button_clicked(self) -> None:
        services = self.services
        if services is None or not self.app_sign_in_button.isEnabled():
            return
        token = self.app_password.text().strip()
        if not token:
            self.notice.show_error("Paste an app password first.")
            self.app_password.setFocus()
            return
        engine = services.engine
        self._start(
            lambda: engine.sign_in_app_password(token),
            "Signing in with the app password…",
        )

    def _on_google_button_clicked(self) -> None:
        if self.services is None or self.google is None:
            return
        google, engine = self.google, self.services.engine
        self._start(lambda: google.run(engine), "Opening the browser…")

    def _on_cancel_button_clicked(self) -> None:
        if self.google is not None:
            self.google.cancel()
        if self._task is not None:
            self._task.cancel()

    def _on_copy_link_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.link_field.text())
        self.context.status.message.emit("Sign-in link copied")

    def _on_google_waiting(self, seconds_left: float) -> None:
        self.busy_label.setText(
            f"Waiting for you to finish in the browser: {duration(seconds_left)} left"
        )

    def _on_google_link_available(self, url: str, opened: bool) -> None:
        if opened:
            return
        self.link_field.setText(url)
        self.link_row.show()
        self.notice.show_info("No browser opened: open this link in a browser.")

    def _on_countdown_timeout(self) -> None:
        if self._retry_at is None:
            self._countdown.stop()
            return
        # Rounded up: the session engine refuses a sign-in until the whole
        # wait has passed, so the form must not offer one a moment early.
        left = max(0, math.ceil(self._retry_at - time.monotonic()))
        self.notice.show_error(f"{self._retry_text} {countdown_text(left)}")
        if left <= 0:
            self._retry_at = None
            self._countdown.stop()
            self._enable_inputs()

    def _on_adapter_signed_out(self, reason: str, message: str) -> None:
        text = signed_out_text(reason, message)
        if reason in ("user", "signed_out", "manual"):
            self.reason.show_info(text)
        else:
            self.reason.show_error(text)

    def _on_attempt_crashed(self, error: BaseException) -> None:
        self.notice.show_error(explain(error, "").text)
