"""Who a request acts for: access tokens and app passwords as Bearer.

An access token is refused once revoked on its own (sign-out, revocation of
the user's sessions), with its refresh family, or with the app password it was
obtained from. App-password authentication of either kind (app-login or a
Bearer app password) passes the rate limit and lockout described in
:mod:`.app_passwords`. App-password credentials may read resources but may not
manage app passwords (403 ``forbidden``).
"""

from __future__ import annotations

from dataclasses import dataclass

from a7desktop.emulator.app_passwords import PREFIX, AppPassword
from a7desktop.emulator.errors import ApiError
from a7desktop.emulator.sessions import Grant, issue_access
from a7desktop.emulator.state import AccessRecord, EmulatorState, User
from a7desktop.emulator.tokens import TokenRejected


@dataclass(frozen=True)
class Principal:
    """Who a request acts for, and by which kind of credential."""

    user: User
    auth_type: str
    app_password_id: str | None


def app_login(
    state: EmulatorState, token: str, client: str
) -> tuple[User, AppPassword, Grant]:
    """Exchange an app password for an access token (no refresh token)."""
    with state.lock:
        user, record = authenticate_app_password(state, token, client)
        access, lifetime = issue_access(
            state, user, "app_password", state.config.app_password_ttl, None, record.id
        )
        return user, record, Grant(access, lifetime)


def authenticate_app_password(
    state: EmulatorState, token: str, client: str
) -> tuple[User, AppPassword]:
    """Check an app password, under the rate limit and the lockout.

    Raises:
        ApiError: 429 ``rate_limited`` or ``locked_out`` (with
            ``Retry-After``), 401 ``invalid_app_password``.
    """
    with state.lock:
        now = state.clock.now()
        wait = state.app_auth_limiter.admit(client, now)
        if wait is not None:
            raise ApiError(
                429,
                "rate_limited",
                "Too many app password attempts; try again later.",
                retry_after=wait,
            )
        outcome = state.app_passwords.authenticate(token, now)
        record = outcome.record
        email = record.email if record else None
        if outcome.failure is None and record is not None:
            state.record_event("app_password_auth_success", email, id=record.id)
            return state.users[record.email], record
        failure = str(outcome.failure)
        state.record_event("app_password_auth_failed", email, reason=failure)
        if failure == "locked":
            raise ApiError(
                429,
                "locked_out",
                "This app password is locked after repeated failed attempts.",
                retry_after=outcome.retry_after,
            )
        raise ApiError(401, "invalid_app_password", _APP_PASSWORD_MESSAGES[failure])


_APP_PASSWORD_MESSAGES = {
    "malformed": "That is not an app password (app_a7_ and 32 hex characters).",
    "unknown": "The app password is not valid.",
    "wrong_secret": "The app password is not valid.",
    "revoked": "The app password was revoked.",
    "expired": "The app password has expired.",
}


def authenticate(
    state: EmulatorState,
    bearer: str | None,
    client: str,
    *,
    allow_app_password: bool,
) -> Principal:
    """Who a ``Bearer`` credential (access token or app password) stands for.

    Raises:
        ApiError: 401 ``token_invalid``, ``token_expired``, ``token_revoked``
            (or the app-password codes); 403 ``forbidden`` when an app
            password, or an access token obtained from one, is used where
            only an account sign-in may act.
    """
    if not bearer:
        raise ApiError(401, "token_invalid", "A Bearer token is required.")
    with state.lock:
        if bearer.startswith(PREFIX):
            if not allow_app_password:
                raise _app_password_forbidden()
            user, app_password = authenticate_app_password(state, bearer, client)
            return Principal(user, "app_password", app_password.id)

        now = state.clock.now()
        try:
            claims = state.signer.verify(bearer, now)
        except TokenRejected as rejected:
            raise ApiError(401, rejected.code, rejected.message) from None
        record = state.access.get(claims.jti)
        if record is None:
            raise ApiError(401, "token_invalid", "The access token is not valid.")
        if _is_revoked(state, record, now):
            raise ApiError(401, "token_revoked", "The access token was revoked.")
        if claims.auth_type == "app_password" and not allow_app_password:
            raise _app_password_forbidden()
        return Principal(
            state.users[record.email], claims.auth_type, record.app_password_id
        )


def _is_revoked(state: EmulatorState, record: AccessRecord, now: float) -> bool:
    if record.revoked:
        return True
    if record.family_id is not None:
        return state.families[record.family_id].revoked_reason is not None
    if record.app_password_id is not None:
        app_password = state.app_passwords.get(record.app_password_id)
        return app_password is None or not app_password.is_active(now)
    return False


def _app_password_forbidden() -> ApiError:
    return ApiError(
        403,
        "forbidden",
        "App passwords cannot manage app passwords; sign in with the account.",
    )
