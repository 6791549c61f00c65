"""The session panel: is the session healthy, and for how long.

Shows a state badge, the account, how it signed in, the organization and
role, when the access token was issued and expires (local time and
relative), a bar of the lifetime left (updated every second), the next
scheduled refresh, how the last refresh went, the API heartbeat with its
latency, and where the session is stored. Buttons refresh now, copy the
access token (marked and cleared, see :mod:`a7desktop.ui.clipboard`), show
the decoded claims (display only) and sign out.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QWidget,
)

from a7desktop.ui import icons
from a7desktop.ui.claims import ClaimsDialog, decode_claims, describe_claims
from a7desktop.ui.messages import explain
from a7desktop.ui.pages.base import Notice, Page, page_layout
from a7desktop.ui.state_text import (
    METHOD_LABELS,
    STATE_COLOURS,
    STATE_LABELS,
    state_name,
)
from a7desktop.ui.timefmt import duration, local_and_relative

if TYPE_CHECKING:
    from a7desktop.core.models import StoredSession
    from a7desktop.ui.context import WindowContext
    from a7desktop.ui.services import Services

HEARTBEAT_INTERVAL_MS = 60_000
# A copied access token should still be good when it is pasted somewhere.
COPY_MIN_TTL = 60.0
_PROGRESS_SCALE = 1000


class SessionPage(Page):
    """The panel shown while signed in."""

    title = "Session"
    icon_name = "session"

    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.heartbeat_text = "not checked yet"
        self._claims_dialog: ClaimsDialog | None = None
        self._build()
        self._connect_signals()

    # Building -----------------------------------------------------------

    def _build(self) -> None:
        layout = page_layout(self, "Session")
        badge_row = QHBoxLayout()
        self.badge = QLabel("Signed out")
        self.badge.setObjectName("stateBadge")
        self.badge.setAccessibleName("Session state")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.badge.setMinimumWidth(120)
        badge_row.addWidget(self.badge)
        badge_row.addStretch(1)
        layout.addLayout(badge_row)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.fields: dict[str, QLabel] = {}
        for key, label in (
            ("account", "Account"),
            ("method", "Signed in with"),
            ("organization", "Organization"),
            ("issued", "Issued"),
            ("expires", "Expires"),
            ("next_refresh", "Next refresh"),
            ("last_refresh", "Last refresh"),
            ("heartbeat", "API heartbeat"),
            ("storage", "Stored in"),
        ):
            value = QLabel("—")
            value.setObjectName(f"{key}Value")
            value.setAccessibleName(label)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = value
            form.addRow(f"{label}:", value)
            if key == "expires":
                self.lifetime = QProgressBar()
                self.lifetime.setObjectName("lifetimeBar")
                self.lifetime.setAccessibleName("Lifetime left")
                self.lifetime.setRange(0, _PROGRESS_SCALE)
                form.addRow("Lifetime left:", self.lifetime)
        layout.addLayout(form)

        buttons = QHBoxLayout()
        self.refresh_button = QPushButton(icons.icon("refresh"), "&Refresh now")
        self.copy_button = QPushButton(icons.icon("copy"), "&Copy access token")
        self.claims_button = QPushButton(icons.icon("claims"), "Show c&laims")
        self.sign_out_button = QPushButton(icons.icon("signout"), "Sign &out")
        for button, name in (
            (self.refresh_button, "refreshButton"),
            (self.copy_button, "copyTokenButton"),
            (self.claims_button, "claimsButton"),
            (self.sign_out_button, "signOutButton"),
        ):
            button.setObjectName(name)
            button.setAccessibleName(button.text().replace("&", ""))
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.notice = Notice()
        self.notice.setObjectName("sessionMessage")
        layout.addWidget(self.notice)
        layout.addStretch(1)

        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(HEARTBEAT_INTERVAL_MS)

    def _connect_signals(self) -> None:
        self.refresh_button.clicked.connect(self.refresh_now)
        self.copy_button.clicked.connect(self.copy_access_token)
        self.claims_button.clicked.connect(self._on_claims_button_clicked)
        self.sign_out_button.clicked.connect(self.sign_out)
        self._tick.timeout.connect(self._on_tick_timeout)
        self._heartbeat.timeout.connect(self._on_heartbeat_timeout)

    # Services -----------------------------------------------------------

    def on_attached(self, services: Services) -> None:
        adapter = services.adapter
        adapter.state_changed.connect(self._on_adapter_state_changed)
        adapter.refresh_failed.connect(self._on_adapter_refresh_failed)
        adapter.refreshed.connect(self._on_adapter_refreshed)
        self._tick.start()
        self._heartbeat.start()
        self._on_adapter_state_changed()
        self._on_heartbeat_timeout()

    def on_detached(self) -> None:
        assert self.services is not None
        adapter = self.services.adapter
        adapter.state_changed.disconnect(self._on_adapter_state_changed)
        adapter.refresh_failed.disconnect(self._on_adapter_refresh_failed)
        adapter.refreshed.disconnect(self._on_adapter_refreshed)
        self._tick.stop()
        self._heartbeat.stop()

    # Actions (also used by the menu and the tray) -----------------------

    def refresh_now(self) -> None:
        """Refresh the session now; the outcome shows on the panel."""
        if not self._signed_in():
            return
        self.notice.show_info("Refreshing…")

        async def refresh(services: Services) -> None:
            await services.engine.refresh(reason="manual")
            self.notice.show_success("Refreshed.")

        self.run_task(refresh, "refresh now", self.notice)

    def copy_access_token(self) -> None:
        """Copy a valid access token (refreshing first if it is about to expire)."""
        if not self._signed_in():
            return

        async def copy(services: Services) -> None:
            token = await services.engine.access_token(min_ttl=COPY_MIN_TTL)
            self.context.clipboard.copy(token, "access token")
            self.context.status.message.emit("Access token copied")

        self.run_task(copy, "copy access token", self.notice)

    def sign_out(self) -> None:
        """Sign out: the server is told, local tokens are wiped regardless."""
        if not self._signed_in():
            return

        async def sign_out(services: Services) -> None:
            told = await services.engine.sign_out()
            self.context.status.message.emit(
                "Signed out"
                if told
                else "Signed out here; the server could not be told"
            )

        self.run_task(sign_out, "sign out", self.notice)

    def _signed_in(self) -> bool:
        return self.services is not None and self.services.engine.session is not None

    # Showing ------------------------------------------------------------

    def _show_session(self) -> None:
        services = self.services
        if services is None:
            return
        engine = services.engine
        session = engine.session
        state = state_name(engine.state)
        colour = STATE_COLOURS.get(state, "#4b5563")
        self.badge.setText(STATE_LABELS.get(state, state))
        self.badge.setStyleSheet(
            f"QLabel {{ background: {colour}; color: white; border-radius: 10px;"
            " padding: 3px 12px; font-weight: 600; }"
        )
        if session is None:
            for value in self.fields.values():
                value.setText("—")
            self.lifetime.setValue(0)
            self.lifetime.setFormat("")
            return
        self.fields["account"].setText(session.email)
        self.fields["method"].setText(_method_text(session))
        self.fields["organization"].setText(_organization_text(session))
        self.fields["storage"].setText(_storage_text(services))
        self.fields["heartbeat"].setText(self.heartbeat_text)
        self._show_times()

    def _show_times(self) -> None:
        services = self.services
        if services is None:
            return
        engine = services.engine
        session = engine.session
        if session is None:
            return
        now = time.time()
        self.fields["issued"].setText(local_and_relative(session.issued_at, now))
        self.fields["expires"].setText(local_and_relative(session.expires_at, now))
        lifetime = max(1.0, session.expires_at - session.issued_at)
        left = max(0.0, session.expires_at - now)
        self.lifetime.setValue(round(_PROGRESS_SCALE * min(1.0, left / lifetime)))
        self.lifetime.setFormat(f"{duration(left)} left")
        self.fields["next_refresh"].setText(_next_refresh_text(engine, now))
        self.fields["last_refresh"].setText(_last_refresh_text(engine, now))

    # Slots --------------------------------------------------------------

    def _on_adapter_state_changed(self) -> None:
        self._show_session()

    def _on_adapter_refreshed(self) -> None:
        self._show_session()

    def _on_adapter_refresh_failed(
        self, _reason: str, message: str, retrying: bool
    ) -> None:
        suffix = " Retrying." if retrying else ""
        self.notice.show_error(f"Refresh failed: {message}.{suffix}".replace("..", "."))
        self._show_session()

    def _on_tick_timeout(self) -> None:
        if self.isVisible():
            self._show_times()

    def _on_heartbeat_timeout(self) -> None:
        services = self.services
        if services is None:
            return

        async def beat() -> None:
            try:
                latency = await services.engine.heartbeat()
            except Exception as error:  # reported on the panel, not raised
                self.heartbeat_text = (
                    f"unreachable: {explain(error, services.profile.server).text}"
                )
            else:
                stamp = time.strftime("%H:%M:%S")
                self.heartbeat_text = f"OK, {latency * 1000:.0f} ms (checked {stamp})"
            self.fields["heartbeat"].setText(self.heartbeat_text)

        self.context.tasks.start(beat(), name="heartbeat")

    def _on_claims_button_clicked(self) -> None:
        services = self.services
        session = None if services is None else services.engine.session
        if session is None:
            return
        try:
            text = describe_claims(decode_claims(session.access_token))
        except ValueError as error:
            self.notice.show_error(f"The access token cannot be decoded: {error}.")
            return
        if self._claims_dialog is not None:
            self._claims_dialog.close()
        dialog = ClaimsDialog(text, self)
        dialog.destroyed.connect(self._on_claims_dialog_destroyed)
        self._claims_dialog = dialog
        dialog.show()

    def _on_claims_dialog_destroyed(self) -> None:
        self._claims_dialog = None


def _method_text(session: StoredSession) -> str:
    method = METHOD_LABELS.get(session.auth_type, session.auth_type)
    if session.app_password_name:
        return f"{method} ({session.app_password_name})"
    return method


def _organization_text(session: StoredSession) -> str:
    org = session.organization
    if org is None:
        return "—"
    role = org.role
    if role is None:
        role = next((o.role for o in session.organizations if o.id == org.id), None)
    return f"{org.name} ({role})" if role else org.name


def _storage_text(services: Services) -> str:
    storage = services.engine.storage
    if storage.persistent:
        return f"OS keyring ({storage.backend})"
    return f"Memory only: {storage.reason or 'no keyring available'}"


def _next_refresh_text(engine: object, now: float) -> str:
    at = getattr(engine, "next_refresh_at", None)
    if at is None:
        return "none scheduled"
    return local_and_relative(at, now)


def _last_refresh_text(engine: object, now: float) -> str:
    last = getattr(engine, "last_refresh", None)
    if last is None:
        return "none yet"
    outcome = getattr(last, "outcome", "")
    at = getattr(last, "at", None)
    message = getattr(last, "message", "") or ""
    when = local_and_relative(at, now) if isinstance(at, int | float) else ""
    text = f"{outcome} {when}".strip()
    return f"{text}: {message}" if message and outcome != "success" else text
