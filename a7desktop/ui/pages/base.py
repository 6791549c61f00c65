"""What every page shares: the services it is attached to, and inline notices.

A page is built before the service layer is loaded (the window paints
first) and is attached to it afterwards; until then it shows itself
disabled. Messages for the person appear inline on the page, in a
:class:`Notice`, not in pop-ups.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from a7desktop.ui.messages import explain

if TYPE_CHECKING:
    from a7desktop.ui.context import WindowContext
    from a7desktop.ui.services import Services


class Notice(QLabel):
    """An inline message: information, success or error, hidden when empty.

    Each message is also announced to a running screen reader (errors at
    once, the others when it is idle), since text that appears elsewhere on
    the page would otherwise go unnoticed.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setAccessibleName("Message")
        self.kind = ""
        self.hide()

    def show_info(self, text: str) -> None:
        self._show(text, "info")

    def show_success(self, text: str) -> None:
        self._show(text, "success")

    def show_error(self, text: str) -> None:
        self._show(text, "error")

    def clear_message(self) -> None:
        self.kind = ""
        self.setText("")
        self.hide()

    def _show(self, text: str, kind: str) -> None:
        self.kind = kind
        self.setText(text)
        self.setAccessibleDescription(text)
        colours = {"error": "#c62828", "success": "#2e7d32"}
        colour = colours.get(kind)
        if colour is None:
            self.setStyleSheet("")
        else:
            # Bold coloured text stays readable on light and dark palettes.
            self.setStyleSheet(f"QLabel {{ color: {colour}; font-weight: 600; }}")
        self.setForegroundRole(QPalette.ColorRole.WindowText)
        self.show()
        announce(self, text, urgent=kind == "error")


def announce(widget: QWidget, text: str, *, urgent: bool) -> None:
    """Have a running screen reader speak ``text`` (Qt 6.8 and later)."""
    event_class = getattr(QtGui, "QAccessibleAnnouncementEvent", None)
    if event_class is None or not QAccessible.isActive():
        return
    event = event_class(widget, text)
    politeness = QAccessible.AnnouncementPoliteness
    event.setPoliteness(politeness.Assertive if urgent else politeness.Polite)
    QAccessible.updateAccessibility(event)


class Page(QWidget):
    """A page of the main window.

    Subclasses set :attr:`title` and :attr:`icon_name`, build their widgets
    in ``__init__`` and override :meth:`on_attached` / :meth:`on_detached`.
    """

    title = ""
    icon_name = ""

    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.services: Services | None = None
        self.setAccessibleName(self.title)

    def attach(self, services: Services) -> None:
        """Start using ``services`` (the service layer finished loading)."""
        self.services = services
        self.setEnabled(True)
        self.on_attached(services)

    def detach(self) -> None:
        """Stop using the services (profile switch or quit)."""
        if self.services is not None:
            self.on_detached()
        self.services = None

    def on_attached(self, services: Services) -> None:
        """Hook: the services are ready."""

    def on_detached(self) -> None:
        """Hook: the services are going away."""

    def page_shown(self) -> None:
        """Hook: the page became the visible one."""

    def run_task(
        self,
        work: Callable[[Services], Awaitable[None]],
        name: str,
        notice: Notice,
    ) -> None:
        """Run ``work(services)`` as a task; a failure is explained in ``notice``.

        Does nothing while no services are attached. Cancellation (quit,
        profile switch) is not a failure and shows nothing.
        """
        services = self.services
        if services is None:
            return

        async def guarded() -> None:
            try:
                await work(services)
            except Exception as error:  # every failure is explained inline
                notice.show_error(explain(error, services.profile.server).text)

        self.context.tasks.start(guarded(), name=name)


def page_layout(page: QWidget, heading: str) -> QVBoxLayout:
    """A vertical layout with a heading, the frame every page uses."""
    layout = QVBoxLayout(page)
    layout.setContentsMargins(24, 18, 24, 18)
    layout.setSpacing(12)
    title = QLabel(heading)
    font = title.font()
    font.setPointSizeF(font.pointSizeF() * 1.45)
    font.setBold(True)
    title.setFont(font)
    title.setAccessibleName(heading)
    layout.addWidget(title)
    return layout
