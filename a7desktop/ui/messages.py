"""What the window says when something fails: one specific line per cause.

The service layer's errors already carry a one-line message for a person;
this module adds what the window knows and the error does not (which server,
what to do next) and picks out the waits that deserve a countdown.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from a7desktop.core.errors import (
    A7Error,
    BadCredentials,
    LockedOut,
    OAuthError,
    RateLimited,
    ServerUnavailable,
    SessionExpired,
)

DEVICE_CHANGED = "This device changed since you signed in; sign in again."

_EXPIRY_REASONS = {
    "fingerprint_mismatch": DEVICE_CHANGED,
    "device_limit": "This account has reached its limit of trusted devices; "
    "sign in again to add this one.",
    "reuse_detected": "The session was ended because an old refresh token was "
    "presented again (possibly a copy of it); sign in again.",
    "revoked": "The session was revoked on the server; sign in again.",
    "expired": "The session expired; sign in again.",
}


@dataclass(frozen=True)
class Explained:
    """A message to show, and seconds to count down before retrying (if any)."""

    text: str
    retry_after: float | None = None


def host_of(server: str) -> str:
    """The host (and port) of a server URL, for messages."""
    return urlsplit(server).netloc or server


def explain(error: BaseException, server: str) -> Explained:
    """Turn a failure of a sign-in or other call into what the window shows."""
    if isinstance(error, RateLimited):
        return Explained(
            "Too many attempts: the server asks to wait before trying again.",
            error.retry_after,
        )
    if isinstance(error, LockedOut):
        wait = getattr(error, "retry_after", None)
        return Explained(error.message, wait if isinstance(wait, int | float) else None)
    if isinstance(error, ServerUnavailable):
        return Explained(
            f"Cannot reach {host_of(server)}: {error.message}. Check the network "
            "connection, or the server under Settings.",
            error.retry_after,
        )
    if isinstance(error, SessionExpired):
        return Explained(_EXPIRY_REASONS.get(error.reason, error.message))
    if isinstance(error, BadCredentials | OAuthError | A7Error):
        return Explained(error.message)
    return Explained(
        f"Something unexpected went wrong ({type(error).__name__}); "
        "run with --debug for details."
    )


def signed_out_text(reason: str, message: str) -> str:
    """Why the session ended, for the sign-in page after a sign-out event."""
    if reason in ("user", "signed_out", "manual"):
        return "You signed out."
    return _EXPIRY_REASONS.get(reason, message or "The session ended; sign in again.")


def countdown_text(seconds: int) -> str:
    """``Try again in 42 s.`` or ``You can try again now.``"""
    if seconds <= 0:
        return "You can try again now."
    return f"Try again in {seconds} s."
