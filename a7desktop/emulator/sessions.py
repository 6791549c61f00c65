"""Sign-in, refresh-token rotation, sign-out and access checks.

Each function takes the state's lock for its whole decision, so two refreshes
of one token can never both rotate it. Failures are raised as
:class:`~a7desktop.emulator.errors.ApiError` with the API's error codes.

Rules:

- A sign-in (password or Google) starts a refresh family bound to a trusted
  device: the best-matching one of the user's trusted devices, or a new one if
  none matches. A user has at most five; a sixth device is refused (403
  ``device_limit_reached``).
- A refresh presents the family's current token and gets a new one; the
  presented one is spent. Presenting a spent token again, later than
  ``reuse_grace`` seconds after it was spent, revokes the whole family
  (``refresh_token_reused``). Within the grace window the family's current
  token is handed out again instead of rotating a second time.
- A refresh is checked against the family's device: a device that is no longer
  trusted is ``device_limit_reached``, a fingerprint that no longer matches
  (see :mod:`~a7desktop.emulator.fingerprint`) is ``fingerprint_mismatch``.
  Neither spends or revokes the token: the rightful device may still use it.
- Access tokens die with their family, their app password, or by
  :meth:`~a7desktop.emulator.state.EmulatorState.revoke_sessions`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from a7desktop.emulator.app_passwords import PREFIX, AppPassword
from a7desktop.emulator.errors import ApiError
from a7desktop.emulator.fingerprint import Fingerprint, matches, similarity
from a7desktop.emulator.state import (
    AccessRecord,
    EmulatorState,
    RefreshFamily,
    TrustedDevice,
    User,
)
from a7desktop.emulator.tokens import (
    TokenRejected,
    digest,
    new_refresh_token,
    token_id,
)

MAX_TRUSTED_DEVICES = 5


@dataclass(frozen=True, repr=False)
class Grant:
    """What a successful sign-in or refresh hands out."""

    access_token: str
    expires_in: int
    refresh_token: str | None = None
    refresh_max_age: float = 0.0


@dataclass(frozen=True)
class Principal:
    """Who a request acts for, and by which kind of credential."""

    user: User
    auth_type: str
    app_password_id: str | None


def sign_in(
    state: EmulatorState, user: User, fingerprint: Fingerprint, auth_type: str
) -> Grant:
    """Start a refresh family for ``user`` on this device.

    Raises:
        ApiError: 403 ``device_limit_reached`` for a sixth device.
    """
    with state.lock:
        now = state.clock.now()
        device = _trusted_device(user, fingerprint, now)
        token = new_refresh_token()
        family = RefreshFamily(
            id=uuid.uuid4().hex,
            email=user.email,
            auth_type=auth_type,
            device_id=device.id,
            fingerprint=fingerprint,
            created_at=now,
            expires_at=now + state.config.refresh_token_ttl,
            current_digest=digest(token),
            current_token=token,
        )
        state.families[family.id] = family
        state.refresh_index[family.current_digest] = family.id
        access, lifetime = _issue(
            state, user, auth_type, state.config.login_ttl, family.id
        )
        state.record_event("user_login", user.email, method=auth_type)
        return Grant(access, lifetime, token, family.expires_at - now)


def _trusted_device(user: User, fingerprint: Fingerprint, now: float) -> TrustedDevice:
    best = max(
        user.devices,
        key=lambda device: similarity(device.fingerprint, fingerprint),
        default=None,
    )
    if best is not None and matches(best.fingerprint, fingerprint):
        best.fingerprint = fingerprint
        return best
    if len(user.devices) >= MAX_TRUSTED_DEVICES:
        raise ApiError(
            403,
            "device_limit_reached",
            f"This account already trusts {MAX_TRUSTED_DEVICES} devices; "
            "remove one before signing in on another.",
        )
    device = TrustedDevice(uuid.uuid4().hex, fingerprint, now)
    user.devices.append(device)
    return device


def refresh(
    state: EmulatorState, presented: str | None, fingerprint: Fingerprint
) -> Grant:
    """Rotate a refresh token. Every call adds one entry to the refresh log.

    Raises:
        ApiError: 401 with one of the ``refresh_token_*``,
            ``fingerprint_mismatch`` or ``device_limit_reached`` codes.
    """
    with state.lock:
        now = state.clock.now()
        if not presented:
            raise _refused(
                state,
                None,
                None,
                "missing",
                "refresh_token_missing",
                "No refresh token was sent.",
            )
        presented_id, presented_digest = token_id(presented), digest(presented)
        family_id = state.refresh_index.get(presented_digest)
        if family_id is None:
            raise _refused(
                state,
                presented_id,
                None,
                "unknown",
                "refresh_token_invalid",
                "The refresh token is not valid.",
            )
        family = state.families[family_id]

        if family.revoked_reason is not None:
            raise _refused(
                state,
                presented_id,
                family,
                "revoked",
                "refresh_token_revoked",
                f"The session was ended ({family.revoked_reason}).",
            )
        if now >= family.expires_at:
            raise _refused(
                state,
                presented_id,
                family,
                "expired",
                "refresh_token_expired",
                "The session has expired; sign in again.",
            )
        in_grace = False
        if presented_digest != family.current_digest:
            spent_at = family.rotated[presented_digest]
            in_grace = now - spent_at <= state.config.reuse_grace
            if not in_grace:
                family.revoked_reason = "refresh token reuse detected"
                raise _refused(
                    state,
                    presented_id,
                    family,
                    "reused",
                    "refresh_token_reused",
                    "This refresh token was already used; the session has "
                    "been ended for safety.",
                )

        user = state.users[family.email]
        device = next((d for d in user.devices if d.id == family.device_id), None)
        if device is None:
            raise _refused(
                state,
                presented_id,
                family,
                "device_limit",
                "device_limit_reached",
                "This device is no longer trusted for the account; sign in again.",
            )
        if not matches(family.fingerprint, fingerprint):
            raise _refused(
                state,
                presented_id,
                family,
                "fingerprint_mismatch",
                "fingerprint_mismatch",
                "This device changed since sign-in; sign in again.",
            )
        family.fingerprint = device.fingerprint = fingerprint

        if not in_grace:
            token = new_refresh_token()
            family.rotated[family.current_digest] = now
            family.current_digest, family.current_token = digest(token), token
            state.refresh_index[family.current_digest] = family.id
        access, lifetime = _issue(
            state, user, family.auth_type, state.config.refresh_ttl, family.id
        )
        state.record_refresh(presented_id, "grace" if in_grace else "rotated")
        state.record_event("token_refresh_success", user.email)
        return Grant(access, lifetime, family.current_token, family.expires_at - now)


def _refused(
    state: EmulatorState,
    presented_id: str | None,
    family: RefreshFamily | None,
    outcome: str,
    code: str,
    message: str,
) -> ApiError:
    """Log a refused refresh and return the error to raise."""
    state.record_refresh(presented_id, outcome)
    state.record_event(
        "refresh_token_validation_failed",
        family.email if family else None,
        reason=outcome,
    )
    return ApiError(401, code, message)


def _issue(
    state: EmulatorState,
    user: User,
    auth_type: str,
    lifetime: float,
    family_id: str | None,
    app_password_id: str | None = None,
) -> tuple[str, int]:
    seconds = int(lifetime)
    token, claims = state.signer.issue(
        sub=user.id,
        email=user.email,
        auth_type=auth_type,
        now=state.clock.now(),
        lifetime=seconds,
        app_password_id=app_password_id,
    )
    state.access[claims.jti] = AccessRecord(user.email, family_id, app_password_id)
    return token, seconds


def sign_out(state: EmulatorState, presented: str | None, bearer: str | None) -> None:
    """End the family of the refresh token and the access token, if known.

    Sign-out never fails: unknown or missing credentials change nothing.
    """
    with state.lock:
        email = None
        family_id = state.refresh_index.get(digest(presented)) if presented else None
        if family_id is not None:
            family = state.families[family_id]
            family.revoked_reason = family.revoked_reason or "signed out"
            email = family.email
        if bearer and not bearer.startswith(PREFIX):
            try:
                claims = state.signer.verify(bearer, state.clock.now())
            except TokenRejected:
                claims = None
            record = state.access.get(claims.jti) if claims else None
            if record is not None:
                record.revoked = True
                email = email or record.email
        if email is not None:
            state.record_event("user_logout", email)


def app_login(
    state: EmulatorState, token: str, client: str
) -> tuple[User, AppPassword, Grant]:
    """Exchange an app password for an access token (no refresh token)."""
    with state.lock:
        user, record = authenticate_app_password(state, token, client)
        access, lifetime = _issue(
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
