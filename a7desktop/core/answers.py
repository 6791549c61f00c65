"""Reading the server's answers: results for good ones, typed errors for the rest.

Every answer is checked before anything is believed or stored: the body must
be JSON of the documented shape, ``expiresIn`` a plausible number of seconds,
the access token shaped like a JWT, and a refresh answer must carry a new
refresh cookie. Anything else becomes an :class:`~a7desktop.core.errors.A7Error`
whose message says what was wrong, never what a token was. Token claims are
not decoded here: nothing about a session is decided from them.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass

import httpx

from a7desktop.core.errors import (
    A7Error,
    BadCredentials,
    Forbidden,
    InvalidInput,
    LockedOut,
    NotFound,
    ProtocolError,
    RateLimited,
    ServerUnavailable,
    SessionExpired,
    TokenRejected,
)
from a7desktop.core.fields import Fields
from a7desktop.core.log import redact, register_secret
from a7desktop.core.models import (
    AppPasswordInfo,
    CreatedAppPassword,
    Organization,
    is_app_password,
)
from a7desktop.core.retry import parse_retry_after

REFRESH_COOKIE = "refreshToken"
# An access token living longer than this is taken as a server error: a
# session would then never be refreshed.
MAX_EXPIRES_IN = 7 * 24 * 3600.0
_JWT_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")

# What a 401 from /auth/refresh means, as (reason, message for the person).
REFRESH_REJECTIONS: dict[str, tuple[str, str]] = {
    "refresh_token_reused": (
        "reuse_detected",
        "this session was used from somewhere else and was ended for safety; "
        "sign in again",
    ),
    "fingerprint_mismatch": (
        "fingerprint_mismatch",
        "this device changed, sign in again",
    ),
    "device_limit_reached": (
        "device_limit",
        "this device is no longer among the account's trusted devices; sign in again",
    ),
    "refresh_token_revoked": (
        "revoked",
        "the session was ended on the server; sign in again",
    ),
    "refresh_token_expired": ("expired", "the session expired; sign in again"),
}
_REFRESH_UNKNOWN = (
    "unknown",
    "the server no longer accepts this session; sign in again",
)


def _protocol(message: str) -> ProtocolError:
    return ProtocolError(f"the server's answer is not what the API sends: {message}")


@dataclass(frozen=True, repr=False)
class LoginResult:
    """A successful sign-in: the tokens and the account they belong to.

    ``refresh_token`` comes from the ``Set-Cookie`` header, never from a
    cookie jar; it is ``None`` when the server set none (app-login does not).
    """

    access_token: str
    expires_in: float
    refresh_token: str | None
    email: str
    organization: Organization | None
    organizations: tuple[Organization, ...]
    auth_type: str | None = None
    app_password_name: str | None = None

    def __repr__(self) -> str:
        return f"LoginResult(email={self.email!r}, expires_in={self.expires_in!r})"


@dataclass(frozen=True, repr=False)
class RefreshResult:
    """A successful refresh: a new access token and the rotated refresh token."""

    access_token: str
    expires_in: float
    refresh_token: str

    def __repr__(self) -> str:
        return f"RefreshResult(expires_in={self.expires_in!r})"


def safe_text(text: str, limit: int = 200) -> str:
    """Server-supplied text made fit for a message: one line, short, no secrets."""
    cleaned = _CONTROL.sub(" ", redact(text)).strip()
    return cleaned[:limit] + ("…" if len(cleaned) > limit else "")


def describe_body(response: httpx.Response) -> str:
    """Words for a body that is not the API's JSON (for error messages)."""
    content_type = response.headers.get("content-type", "").split(";")[0].strip()
    if "html" in content_type or response.text.lstrip()[:1] == "<":
        return "an HTML page"
    if not response.content:
        return "an empty body"
    return f"a {content_type or 'non-JSON'} body"


def json_body(response: httpx.Response) -> object:
    """The decoded JSON body of a successful answer.

    Raises:
        ProtocolError: the body is HTML, empty, truncated or otherwise not JSON.
    """
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError):
        pass
    if response.headers.get("content-type", "").startswith("application/json"):
        raise _protocol("the JSON was cut off or malformed")
    raise _protocol(f"expected JSON, got {describe_body(response)}")


def check_jwt(token: str) -> str:
    """Return ``token`` if it is shaped like a signed JWT; register it as a secret.

    Only the shape is checked (three base64url segments, a JSON header with
    ``alg``): the signature is the server's business, and the claims are not
    trusted for anything.
    """
    segments = token.split(".")
    if len(segments) != 3 or not all(_JWT_SEGMENT.fullmatch(s) for s in segments):
        raise _protocol("the access token is not a well-formed JWT")
    try:
        header = json.loads(
            base64.urlsafe_b64decode(segments[0] + "=" * (-len(segments[0]) % 4))
        )
    except (ValueError, RecursionError):
        header = None
    if not isinstance(header, dict) or "alg" not in header:
        raise _protocol("the access token is not a well-formed JWT")
    register_secret(token)
    return token


def expires_in(read: Fields) -> float:
    seconds = read.require_number("expiresIn")
    if not 0 < seconds <= MAX_EXPIRES_IN:
        raise _protocol(f"'expiresIn' of {seconds:g} seconds is not a usable lifetime")
    return seconds


def refresh_cookie(response: httpx.Response) -> str | None:
    """The new refresh token from the answer's ``Set-Cookie`` headers, if any.

    An expiring cookie (empty value or ``Max-Age=0``, as logout sends) is
    ``None``.
    """
    for header in response.headers.get_list("set-cookie"):
        first, _, attributes = header.partition(";")
        name, sep, value = first.partition("=")
        if not sep or name.strip() != REFRESH_COOKIE:
            continue
        value = value.strip().strip('"')
        expired = re.search(r"(?i)(?:^|;)\s*max-age\s*=\s*0\s*(?:;|$)", attributes)
        if not value or expired:
            return None
        register_secret(value)
        return value
    return None


def _organizations(
    read: Fields,
) -> tuple[tuple[Organization, ...], Organization | None]:
    roles = read.optional_list("organizationsRoles") or []
    organizations = []
    for index, item in enumerate(roles):
        org = Fields(item, f"organizationsRoles[{index}]", _protocol)
        organizations.append(
            Organization(
                id=org.require_str("id"),
                name=org.require_str("name", nonempty=False),
                role=org.optional_str("role"),
            )
        )
    default = read.optional_object("defaultOrganization")
    if default is None:
        return tuple(organizations), (organizations[0] if organizations else None)
    default_id = default.require_str("id")
    role = next((org.role for org in organizations if org.id == default_id), None)
    chosen = Organization(default_id, default.require_str("name", nonempty=False), role)
    return tuple(organizations), chosen


def login_result(response: httpx.Response) -> LoginResult:
    """Read a 200 answer of login, googleauth or app-login."""
    read = Fields(json_body(response), "sign-in answer", _protocol)
    organizations, organization = _organizations(read)
    return LoginResult(
        access_token=check_jwt(read.require_str("accessToken")),
        expires_in=expires_in(read),
        refresh_token=refresh_cookie(response),
        email=read.require_str("email"),
        organization=organization,
        organizations=organizations,
        auth_type=read.optional_str("authType"),
        app_password_name=read.optional_str("appPasswordName"),
    )


def refresh_result(response: httpx.Response) -> RefreshResult:
    """Read a 200 answer of refresh; without a new refresh cookie it is an error."""
    read = Fields(json_body(response), "refresh answer", _protocol)
    access = check_jwt(read.require_str("accessToken"))
    lifetime = expires_in(read)
    rotated = refresh_cookie(response)
    if rotated is None:
        raise _protocol("the refresh answer carried no new refresh token")
    return RefreshResult(access, lifetime, rotated)


def app_password_info(item: object, where: str) -> AppPasswordInfo:
    read = Fields(item, where, _protocol)
    raw_id = read.data.get("id")
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)
    if not isinstance(raw_id, str) or not raw_id:
        raise read.fail("id", "a non-empty string")
    active = read.optional_bool("isActive")
    return AppPasswordInfo(
        id=raw_id,
        name=read.require_str("name", nonempty=False),
        created_at=read.optional_str("createdAt"),
        expires_at=read.optional_str("expiresAt"),
        is_active=True if active is None else active,
        last_used_at=read.optional_str("lastUsedAt"),
    )


def app_password_list(response: httpx.Response) -> list[AppPasswordInfo]:
    """Read the list answer: a bare JSON list, or an object wrapping one."""
    body = json_body(response)
    if isinstance(body, dict):
        body = body.get("appPasswords", body.get("items"))
    if not isinstance(body, list):
        raise _protocol("the app password list is not a JSON list")
    return [app_password_info(item, f"app password {i}") for i, item in enumerate(body)]


def created_app_password(response: httpx.Response) -> CreatedAppPassword:
    """Read the create answer, whose token must have the documented format."""
    body = json_body(response)
    info = app_password_info(body, "created app password")
    token = Fields(body, "created app password", _protocol).require_str("token")
    register_secret(token)
    if not is_app_password(token):
        raise _protocol("the new app password does not have the documented format")
    return CreatedAppPassword(info=info, token=token)


def _error_code(response: httpx.Response) -> tuple[str | None, str]:
    try:
        body = json.loads(response.content)
    except (ValueError, RecursionError):
        return None, ""
    if not isinstance(body, dict):
        return None, ""
    code = body.get("error")
    message = body.get("message")
    return (
        code if isinstance(code, str) else None,
        safe_text(message) if isinstance(message, str) else "",
    )


def error_for(response: httpx.Response, endpoint: str) -> A7Error:
    """The error a non-2xx ``response`` from ``endpoint`` stands for.

    ``endpoint`` is one of ``login``, ``googleauth``, ``app-login``,
    ``refresh``, ``logout``, ``mcp`` or ``resource`` (anything behind a Bearer
    token); it decides what a 401 means.
    """
    status = response.status_code
    code, said = _error_code(response)
    wait = parse_retry_after(response.headers.get("retry-after"))

    if status >= 500:
        shape = "" if code else f" with {describe_body(response)}"
        return ServerUnavailable(
            f"the server is having trouble (HTTP {status}{shape}); try again shortly",
            retry_after=wait,
        )
    if status == 429:
        seconds = 60.0 if wait is None else wait
        if code == "locked_out":
            return LockedOut(
                f"too many failed attempts: locked for {seconds:.0f} seconds", seconds
            )
        return RateLimited(
            f"the server asks to slow down: wait {seconds:.0f} seconds and try again",
            seconds,
        )
    if status == 401:
        return _unauthorized(endpoint, code, said)
    if code is None:
        return _protocol(
            f"HTTP {status} with {describe_body(response)}; is the server URL right?"
        )
    if status == 403:
        if code == "device_limit_reached":
            return Forbidden(
                "this account already trusts the most devices it may; remove one "
                "on the website, then sign in again"
            )
        return Forbidden(f"the server refused this action{_colon(said)}")
    if status == 404:
        return NotFound(f"not found on the server{_colon(said)}")
    if status in (400, 422):
        return InvalidInput(f"the server refused the request{_colon(said)}")
    return _protocol(f"unexpected HTTP {status} ({code})")


def _colon(said: str) -> str:
    return f": {said}" if said else ""


def _unauthorized(endpoint: str, code: str | None, said: str) -> A7Error:
    if endpoint == "login":
        return BadCredentials("the email or password is not correct")
    if endpoint == "app-login":
        return BadCredentials(f"the app password was not accepted{_colon(said)}")
    if endpoint == "googleauth":
        return BadCredentials("Agent700 did not accept the Google sign-in")
    if endpoint == "mcp":
        return BadCredentials("the MCP service refused the API key")
    if endpoint == "refresh":
        reason, message = REFRESH_REJECTIONS.get(code or "", _REFRESH_UNKNOWN)
        return SessionExpired(message, reason)
    return TokenRejected(
        "the server refused the access token; sign in again", code or "unknown"
    )
