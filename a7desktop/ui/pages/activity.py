"""The activity page: the local security log, newest first.

Reads :class:`~a7desktop.core.audit.AuditLog` (off the event loop thread)
when the page is shown, when the session changes while it is visible, and
on Reload. The log never holds a secret, so it is shown as it is.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from a7desktop.ui import icons
from a7desktop.ui.pages.base import Notice, Page, page_layout

if TYPE_CHECKING:
    from a7desktop.ui.context import WindowContext
    from a7desktop.ui.services import Services

LIMIT = 500

EVENT_LABELS = {
    "user_login": "Signed in",
    "user_login_failed": "Sign-in failed",
    "token_refresh_success": "Session refreshed",
    "token_refresh_failed": "Refresh failed",
    "refresh_token_validation_failed": "Refresh token refused",
    "app_password_auth_success": "Signed in with an app password",
    "app_password_auth_failed": "App password refused",
    "user_logout": "Signed out",
    "session_ended": "Session ended",
    "session_adopted": "Session taken over from another process",
    "app_password_created": "App password created",
    "app_password_revoked": "App password revoked",
    "app_password_kept": "App password kept in the keyring",
    "app_password_forgotten": "App password removed from the keyring",
    "mcp_key_set": "MCP key kept",
    "mcp_key_deleted": "MCP key removed",
    "vault_unavailable": "Keyring unavailable",
}


def local_time(stamp: object) -> str:
    """An ISO UTC stamp from the log as local date and time."""
    if not isinstance(stamp, str):
        return ""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(moment.timestamp()))


def detail_text(detail: object) -> str:
    """``key: value`` pairs of a record's detail, in a stable order."""
    if not isinstance(detail, dict):
        return ""
    return ", ".join(f"{key}: {value}" for key, value in sorted(detail.items()))


class ActivityPage(Page):
    """Shows the security log."""

    title = "Activity"
    icon_name = "activity"

    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        layout = page_layout(self, "Activity")
        intro = QLabel("What happened to this computer's Agent700 credentials.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.tree = QTreeWidget()
        self.tree.setObjectName("activityList")
        self.tree.setAccessibleName("Security log")
        self.tree.setHeaderLabels(["Time", "Event", "Profile", "Outcome", "Details"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        layout.addWidget(self.tree, 1)
        row = QHBoxLayout()
        self.reload_button = QPushButton(icons.icon("refresh"), "Re&load")
        self.reload_button.setObjectName("reloadActivityButton")
        self.reload_button.setAccessibleName("Reload the security log")
        row.addWidget(self.reload_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.notice = Notice()
        layout.addWidget(self.notice)
        self.reload_button.clicked.connect(self.reload)

    def on_attached(self, services: Services) -> None:
        services.adapter.state_changed.connect(self._on_adapter_state_changed)
        if self.isVisible():
            self.reload()

    def on_detached(self) -> None:
        assert self.services is not None
        self.services.adapter.state_changed.disconnect(self._on_adapter_state_changed)

    def page_shown(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the log again and show it."""
        services = self.services
        if services is None:
            return

        async def load() -> None:
            import asyncio

            try:
                records = await asyncio.get_running_loop().run_in_executor(
                    None, services.audit.read, LIMIT
                )
            except OSError as error:
                self.notice.show_error(f"The security log cannot be read: {error}")
                return
            self.show_records(records)

        self.context.tasks.start(load(), name="read the security log")

    def show_records(self, records: list[dict[str, object]]) -> None:
        """Replace the list with ``records`` (already newest first)."""
        self.tree.clear()
        items = []
        for record in records:
            event = str(record.get("event", ""))
            items.append(
                QTreeWidgetItem(
                    [
                        local_time(record.get("time")),
                        EVENT_LABELS.get(event, event),
                        str(record.get("profile", "")),
                        str(record.get("outcome", "")),
                        detail_text(record.get("detail")),
                    ]
                )
            )
        self.tree.addTopLevelItems(items)
        if not records:
            self.notice.show_info("Nothing recorded yet.")
        else:
            self.notice.clear_message()

    def _on_adapter_state_changed(self) -> None:
        if self.isVisible():
            self.reload()
