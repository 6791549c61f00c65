"""The three ways to sign in, as methods of the session engine.

Each checks what it can before anything is sent (the computer's policy, the
shape of the input), sends exactly one request, never retries it (a retry of
a refused sign-in walks into the lockout; a 429 tells the caller how long to
wait instead), and builds the :class:`StoredSession` from the answer with the
expiry measured from when the request was sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from a7desktop.core.answers import LoginResult
from a7desktop.core.api import ApiClient
from a7desktop.core.clock import Clock
from a7desktop.core.config import Profile, save_settings
from a7desktop.core.errors import (
    A7Error,
    BadCredentials,
    InvalidInput,
    LockedOut,
    PolicyDenied,
    RateLimited,
)
from a7desktop.core.events import Event, SignedIn
from a7desktop.core.fingerprint import (
    DeviceFingerprint,
    current_timezone_offset,
    device_fingerprint,
)
from a7desktop.core.log import get_logger, register_secret
from a7desktop.core.models import StoredSession, normalize_app_password

_log = get_logger("auth")

_METHOD_WORDS = {
    "password": "an email and password",
    "google": "Google",
    "app_password": "an app password",
}

Exchange = Callable[[DeviceFingerprint], Awaitable[LoginResult]]


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class SignIn:
    """The sign-in methods; the session engine supplies the rest."""

    profile: Profile
    api: ApiClient
    clock: Clock
    # When each method may be tried again after a 429 (epoch seconds).
    _retry_not_before: dict[str, float]

    async def sign_in_password(self, email: str, password: str) -> StoredSession:
        """Sign in with the account's email and password (never stored).

        Raises:
            InvalidInput: an empty email or password (nothing sent).
            PolicyDenied: the policy does not allow password sign-in.
            BadCredentials, RateLimited, LockedOut, Forbidden,
            ServerUnavailable, ProtocolError: from the server.
        """
        email = email.strip()
        if not email or "@" not in email:
            raise InvalidInput("enter the email address of the account")
        if not password:
            raise InvalidInput("enter the password")
        if not _is_text(email) or not _is_text(password):
            # Bytes that are not UTF-8 arrive as lone surrogates; they cannot
            # be sent as JSON text, and were never typed on a keyboard.
            raise InvalidInput("the email or password contains bytes that are not text")
        register_secret(password)
        return await self._sign_in(
            "password",
            "password",
            lambda fp: self.api.login(email, password, fingerprint=fp),
        )

    async def sign_in_app_password(self, token: str) -> StoredSession:
        """Exchange an app password for a session (the ``app-login`` endpoint).

        The pasted text is trimmed and its format checked before any request.
        A 401 is never retried automatically; a 429 raises RateLimited (or
        LockedOut) with the seconds to wait.

        Raises:
            InvalidInput: not an app password (nothing sent).
            PolicyDenied, BadCredentials, RateLimited, LockedOut, ...
        """
        if not self.profile.policy.allows("app_password"):
            raise self._refused("app_password")
        app_password = normalize_app_password(token)
        register_secret(app_password)
        return await self._sign_in(
            "app_password",
            "app_password",
            lambda fp: self.api.app_login(app_password, fingerprint=fp),
            app_password=app_password,
        )

    async def sign_in_google(self, id_token: str) -> StoredSession:
        """Exchange a verified Google ID token for a session (``googleauth``)."""
        if not id_token.strip():
            raise InvalidInput("the Google sign-in produced no ID token")
        register_secret(id_token)
        return await self._sign_in(
            "google",
            "google_oauth",
            lambda fp: self.api.google_login(id_token.strip(), fingerprint=fp),
        )

    def _check_wait(self, method: str) -> None:
        """Refuse, without a request, a sign-in the server asked us to hold back."""
        left = self._retry_not_before.get(method, 0.0) - self.clock.time()
        if left > 0:
            raise RateLimited(
                f"the server asked to wait: try again in {left:.0f} seconds", left
            )

    def _refused(self, method: str) -> PolicyDenied:
        return PolicyDenied(
            "this computer's policy does not allow signing in with "
            f"{_METHOD_WORDS[method]}"
        )

    async def _sign_in(
        self,
        method: str,
        auth_type: str,
        exchange: Exchange,
        *,
        app_password: str | None = None,
    ) -> StoredSession:
        if not self.profile.policy.allows(method):
            raise self._refused(method)
        self._check_wait(method)
        fingerprint = await self._sign_in_fingerprint()
        sent_at = self.clock.time()
        try:
            result = await exchange(fingerprint)
        except A7Error as exc:
            if isinstance(exc, RateLimited | LockedOut) and exc.retry_after:
                self._retry_not_before[method] = self.clock.time() + exc.retry_after
            event = (
                "app_password_auth_failed"
                if method == "app_password"
                else "user_login_failed"
            )
            outcome = "refused" if isinstance(exc, BadCredentials) else "error"
            self.audit_event(event, outcome, method=method, error=type(exc).__name__)
            raise

        session = StoredSession(
            server=self.profile.server,
            profile=self.profile.name,
            email=result.email,
            auth_type=auth_type,
            access_token=result.access_token,
            refresh_token=result.refresh_token,
            issued_at=sent_at,
            expires_at=sent_at + result.expires_in,
            organization=result.organization,
            organizations=result.organizations,
            app_password_name=result.app_password_name,
            fingerprint=fingerprint,
            # Without a refresh cookie, the app password itself renews the
            # session; with one, it is not kept (it would be one more copy).
            app_password=app_password if result.refresh_token is None else None,
        )
        await self._install_signed_in(session)
        event = (
            "app_password_auth_success" if method == "app_password" else "user_login"
        )
        self.audit_event(
            event, "success", method=method, refreshable=session.refreshable
        )
        _log.info("signed in to %s as %s", session.server, session.email)
        self._emit(SignedIn(session.email, auth_type))
        return session

    async def _sign_in_fingerprint(self) -> DeviceFingerprint:
        """The fingerprint for a new sign-in, recording today's timezone offset.

        Recorded in the profile settings, the offset stays the same for every
        later refresh and in every process, whatever daylight saving does.
        """
        settings = self.profile.settings
        offset = current_timezone_offset()
        if settings.timezone_offset != offset:
            settings.timezone_offset = offset
            try:
                await asyncio.to_thread(save_settings, self.profile.name, settings)
            except A7Error as exc:
                _log.warning("could not record the timezone offset: %s", exc)
        return device_fingerprint(settings)

    # Supplied by the engine.

    async def _install_signed_in(self, session: StoredSession) -> None:
        raise NotImplementedError

    def _emit(self, event: Event) -> None:
        raise NotImplementedError

    def audit_event(self, event: str, outcome: str, **detail: object) -> None:
        raise NotImplementedError
