"""What the session engine tells its listeners: plain, immutable event objects.

The window's adapter turns these into Qt signals; the command line mostly
ignores them and awaits results. Listeners are called on the engine's event
loop thread, in the order they subscribed; one that raises is logged and the
others still run.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from a7desktop.core.log import get_logger

_log = get_logger("auth")


class SessionState(enum.Enum):
    """Where the session stands, as a person would describe it."""

    SIGNED_OUT = "signed_out"
    ACTIVE = "active"
    REFRESHING = "refreshing"
    EXPIRING_SOON = "expiring_soon"
    EXPIRED = "expired"
    OFFLINE = "offline"


@dataclass(frozen=True)
class StateChanged:
    state: SessionState
    previous: SessionState


@dataclass(frozen=True)
class SignedIn:
    email: str
    auth_type: str


@dataclass(frozen=True)
class Refreshed:
    """A new access token is in use; ``adopted`` when another process got it."""

    expires_at: float
    reason: str
    adopted: bool = False


@dataclass(frozen=True)
class RefreshFailed:
    """A refresh did not succeed but the session goes on (for now).

    ``reason`` is ``server_unavailable``, ``rate_limited``, ``answer_lost``,
    ``lock_busy``, ``vault`` or ``protocol``; ``retrying`` tells whether the
    engine will try again by itself, at ``retry_at`` (epoch seconds).
    """

    reason: str
    message: str
    retrying: bool
    retry_at: float | None = None


@dataclass(frozen=True)
class SignedOut:
    """The session ended; ``message`` says why, for the sign-in prompt.

    ``reason`` is ``signed_out`` (the person asked), ``expired``,
    ``revoked``, ``reuse_detected``, ``fingerprint_mismatch``,
    ``device_limit``, ``rejected``, ``answer_lost``, ``elsewhere`` (another
    process signed out) or ``unknown``.
    """

    reason: str
    message: str


Event = StateChanged | SignedIn | Refreshed | RefreshFailed | SignedOut
Listener = Callable[[Event], None]


@dataclass(frozen=True)
class RefreshRecord:
    """The last refresh: ``outcome`` is ``refreshed``, ``adopted`` or ``failed``."""

    outcome: str
    at: float
    message: str | None = None


class EventBus:
    """A list of listeners and a way to call them all."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add ``listener``; the returned function removes it again."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def emit(self, event: Event) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                _log.exception("a session listener failed on %s", type(event).__name__)
