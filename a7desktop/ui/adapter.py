"""The session engine's events as Qt signals: the one bridge between them.

The engine calls its listeners on the event loop thread, which under qasync
is the Qt thread, so the signals are emitted directly. Should a listener
ever be called from another thread, Qt queues the signal to the adapter's
thread by itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from a7desktop.core.events import (
    Event,
    Refreshed,
    RefreshFailed,
    SignedIn,
    SignedOut,
    StateChanged,
)

if TYPE_CHECKING:
    from a7desktop.core.engine import SessionEngine


class SessionAdapter(QObject):
    """Re-emits one engine's events.

    Signals:
        state_changed(): the session state (or the session) changed; read
            ``engine.state`` and ``engine.session`` for the new values.
        signed_in(str, str): the account's email and the sign-in method.
        refreshed(): a new access token is in use.
        refresh_failed(str, str, bool): reason, message for the person, and
            whether the engine retries by itself.
        signed_out(str, str): reason and message for the sign-in prompt.
    """

    state_changed = Signal()
    signed_in = Signal(str, str)
    refreshed = Signal()
    refresh_failed = Signal(str, str, bool)
    signed_out = Signal(str, str)

    def __init__(self, engine: SessionEngine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self._unsubscribe = engine.subscribe(self._on_engine_event)

    def detach(self) -> None:
        """Stop listening to the engine (before it closes)."""
        self._unsubscribe()

    def _on_engine_event(self, event: Event) -> None:
        if isinstance(event, StateChanged):
            self.state_changed.emit()
        elif isinstance(event, SignedIn):
            self.signed_in.emit(event.email, event.auth_type)
            self.state_changed.emit()
        elif isinstance(event, Refreshed):
            self.refreshed.emit()
            self.state_changed.emit()
        elif isinstance(event, RefreshFailed):
            self.refresh_failed.emit(event.reason, event.message, event.retrying)
        elif isinstance(event, SignedOut):
            self.signed_out.emit(event.reason, event.message)
            self.state_changed.emit()
