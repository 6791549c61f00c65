"""The ways a browser sign-in can end without a verified ID token.

Each class is an :class:`~a7desktop.core.errors.OAuthError`, so a caller
that only wants the message catches that one base. The window and the
command line may also branch on the class, for example to offer "try again"
after :class:`SignInTimedOut` but not after :class:`StateMismatch`.
Messages are one line, written for the person at the keyboard, and never
contain a code, verifier, state, nonce or token.
"""

from __future__ import annotations

from a7desktop.core.errors import OAuthError


class SignInDenied(OAuthError):
    """The person declined on the provider's consent page."""


class SignInTimedOut(OAuthError):
    """No answer came back from the browser before the deadline."""


class SignInCancelled(OAuthError):
    """The person cancelled the sign-in in a7desktop."""


class SignInBusy(OAuthError):
    """Another browser sign-in is already waiting in this program."""


class StateMismatch(OAuthError):
    """The browser returned with a ``state`` that is missing, wrong or used.

    Nothing was exchanged: the answer may not come from this attempt.
    """


class IdTokenRejected(OAuthError):
    """The ID token failed a check; it is not passed on to the API.

    ``reason`` is one of ``signature``, ``issuer``, ``audience``, ``expired``,
    ``nonce``, ``malformed`` or ``key``.
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class ListenerUnavailable(OAuthError):
    """No loopback port could be opened for the browser to return to."""


class ProviderUnreachable(OAuthError):
    """The sign-in provider could not be reached or answered nonsense."""


class ProviderError(OAuthError):
    """The provider reported an error other than a plain denial."""
