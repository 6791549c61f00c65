"""The settings page: server and profile, refresh lead, clipboard, start-up.

Saving writes the profile's settings file (never a secret). A different
profile, server or refresh lead time asks the window to reopen the session
engine with them; the clipboard timeout and the tray choice apply at once.
Values the computer's policy sets are shown but cannot be changed here.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from a7desktop.core.errors import A7Error
from a7desktop.ui import autostart
from a7desktop.ui.pages.base import Notice, Page, page_layout

if TYPE_CHECKING:
    from a7desktop.core.config import ProfileSettings
    from a7desktop.ui.context import WindowContext
    from a7desktop.ui.services import Services

POLICY_TIP = "Set by this computer's policy"


def known_profiles() -> list[str]:
    """Profile names in the settings file, plus ``default``."""
    from a7desktop.core.config import config_path

    names = {"default"}
    try:
        data = json.loads(config_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return sorted(names)
    profiles = data.get("profiles") if isinstance(data, dict) else None
    if isinstance(profiles, dict):
        names.update(name for name in profiles if isinstance(name, str))
    return sorted(names)


class SettingsPage(Page):
    """Edit the current profile's settings.

    Signals:
        settings_saved(object): the new ``ProfileSettings`` were written.
        profile_switch_requested(str, str): reopen with (profile, server);
            the server is empty for "as configured".
    """

    title = "Settings"
    icon_name = "settings"
    settings_saved = Signal(object)
    profile_switch_requested = Signal(str, str)

    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._build()
        self._connect_signals()

    def _build(self) -> None:
        layout = page_layout(self, "Settings")
        form = QFormLayout()
        self.profile = QComboBox()
        self.profile.setObjectName("profileBox")
        self.profile.setEditable(True)
        self.profile.setAccessibleName("Profile")
        self.server = QLineEdit()
        self.server.setObjectName("serverField")
        self.server.setAccessibleName("Server")
        self.server.setPlaceholderText("https://api.agent700.ai/api (default)")
        self.refresh_lead = QSpinBox()
        self.refresh_lead.setObjectName("refreshLeadBox")
        self.refresh_lead.setAccessibleName("Refresh before expiry, in seconds")
        self.refresh_lead.setRange(0, 86_400)
        self.refresh_lead.setSuffix(" s before expiry")
        self.clipboard_timeout = QSpinBox()
        self.clipboard_timeout.setObjectName("clipboardTimeoutBox")
        self.clipboard_timeout.setAccessibleName(
            "Clear the clipboard after, in seconds"
        )
        self.clipboard_timeout.setRange(1, 3_600)
        self.clipboard_timeout.setSuffix(" s")
        self.start_at_login = QCheckBox("Start in the tray when I log in")
        self.start_at_login.setObjectName("startAtLoginBox")
        self.start_at_login.setAccessibleName("Start in the tray when I log in")
        self.close_to_tray = QCheckBox(
            "Closing the window keeps it running in the tray"
        )
        self.close_to_tray.setObjectName("closeToTrayBox")
        self.close_to_tray.setAccessibleName("Keep running in the tray when closed")
        form.addRow("&Profile:", self.profile)
        form.addRow("&Server:", self.server)
        form.addRow("&Refresh:", self.refresh_lead)
        form.addRow("Clear &clipboard after:", self.clipboard_timeout)
        form.addRow("", self.start_at_login)
        form.addRow("", self.close_to_tray)
        layout.addLayout(form)

        row = QHBoxLayout()
        self.save_button = QPushButton("&Save")
        self.save_button.setObjectName("saveSettingsButton")
        self.save_button.setAccessibleName("Save settings")
        row.addWidget(self.save_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.notice = Notice()
        self.notice.setObjectName("settingsMessage")
        layout.addWidget(self.notice)
        layout.addStretch(1)

    def _connect_signals(self) -> None:
        self.save_button.clicked.connect(self._on_save_button_clicked)

    def on_attached(self, services: Services) -> None:
        profile = services.profile
        settings = profile.settings
        policy = profile.policy
        self.profile.clear()
        self.profile.addItems(known_profiles())
        self.profile.setCurrentText(profile.name)
        self.server.setText(settings.server or "")
        # Without a saved server the profile uses one from the command line,
        # the environment or the default: show which, not a guess.
        self.server.setPlaceholderText(f"{profile.server} (in use, not saved)")
        self._lock(self.server, policy.server is not None)
        if policy.server is not None:
            self.server.setText(policy.server)
        self.refresh_lead.setValue(round(profile.refresh_lead_seconds))
        self._lock(self.refresh_lead, policy.refresh_lead_seconds is not None)
        self.clipboard_timeout.setValue(round(profile.clipboard_timeout_seconds))
        self._lock(self.clipboard_timeout, policy.clipboard_timeout_seconds is not None)
        self.start_at_login.setChecked(autostart.is_enabled())
        self.close_to_tray.setChecked(settings.close_to_tray)
        self._show_tray_choice()
        self.notice.clear_message()

    def page_shown(self) -> None:
        self._show_tray_choice()

    def _show_tray_choice(self) -> None:
        """Closing to the tray can only be chosen where the desktop has a tray."""
        available = bool(getattr(self.window(), "tray_available", False))
        self.close_to_tray.setEnabled(available)
        self.close_to_tray.setToolTip(
            "" if available else "This desktop has no tray: closing the window quits."
        )

    @staticmethod
    def _lock(widget: QWidget, locked: bool) -> None:
        widget.setEnabled(not locked)
        widget.setToolTip(POLICY_TIP if locked else "")

    def _new_settings(self, current: ProfileSettings) -> ProfileSettings:
        from a7desktop.core.config import validate_server_url

        server = self.server.text().strip() or None
        if server is not None and self.server.isEnabled():
            server = validate_server_url(server)
        return dataclasses.replace(
            current,
            server=server if self.server.isEnabled() else current.server,
            refresh_lead_seconds=float(self.refresh_lead.value())
            if self.refresh_lead.isEnabled()
            else current.refresh_lead_seconds,
            clipboard_timeout_seconds=float(self.clipboard_timeout.value())
            if self.clipboard_timeout.isEnabled()
            else current.clipboard_timeout_seconds,
            close_to_tray=self.close_to_tray.isChecked(),
            start_at_login=self.start_at_login.isChecked(),
        )

    def _on_save_button_clicked(self) -> None:
        from a7desktop.core.config import (
            load_settings,
            save_settings,
            validate_profile_name,
        )

        services = self.services
        if services is None:
            return
        current_profile = services.profile
        try:
            name = validate_profile_name(self.profile.currentText().strip())
            base = (
                current_profile.settings
                if name == current_profile.name
                else load_settings(name)
            )
            settings = self._new_settings(base)
            save_settings(name, settings)
            autostart.set_enabled(settings.start_at_login)
        except A7Error as error:
            self.notice.show_error(error.message)
            return
        except OSError as error:
            self.notice.show_error(f"Start at login could not be changed: {error}")
            return

        self.context.clipboard.set_timeout(round(settings.clipboard_timeout_seconds))
        self.settings_saved.emit(settings)
        reopen = (
            name != current_profile.name
            or settings.server != current_profile.settings.server
            or settings.refresh_lead_seconds
            != current_profile.settings.refresh_lead_seconds
        )
        if reopen:
            self.notice.show_success("Saved. Reconnecting with the new settings…")
            self.profile_switch_requested.emit(name, "")
        else:
            self.notice.show_success("Saved.")
