"""The account page: "starting", the sign-in form, or the session panel.

Which one shows follows the session: signed out shows the sign-in form,
signed in shows the session panel. Before the service layer is loaded it
says so, and if it failed to load it says why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedLayout, QWidget

from a7desktop.ui.pages.base import Page
from a7desktop.ui.pages.session import SessionPage
from a7desktop.ui.pages.signin import SignInPage

if TYPE_CHECKING:
    from a7desktop.ui.context import WindowContext
    from a7desktop.ui.services import Services


class AccountPage(Page):
    """Holds the sign-in form and the session panel; shows one of them."""

    title = "Account"
    icon_name = "session"

    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.starting = QLabel("Starting…")
        self.starting.setObjectName("startingLabel")
        self.starting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.starting.setWordWrap(True)
        self.sign_in_page = SignInPage(context)
        self.session_page = SessionPage(context)
        self.layers = QStackedLayout(self)
        self.layers.addWidget(self.starting)
        self.layers.addWidget(self.sign_in_page)
        self.layers.addWidget(self.session_page)

    def on_attached(self, services: Services) -> None:
        self.sign_in_page.attach(services)
        self.session_page.attach(services)
        self.follow_state(services.engine.session is not None)

    def on_detached(self) -> None:
        self.sign_in_page.detach()
        self.session_page.detach()
        self.starting.setText("Starting…")
        self.layers.setCurrentWidget(self.starting)

    def follow_state(self, signed_in: bool) -> None:
        """Show the session panel when signed in, else the sign-in form."""
        target = self.session_page if signed_in else self.sign_in_page
        if self.layers.currentWidget() is not target:
            self.layers.setCurrentWidget(target)
            target.page_shown()

    def show_startup_error(self, message: str) -> None:
        """Say why the service layer did not start, in place of the form."""
        self.starting.setText(
            f"Agent700 Desktop could not start:\n{message}\n\n"
            "Check the server and profile under Settings."
        )
        self.layers.setCurrentWidget(self.starting)
        self.setEnabled(True)

    def page_shown(self) -> None:
        current = self.layers.currentWidget()
        if isinstance(current, Page):
            current.page_shown()
