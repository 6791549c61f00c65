"""The Agent700 API routes and :func:`create_app`, which assembles the emulator.

Answers use the guide's field names. Two choices the guide leaves open:

- ``GET /api/auth/app-passwords`` answers a bare JSON list, and includes
  expired (``isActive: false``) but not revoked app passwords;
  ``POST`` answers 201.
- ``app-login`` sets no refresh cookie: an app-password session is renewed
  by exchanging the app password again.
"""

from __future__ import annotations

import hmac
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from a7desktop.emulator import access, controls, provider, sessions
from a7desktop.emulator.clock import DateHeaderMiddleware, iso
from a7desktop.emulator.config import EmulatorConfig
from a7desktop.emulator.errors import ApiError, bad_request
from a7desktop.emulator.faults import FaultMiddleware
from a7desktop.emulator.fingerprint import Fingerprint
from a7desktop.emulator.state import EmulatorState, User, normalize_email
from a7desktop.emulator.tokens import (
    REFRESH_COOKIE,
    expired_refresh_cookie,
    refresh_cookie,
)
from a7desktop.emulator.web import (
    bearer,
    client_address,
    emulator_state,
    json_object,
    text_field,
)

AGENTS = (
    {"id": "agent-research", "name": "Research Assistant"},
    {"id": "agent-support", "name": "Support Triage"},
    {"id": "agent-writer", "name": "Release Notes Writer"},
)
MCP_SERVERS = (
    {"name": "filesystem", "status": "running"},
    {"name": "search", "status": "running"},
)


def sign_in_answer(user: User, grant: sessions.Grant, **extra: Any) -> Response:
    organization = user.organization
    body = {
        "email": user.email,
        "accessToken": grant.access_token,
        "expiresIn": grant.expires_in,
        "organizationsRoles": [
            {
                "name": organization.name,
                "id": organization.id,
                "role": organization.role,
            }
        ],
        "defaultOrganization": {"id": organization.id, "name": organization.name},
        **extra,
    }
    return _with_refresh_cookie(JSONResponse(body), grant)


def _with_refresh_cookie(response: Response, grant: sessions.Grant) -> Response:
    if grant.refresh_token is not None:
        response.headers.append(
            "set-cookie", refresh_cookie(grant.refresh_token, grant.refresh_max_age)
        )
    return response


async def login(request: Request) -> Response:
    state = emulator_state(request)
    body = await json_object(request)
    email, password = text_field(body, "email"), text_field(body, "password")
    with state.lock:
        user = state.users.get(normalize_email(email))
        if user is None or not user.check_password(password):
            raise ApiError(401, "invalid_credentials", "Invalid email or password.")
    grant = sessions.sign_in(
        state, user, Fingerprint.from_headers(request.headers), "password"
    )
    return sign_in_answer(user, grant)


async def google_login(request: Request) -> Response:
    state = emulator_state(request)
    token = text_field(await json_object(request), "token")
    user = provider.user_for_id_token(request, state, token)
    grant = sessions.sign_in(
        state, user, Fingerprint.from_headers(request.headers), "google_oauth"
    )
    return sign_in_answer(user, grant)


async def app_login(request: Request) -> Response:
    state = emulator_state(request)
    token = text_field(await json_object(request), "token")
    user, record, grant = access.app_login(state, token, client_address(request))
    return sign_in_answer(
        user, grant, authType="app_password", appPasswordName=record.name
    )


async def refresh(request: Request) -> Response:
    state = emulator_state(request)
    grant = sessions.refresh(
        state,
        request.cookies.get(REFRESH_COOKIE),
        Fingerprint.from_headers(request.headers),
    )
    answer = JSONResponse(
        {
            "accessToken": grant.access_token,
            "expiresIn": grant.expires_in,
            "message": "Token refreshed successfully",
        }
    )
    return _with_refresh_cookie(answer, grant)


async def logout(request: Request) -> Response:
    sessions.sign_out(
        emulator_state(request), request.cookies.get(REFRESH_COOKIE), bearer(request)
    )
    response = JSONResponse({"message": "Logged out successfully"})
    response.headers.append("set-cookie", expired_refresh_cookie())
    return response


def _account(request: Request) -> access.Principal:
    return access.authenticate(
        emulator_state(request),
        bearer(request),
        client_address(request),
        allow_app_password=False,
    )


async def list_app_passwords(request: Request) -> Response:
    state = emulator_state(request)
    principal = _account(request)
    with state.lock:
        now = state.clock.now()
        records = state.app_passwords.of_user(principal.user.email)
        return JSONResponse([record.describe(now) for record in records])


async def create_app_password(request: Request) -> Response:
    state = emulator_state(request)
    principal = _account(request)
    body = await json_object(request)
    name = text_field(body, "name").strip()
    permissions = body.get("permissions", {})
    if not name or len(name) > 100:
        raise bad_request("'name' must be 1 to 100 characters.")
    if not isinstance(permissions, dict):
        raise bad_request("'permissions' must be a JSON object.")
    with state.lock:
        now = state.clock.now()
        record, token = state.app_passwords.create(
            principal.user.email, name, permissions, now
        )
        answer = record.describe(now)
    del answer["lastUsedAt"]
    answer["token"] = token
    answer["warning"] = "This token will only be shown once. Store it securely."
    return JSONResponse(answer, status_code=201)


async def delete_app_password(request: Request) -> Response:
    state = emulator_state(request)
    principal = _account(request)
    password_id = request.path_params["password_id"]
    with state.lock:
        if not state.app_passwords.revoke(principal.user.email, password_id):
            raise ApiError(404, "not_found", "No such app password.")
    return JSONResponse({"message": "App password revoked"})


async def heartbeat(request: Request) -> Response:
    now = emulator_state(request).clock.now()
    return JSONResponse({"status": "ok", "time": iso(now)})


async def agents(request: Request) -> Response:
    access.authenticate(
        emulator_state(request),
        bearer(request),
        client_address(request),
        allow_app_password=True,
    )
    return JSONResponse(list(AGENTS))


async def mcp_servers(request: Request) -> Response:
    expected = emulator_state(request).config.mcp_api_key
    presented = request.headers.get("x-api-key", "")
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        raise ApiError(401, "invalid_api_key", "The X-API-Key is missing or wrong.")
    return JSONResponse({"servers": list(MCP_SERVERS)})


async def _api_error(request: Request, error: Exception) -> Response:
    if not isinstance(error, ApiError):  # pragma: no cover - registered for ApiError
        raise error
    return error.response()


async def _http_error(request: Request, error: Exception) -> Response:
    if not isinstance(error, HTTPException):  # pragma: no cover
        raise error
    if error.status_code == 404:
        return ApiError(404, "not_found", "No such endpoint.").response()
    if error.status_code == 405:
        return ApiError(405, "method_not_allowed", "Method not allowed.").response()
    return ApiError(error.status_code, "bad_request", str(error.detail)).response()


API_ROUTES = [
    Route("/auth/login", login, methods=["POST"]),
    Route("/auth/googleauth", google_login, methods=["POST"]),
    Route("/auth/app-login", app_login, methods=["POST"]),
    Route("/auth/refresh", refresh, methods=["POST"]),
    Route("/auth/logout", logout, methods=["POST"]),
    Route("/auth/app-passwords", list_app_passwords, methods=["GET"]),
    Route("/auth/app-passwords", create_app_password, methods=["POST"]),
    Route("/auth/app-passwords/{password_id}", delete_app_password, methods=["DELETE"]),
    Route("/auth/heartbeat", heartbeat, methods=["GET"]),
    Route("/agents", agents, methods=["GET"]),
]


def create_app(config: EmulatorConfig | None = None) -> Starlette:
    """Build an emulator: a Starlette app whose state is ``app.state.emulator``.

    Serve it with :class:`~a7desktop.emulator.server.EmulatorServer`, or call
    it in-process through ``httpx.ASGITransport``.
    """
    state = EmulatorState(config or EmulatorConfig())
    app = Starlette(
        routes=[
            Mount("/api", routes=API_ROUTES),
            Route("/mcp/servers", mcp_servers, methods=["GET"]),
            Mount("/google", routes=provider.ROUTES),
            Mount("/__emulator__", routes=controls.ROUTES),
        ],
        middleware=[
            Middleware(DateHeaderMiddleware, clock_of=lambda: state.clock),
            Middleware(FaultMiddleware, state=state),
        ],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
    )
    app.state.emulator = state
    return app
