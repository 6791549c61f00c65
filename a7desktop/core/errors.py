"""Errors that a7desktop reports to a person.

Every error here carries a message written for the user: one line, specific,
and free of secrets. The command line prints ``str(error)`` and exits with
``exit_code``; the window shows the same text inline. Code that catches a
lower-level exception (httpx, keyring, json) converts it into one of these at
the boundary where it happened, so no caller ever sees a traceback.
"""

from __future__ import annotations


class A7Error(Exception):
    """Base of every error meant for a person to read."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(A7Error):
    """The command or the form was filled in wrongly; nothing was sent."""

    exit_code = 2


class NotSignedIn(A7Error):
    """There is no session for this profile (or it ended)."""

    exit_code = 4


class InvalidInput(A7Error):
    """User input failed a local check before any request was sent."""


class BadCredentials(A7Error):
    """The server refused the email and password, or the app password."""


class RateLimited(A7Error):
    """The server asked us to wait; ``retry_after`` is in seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class LockedOut(A7Error):
    """Too many failed attempts: the server locked this credential for a while.

    ``retry_after`` is the remaining lock in seconds when the server said so.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Forbidden(A7Error):
    """The server understood who we are and refused the action (403)."""


class SessionExpired(A7Error):
    """The server no longer honours the session; the user must sign in again.

    ``reason`` is one of ``expired``, ``revoked``, ``reuse_detected``,
    ``fingerprint_mismatch``, ``device_limit`` or ``unknown``.
    """

    exit_code = 4

    def __init__(self, message: str, reason: str = "unknown") -> None:
        super().__init__(message)
        self.reason = reason


class TokenRejected(SessionExpired):
    """A request's access token was refused (401); a refresh may cure it."""


class NotFound(A7Error):
    """The thing asked for does not exist (on the server or in the keyring)."""


class ServerUnavailable(A7Error):
    """The server could not be reached, timed out, or answered 5xx."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AnswerLost(ServerUnavailable):
    """The request was sent but no complete answer came back.

    The server may have acted on it (rotated a refresh token, created an app
    password), so the request must not be repeated blindly.
    """


class ProtocolError(A7Error):
    """The server answered something that is not the API's shape.

    An HTML error page, truncated or mistyped JSON, a missing field, a
    malformed token, a refresh answer without a new refresh cookie.
    """


class InsecureServer(A7Error):
    """A plain ``http://`` URL that does not point at this machine."""

    exit_code = 2


class VaultError(A7Error):
    """The OS keyring could not do what was asked."""


class VaultLocked(VaultError):
    """The keyring is locked: nothing can be read, and nothing is deleted."""


class VaultTimeout(VaultLocked):
    """The keyring did not answer in time (often: it waits for an unlock)."""


class VaultUnavailable(VaultError):
    """There is no usable, secure keyring backend on this machine."""


class SecretTooLarge(VaultError):
    """A secret is larger than the platform's keyring accepts; it was not stored."""


class ConfigError(A7Error):
    """A configuration or policy file cannot be read or has a wrong value."""


class PolicyDenied(UsageError):
    """This computer's policy does not allow what was asked; nothing was sent."""


class OAuthError(A7Error):
    """The browser sign-in did not complete (denied, timed out, mismatched)."""
