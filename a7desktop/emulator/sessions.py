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
- Access tokens die with their family (see :mod:`.access`), or by
  :meth:`~a7desktop.emulator.state.EmulatorState.revoke_sessions`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from a7desktop.emulator.app_passwords import PREFIX
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
        access, lifetime = issue_access(
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
        access, lifetime = issue_access(
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


def issue_access(
    state: EmulatorState,
    user: User,
    auth_type: str,
    lifetime: float,
    family_id: str | None,
    app_password_id: str | None = None,
) -> tuple[str, int]:
    """Sign an access token and remember it; return it and its lifetime."""
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
