"""A stand-in for Google's OpenID Connect provider, mounted at ``/google``.

Routes: ``/.well-known/openid-configuration``, ``/authorize`` (GET shows the
consent page, POST takes its answer), ``/token``, ``/jwks``.

The authorization request must carry ``response_type=code``, the configured
``client_id``, a ``redirect_uri`` of the form ``http://127.0.0.1:<port>/…`` or
``http://[::1]:<port>/…`` (an IP literal: the name ``localhost`` is refused),
an S256 ``code_challenge`` and a ``state``; ``nonce`` and ``login_hint`` are
optional. A bad request gets an error page, never a redirect, since its
redirect target cannot be trusted. The consent page offers an email field
(``login_hint``, else the demo account), an ``approve`` and a ``deny`` button.
Approval redirects with ``code`` and ``state``; denial with
``error=access_denied`` and ``state``. With auto-approve on, the page is
skipped. The token endpoint takes ``authorization_code`` grants with the PKCE
verifier; codes work once and for two minutes; its errors use OAuth's shape
(``{"error": "invalid_grant", "error_description": …}``), not the API's.
"""

from __future__ import annotations

import html
import re
import secrets
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from a7desktop.emulator.config import DEMO_EMAIL
from a7desktop.emulator.errors import ApiError
from a7desktop.emulator.provider_keys import (
    CONSENT_LIFETIME,
    AuthorizationRequest,
    IdTokenRejected,
)
from a7desktop.emulator.state import EmulatorState, User, normalize_email
from a7desktop.emulator.web import emulator_state

_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")
_LOOPBACK_LITERALS = ("127.0.0.1", "::1")


def issuer(request: Request) -> str:
    """The issuer URL: fixed by the server once bound, else this request's origin."""
    fixed = emulator_state(request).google_issuer
    if fixed is not None:
        return fixed
    return f"{request.url.scheme}://{request.url.netloc}/google"


async def discovery(request: Request) -> Response:
    base = issuer(request)
    return JSONResponse(
        {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "none"],
            "claims_supported": [
                "iss",
                "aud",
                "sub",
                "email",
                "email_verified",
                "iat",
                "exp",
                "nonce",
            ],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code"],
        }
    )


async def jwks(request: Request) -> Response:
    state = emulator_state(request)
    with state.lock:
        return JSONResponse(state.google.jwks())


def _error_page(message: str) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html><head><title>Sign-in error</title></head><body>"
        "<h1>Error 400: invalid_request</h1>"
        f'<p id="error">{html.escape(message)}</p></body></html>',
        status_code=400,
    )


def _redirect_uri_problem(uri: str) -> str | None:
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "redirect_uri is not a valid URL"
    if parts.scheme != "http":
        return "redirect_uri must use http (a loopback redirect)"
    if parts.hostname not in _LOOPBACK_LITERALS or parts.username or parts.password:
        return "redirect_uri must point at 127.0.0.1 or [::1] by IP literal"
    if parts.fragment:
        return "redirect_uri must not have a fragment"
    return None


def _parse_authorization(
    params: dict[str, str], state: EmulatorState, now: float
) -> AuthorizationRequest | str:
    """The validated request, or a message saying what is wrong with it."""
    if params.get("client_id") != state.config.google_client_id:
        return "Unknown OAuth client (client_id)"
    problem = _redirect_uri_problem(params.get("redirect_uri", ""))
    if problem:
        return problem
    if params.get("response_type") != "code":
        return "response_type must be code"
    if params.get("code_challenge_method") != "S256":
        return "PKCE is required: code_challenge_method must be S256"
    if not _CHALLENGE.fullmatch(params.get("code_challenge", "")):
        return "PKCE is required: code_challenge must be an S256 challenge"
    if not params.get("state"):
        return "state is required"
    return AuthorizationRequest(
        client_id=params["client_id"],
        redirect_uri=params["redirect_uri"],
        code_challenge=params["code_challenge"],
        state=params["state"],
        nonce=params.get("nonce") or None,
        login_hint=params.get("login_hint") or None,
        expires_at=now + CONSENT_LIFETIME,
    )


def _back_to_client(request: AuthorizationRequest, **params: str) -> Response:
    separator = "&" if urlsplit(request.redirect_uri).query else "?"
    target = request.redirect_uri + separator + urlencode(params)
    return RedirectResponse(target, status_code=303)


async def authorize(request: Request) -> Response:
    state = emulator_state(request)
    with state.lock:
        now = state.clock.now()
        parsed = _parse_authorization(dict(request.query_params), state, now)
        if isinstance(parsed, str):
            return _error_page(parsed)
        if state.auto_approve:
            email = normalize_email(parsed.login_hint or DEMO_EMAIL)
            code = state.google.issue_code(parsed, email, now)
            return _back_to_client(parsed, code=code, state=parsed.state)
        request_id = state.google.hold(parsed)
    return _consent_page(parsed, request_id)


def _consent_page(request: AuthorizationRequest, request_id: str) -> HTMLResponse:
    host = urlsplit(request.redirect_uri).netloc
    email = request.login_hint or DEMO_EMAIL
    return HTMLResponse(
        "<!doctype html><html><head><title>Sign in with Google (emulator)</title>"
        "</head><body><h1>Sign in with Google</h1>"
        f"<p>An application at <code>{html.escape(host)}</code> asks to know "
        "your email address.</p>"
        '<form method="post" action="authorize">'
        f'<input type="hidden" name="request_id" value="{html.escape(request_id)}">'
        '<label for="email">Google account</label> '
        f'<input id="email" name="email" type="email" value="{html.escape(email)}">'
        '<p><button id="approve" type="submit" name="decision" value="approve">'
        "Allow</button> "
        '<button id="deny" type="submit" name="decision" value="deny">Deny</button>'
        "</p></form></body></html>"
    )


async def _form(request: Request) -> dict[str, str]:
    # Parsed here rather than by request.form(), which needs python-multipart.
    return dict(parse_qsl((await request.body()).decode("utf-8", "replace")))


async def consent(request: Request) -> Response:
    form = await _form(request)
    state = emulator_state(request)
    with state.lock:
        now = state.clock.now()
        pending = state.google.pending.pop(form.get("request_id", ""), None)
        if pending is None or now >= pending.expires_at:
            return _error_page("This sign-in request expired or was already answered")
        if form.get("decision") != "approve":
            return _back_to_client(pending, error="access_denied", state=pending.state)
        email = normalize_email(form.get("email", ""))
        if "@" not in email:
            return _error_page("Enter the email address of the Google account")
        code = state.google.issue_code(pending, email, now)
    return _back_to_client(pending, code=code, state=pending.state)


def _oauth_error(code: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse(
        {"error": code, "error_description": description}, status_code=status
    )


async def token(request: Request) -> Response:
    form = await _form(request)
    state = emulator_state(request)
    config = state.config
    if form.get("grant_type") != "authorization_code":
        return _oauth_error("unsupported_grant_type", "only authorization_code")
    if form.get("client_id") != config.google_client_id:
        return _oauth_error("invalid_client", "unknown client", 401)
    secret = form.get("client_secret")
    if secret is not None and not secrets.compare_digest(
        secret.encode(), config.google_client_secret.encode()
    ):
        return _oauth_error("invalid_client", "wrong client secret", 401)
    verifier = form.get("code_verifier", "")
    if not _VERIFIER.fullmatch(verifier):
        return _oauth_error("invalid_grant", "code_verifier is missing or malformed")
    with state.lock:
        now = state.clock.now()
        try:
            grant = state.google.redeem(
                form.get("code", ""),
                form["client_id"],
                form.get("redirect_uri", ""),
                verifier,
                now,
            )
        except IdTokenRejected as rejected:
            return _oauth_error("invalid_grant", str(rejected))
        id_token = state.google.mint_id_token(grant, issuer(request), now)
    answer: dict[str, Any] = {
        "access_token": "emu-" + secrets.token_urlsafe(24),
        "token_type": "Bearer",
        "expires_in": 3599,
        "scope": "openid email profile",
        "id_token": id_token,
    }
    return JSONResponse(answer, headers={"Cache-Control": "no-store"})


def user_for_id_token(request: Request, state: EmulatorState, id_token: str) -> User:
    """Verify an ID token from this provider; return (or create) its user.

    Raises:
        ApiError: 401 ``invalid_google_token`` naming the failed check.
    """
    with state.lock:
        try:
            claims = state.google.verify_id_token(
                id_token,
                issuer(request),
                state.config.google_client_id,
                state.clock.now(),
            )
        except IdTokenRejected as rejected:
            raise ApiError(401, "invalid_google_token", str(rejected) + ".") from None
        email = normalize_email(str(claims["email"]))
        user = state.users.get(email)
        if user is None:
            user = state.add_user(email, None)
        return user


ROUTES = [
    Route("/.well-known/openid-configuration", discovery, methods=["GET"]),
    Route("/authorize", authorize, methods=["GET"]),
    Route("/authorize", consent, methods=["POST"]),
    Route("/token", token, methods=["POST"]),
    Route("/jwks", jwks, methods=["GET"]),
]
