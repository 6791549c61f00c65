"""Access tokens (JWT, HS256), refresh tokens and the refresh cookie.

Access tokens carry the guide's claims ``sub``, ``exp``, ``iat``,
``auth_type`` (``password``, ``google_oauth`` or ``app_password``) and
``app_password_id`` (null unless the token came from an app password), plus
``email`` and a ``jti`` by which the server can revoke one token. Expiry is
checked against the emulator's clock, never the process's own.

Refresh tokens are opaque random strings; the server keeps only their SHA-256
digests. :func:`token_id` gives a short, non-secret name for one, for logs
and for tests that prove a token was never presented twice.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

REFRESH_COOKIE = "refreshToken"
COOKIE_PATH = "/api/auth"


@dataclass(frozen=True)
class AccessClaims:
    """The verified claims of an access token."""

    sub: str
    email: str
    jti: str
    iat: float
    exp: float
    auth_type: str
    app_password_id: str | None


class TokenRejected(Exception):
    """An access token failed a check; ``code`` is ``token_invalid`` or
    ``token_expired``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class AccessTokenSigner:
    """Issues and verifies the emulator's HS256 access tokens.

    The signing key is random per emulator, so tokens of another instance
    (or of an earlier run) are ``token_invalid``.
    """

    def __init__(self) -> None:
        self._key = secrets.token_bytes(64)

    def issue(
        self,
        *,
        sub: str,
        email: str,
        auth_type: str,
        now: float,
        lifetime: float,
        app_password_id: str | None = None,
    ) -> tuple[str, AccessClaims]:
        """Return a signed token and its claims."""
        claims = AccessClaims(
            sub=sub,
            email=email,
            jti=uuid.uuid4().hex,
            iat=int(now),
            exp=int(now + lifetime),
            auth_type=auth_type,
            app_password_id=app_password_id,
        )
        payload: dict[str, Any] = {
            "sub": claims.sub,
            "email": claims.email,
            "jti": claims.jti,
            "iat": claims.iat,
            "exp": claims.exp,
            "auth_type": claims.auth_type,
            "app_password_id": claims.app_password_id,
        }
        token = jwt.encode(payload, self._key, algorithm="HS256")
        return token, claims

    def verify(self, token: str, now: float) -> AccessClaims:
        """Check signature, shape and expiry (on the emulator's clock).

        Raises:
            TokenRejected: with code ``token_invalid`` or ``token_expired``.
        """
        try:
            payload = jwt.decode(
                token,
                self._key,
                algorithms=["HS256"],
                # Time claims are checked below against the settable clock.
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "require": ["sub", "exp", "iat", "jti", "auth_type"],
                },
            )
        except jwt.PyJWTError:
            raise TokenRejected(
                "token_invalid", "The access token is not valid."
            ) from None
        try:
            claims = AccessClaims(
                sub=str(payload["sub"]),
                email=str(payload.get("email", "")),
                jti=str(payload["jti"]),
                iat=float(payload["iat"]),
                exp=float(payload["exp"]),
                auth_type=str(payload["auth_type"]),
                app_password_id=payload.get("app_password_id"),
            )
        except (TypeError, ValueError):
            raise TokenRejected(
                "token_invalid", "The access token is not valid."
            ) from None
        if now >= claims.exp:
            raise TokenRejected("token_expired", "The access token has expired.")
        return claims


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """The SHA-256 hex digest under which a secret is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def token_id(secret: str) -> str:
    """A stable, non-secret name for a presented token (a digest prefix)."""
    return digest(secret)[:16]


def refresh_cookie(token: str, max_age: float) -> str:
    """The ``Set-Cookie`` value that hands a client its refresh token."""
    return (
        f"{REFRESH_COOKIE}={token}; HttpOnly; Secure; SameSite=Strict; "
        f"Path={COOKIE_PATH}; Max-Age={max(0, int(max_age))}"
    )


def expired_refresh_cookie() -> str:
    """The ``Set-Cookie`` value that tells a client to drop its refresh token."""
    return (
        f"{REFRESH_COOKIE}=; HttpOnly; Secure; SameSite=Strict; "
        f"Path={COOKIE_PATH}; Max-Age=0"
    )
