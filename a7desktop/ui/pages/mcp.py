"""The MCP key page: keep, replace, test, copy or forget the MCP API key.

The key lives only in the OS keyring. It is never shown: the field is for
pasting a new one and is cleared as soon as it is kept. Copying goes
through the secret clipboard like every other secret.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from a7desktop.core.errors import NotFound
from a7desktop.ui import icons
from a7desktop.ui.pages.base import Notice, Page, page_layout

if TYPE_CHECKING:
    from a7desktop.ui.context import WindowContext
    from a7desktop.ui.services import Services


class McpPage(Page):
    """Manage the MCP service's API key."""

    title = "MCP key"
    icon_name = "plug"

    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.has_key = False
        self._build()
        self._connect_signals()
        self._show_status()

    def _build(self) -> None:
        layout = page_layout(self, "MCP API key")
        intro = QLabel(
            "The MCP service authenticates with an API key sent as X-API-Key. "
            "Keep it here and copy it into the tools that need it."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.url_label = QLabel("")
        self.url_label.setObjectName("mcpUrl")
        layout.addWidget(self.url_label)
        self.status = QLabel("")
        self.status.setObjectName("mcpStatus")
        self.status.setAccessibleName("MCP key status")
        layout.addWidget(self.status)

        row = QHBoxLayout()
        self.key_field = QLineEdit()
        self.key_field.setObjectName("mcpKeyField")
        self.key_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_field.setAccessibleName("New MCP API key")
        self.key_field.setPlaceholderText("Paste the MCP API key")
        self.keep_button = QPushButton(icons.icon("key"), "&Keep")
        self.keep_button.setObjectName("keepMcpKeyButton")
        row.addWidget(self.key_field, 1)
        row.addWidget(self.keep_button)
        layout.addLayout(row)

        actions = QHBoxLayout()
        self.test_button = QPushButton(icons.icon("test"), "&Test")
        self.test_button.setObjectName("testMcpKeyButton")
        self.copy_button = QPushButton(icons.icon("copy"), "&Copy")
        self.copy_button.setObjectName("copyMcpKeyButton")
        self.forget_button = QPushButton(icons.icon("revoke"), "&Forget")
        self.forget_button.setObjectName("forgetMcpKeyButton")
        for button, name in (
            (self.keep_button, "Keep the MCP API key"),
            (self.test_button, "Test the MCP API key"),
            (self.copy_button, "Copy the MCP API key"),
            (self.forget_button, "Forget the MCP API key"),
        ):
            button.setAccessibleName(name)
        for button in (self.test_button, self.copy_button, self.forget_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout.addLayout(actions)

        self.notice = Notice()
        self.notice.setObjectName("mcpMessage")
        layout.addWidget(self.notice)
        layout.addStretch(1)

    def _connect_signals(self) -> None:
        self.keep_button.clicked.connect(self._on_keep_button_clicked)
        self.key_field.returnPressed.connect(self._on_keep_button_clicked)
        self.key_field.textChanged.connect(self._on_key_field_text_changed)
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.forget_button.clicked.connect(self._on_forget_button_clicked)

    # Services -----------------------------------------------------------

    def on_attached(self, services: Services) -> None:
        self.url_label.setText(f"MCP service: {services.mcp.mcp_url}")
        self.notice.clear_message()
        self.has_key = False
        self._show_status()

        async def look(services: Services) -> None:
            self.has_key = await self._kept_key(services) is not None
            self._show_status()

        self.run_task(look, "look for the MCP key", self.notice)

    @staticmethod
    async def _kept_key(services: Services) -> str | None:
        try:
            return await services.mcp.get()
        except NotFound:
            return None

    def _show_status(self) -> None:
        if self.has_key:
            self.status.setText("An MCP API key is kept in the keyring.")
            self.keep_button.setText("&Replace")
        else:
            self.status.setText("No MCP API key is kept.")
            self.keep_button.setText("&Keep")
        for button in (self.test_button, self.copy_button, self.forget_button):
            button.setEnabled(self.has_key)
        self.keep_button.setEnabled(bool(self.key_field.text().strip()))

    # Slots --------------------------------------------------------------

    def _on_key_field_text_changed(self, _text: str) -> None:
        self._show_status()

    def _on_keep_button_clicked(self) -> None:
        key = self.key_field.text().strip()
        if not key or self.services is None:
            return
        self.key_field.clear()
        replacing = self.has_key

        async def keep(services: Services) -> None:
            await services.mcp.set(key)
            self.has_key = True
            self._show_status()
            self.notice.show_success(
                "MCP API key replaced."
                if replacing
                else "MCP API key kept in the keyring."
            )

        self.run_task(keep, "keep the MCP key", self.notice)

    def _on_test_button_clicked(self) -> None:
        self.notice.show_info("Testing the MCP API key…")

        async def test(services: Services) -> None:
            count = await services.mcp.test()
            noun = "server" if count == 1 else "servers"
            self.notice.show_success(
                f"The MCP service accepted the key and lists {count} {noun}."
            )

        self.run_task(test, "test the MCP key", self.notice)

    def _on_copy_button_clicked(self) -> None:
        async def copy(services: Services) -> None:
            key = await services.mcp.get()
            self.context.clipboard.copy(key, "MCP API key")
            self.context.status.message.emit("MCP API key copied")

        self.run_task(copy, "copy the MCP key", self.notice)

    def _on_forget_button_clicked(self) -> None:
        async def forget(services: Services) -> None:
            await services.mcp.delete()
            self.has_key = False
            self._show_status()
            self.notice.show_info("The MCP API key was removed from the keyring.")

        self.run_task(forget, "forget the MCP key", self.notice)
