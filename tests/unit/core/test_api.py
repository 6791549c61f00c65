"""The HTTP client against scripted answers (R18, R19, R30-R33)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from a7desktop.core.api import ApiClient
from a7desktop.core.errors import (
    AnswerLost,
    BadCredentials,
    Forbidden,
    InsecureServer,
    InvalidInput,
    LockedOut,
    NotFound,
    ProtocolError,
    RateLimited,
    ServerUnavailable,
    SessionExpired,
    TokenRejected,
)
from a7desktop.core.fingerprint import device_fingerprint
from a7desktop.core.retry import Backoff

SERVER = "http://127.0.0.1:8700/api"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl"
REFRESH = "rt-0123456789abcdef"
COOKIE = f"refreshToken={REFRESH}; HttpOnly; Secure; SameSite=Strict; Path=/api/auth"
LOGIN = {
    "email": "a@example.com",
    "accessToken": JWT,
    "expiresIn": 28800,
    "organizationsRoles": [{"name": "Public", "id": "org-1", "role": "consumer"}],
    "defaultOrganization": {"id": "org-1", "name": "Public"},
}

Handler = Callable[[httpx.Request], httpx.Response]


class Server:
    """Scripted answers, one per request, and the requests that came."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def answer(status: int = 200, body: Any = None, **headers: str) -> httpx.Response:
    content = b"" if body is None else json.dumps(body).encode()
    extra = {key.replace("_", "-"): value for key, value in headers.items()}
    return httpx.Response(
        status, content=content, headers={"content-type": "application/json", **extra}
    )


def with_cookie(body: Any, cookie: str = COOKIE) -> httpx.Response:
    response = answer(200, body)
    response.headers["set-cookie"] = cookie
    return response


def error(status: int, code: str, **headers: str) -> httpx.Response:
    return answer(status, {"error": code, "message": f"{code} happened"}, **headers)


def client(server: Server) -> ApiClient:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    api = ApiClient(
        SERVER,
        device_fingerprint(),
        transport=httpx.MockTransport(server),
        backoff=Backoff(base=0.5, cap=8),
        sleep=sleep,
    )
    api.sleeps = sleeps  # type: ignore[attr-defined]
    return api


async def test_login_reads_the_answer_and_the_refresh_cookie() -> None:
    server = Server(with_cookie(LOGIN))
    api = client(server)
    result = await api.login("a@example.com", "pw")
    await api.aclose()

    assert result.access_token == JWT
    assert result.refresh_token == REFRESH
    assert result.expires_in == 28800
    assert result.organization is not None
    assert result.organization.role == "consumer"
    assert JWT not in repr(result)
    assert REFRESH not in repr(result)
    request = server.requests[0]
    assert request.url.path == "/api/auth/login"
    assert json.loads(request.content) == {"email": "a@example.com", "password": "pw"}


async def test_every_request_carries_the_five_fingerprint_headers() -> None:
    """R19: set explicitly, so the library's defaults never leak in."""
    server = Server(with_cookie(LOGIN))
    api = client(server)
    await api.login("a@example.com", "pw")
    await api.aclose()
    expected = device_fingerprint().headers()
    sent = server.requests[0].headers
    assert {name: sent[name] for name in expected} == expected
    assert sent["Accept-Encoding"] == "gzip, deflate"


async def test_refresh_sends_the_cookie_explicitly_and_no_jar_cookie() -> None:
    rotated = "rt-rotated-000000000000"
    server = Server(
        with_cookie(LOGIN),
        with_cookie(
            {"accessToken": JWT, "expiresIn": 14400},
            f"refreshToken={rotated}; Path=/api/auth",
        ),
        answer(200, []),
    )
    api = client(server)
    await api.login("a@example.com", "pw")
    result = await api.refresh(REFRESH)
    await api.list_app_passwords(JWT)
    await api.aclose()

    assert result.refresh_token == rotated
    assert server.requests[1].headers["cookie"] == f"refreshToken={REFRESH}"
    assert "cookie" not in server.requests[2].headers, "a cookie jar kept a token"


async def test_refresh_with_the_sessions_own_fingerprint() -> None:
    """R19: refresh can send the fingerprint a session was signed in with."""
    from a7desktop.core.config import ProfileSettings

    recorded = device_fingerprint(ProfileSettings(screen_resolution="800x600"))
    server = Server(with_cookie({"accessToken": JWT, "expiresIn": 100}))
    api = client(server)
    await api.refresh(REFRESH, fingerprint=recorded)
    await api.aclose()
    assert server.requests[0].headers["X-Screen-Resolution"] == "800x600"


async def test_a_refresh_answer_without_a_cookie_is_an_error() -> None:
    """R18."""
    api = client(Server(answer(200, {"accessToken": JWT, "expiresIn": 100})))
    with pytest.raises(ProtocolError, match="no new refresh token"):
        await api.refresh(REFRESH)
    await api.aclose()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({**LOGIN, "expiresIn": 0}, "not a usable lifetime"),
        ({**LOGIN, "expiresIn": 10**9}, "not a usable lifetime"),
        ({**LOGIN, "expiresIn": "8h"}, "expiresIn"),
        (
            {**LOGIN, "accessToken": "eyJhbGciOiJIUzI1NiJ9.bm90LWpzb24"},
            "well-formed JWT",
        ),
        ({**LOGIN, "accessToken": "bm90.YQ.Yg"}, "well-formed JWT"),
        ({**LOGIN, "accessToken": 42}, "accessToken"),
        ({k: v for k, v in LOGIN.items() if k != "email"}, "email"),
        ({**LOGIN, "organizationsRoles": [{"name": 1}]}, "organizationsRoles"),
        (["not", "an", "object"], "not a JSON object"),
    ],
)
async def test_wrong_answers_are_typed_errors(body: Any, message: str) -> None:
    """R33: missing or mistyped fields, absurd lifetimes, malformed JWTs."""
    api = client(Server(with_cookie(body)))
    with pytest.raises(ProtocolError, match=message) as caught:
        await api.login("a@example.com", "pw")
    await api.aclose()
    assert REFRESH not in str(caught.value)


async def test_html_and_truncated_answers_are_typed_errors() -> None:
    """R33: a non-JSON 200, a truncated body, an HTML 502."""
    html = httpx.Response(
        200, text="<html>portal</html>", headers={"content-type": "text/html"}
    )
    truncated = httpx.Response(
        200,
        content=b'{"accessToken": "ey',
        headers={"content-type": "application/json"},
    )
    bad_gateway = httpx.Response(
        502, text="<html>Bad Gateway</html>", headers={"content-type": "text/html"}
    )

    api = client(Server(html, truncated, bad_gateway))
    with pytest.raises(ProtocolError, match="HTML page"):
        await api.login("a@example.com", "pw")
    with pytest.raises(ProtocolError, match="cut off"):
        await api.login("a@example.com", "pw")
    with pytest.raises(ServerUnavailable, match="HTTP 502 with an HTML page"):
        await api.login("a@example.com", "pw")
    await api.aclose()


@pytest.mark.parametrize(
    ("method", "response", "kind", "text"),
    [
        (
            "login",
            error(401, "invalid_credentials"),
            BadCredentials,
            "email or password",
        ),
        (
            "app_login",
            error(401, "invalid_app_password"),
            BadCredentials,
            "app password",
        ),
        ("google_login", error(401, "invalid_google_token"), BadCredentials, "Google"),
        (
            "login",
            error(403, "device_limit_reached"),
            Forbidden,
            "trusts the most devices",
        ),
        ("login", error(400, "bad_request"), InvalidInput, "refused the request"),
        ("login", error(503, "unavailable"), ServerUnavailable, "HTTP 503"),
    ],
)
async def test_sign_in_errors_say_what_happened(
    method: str, response: httpx.Response, kind: type[Exception], text: str
) -> None:
    server = Server(response)
    api = client(server)
    args = ("a@example.com", "pw") if method == "login" else ("token",)
    with pytest.raises(kind, match=text):
        await getattr(api, method)(*args)
    await api.aclose()
    assert len(server.requests) == 1, "sign-in must never be retried (R31)"


async def test_rate_limit_and_lockout_carry_the_wait() -> None:
    """R22/R30: a 429 says how long to wait, in seconds or as an HTTP date."""
    api = client(
        Server(
            error(429, "rate_limited", retry_after="42"),
            error(429, "locked_out", retry_after="300"),
        )
    )
    with pytest.raises(RateLimited, match="wait 42 seconds") as limited:
        await api.app_login("app_a7_x")
    assert limited.value.retry_after == 42
    with pytest.raises(LockedOut, match="locked for 300 seconds") as locked:
        await api.app_login("app_a7_x")
    assert locked.value.retry_after == 300
    await api.aclose()


@pytest.mark.parametrize(
    ("code", "reason", "text"),
    [
        ("refresh_token_reused", "reuse_detected", "used from somewhere else"),
        (
            "fingerprint_mismatch",
            "fingerprint_mismatch",
            "this device changed, sign in again",
        ),
        ("device_limit_reached", "device_limit", "trusted devices"),
        ("refresh_token_revoked", "revoked", "ended on the server"),
        ("refresh_token_expired", "expired", "expired"),
        ("refresh_token_invalid", "unknown", "no longer accepts"),
    ],
)
async def test_refresh_rejections_carry_a_reason(
    code: str, reason: str, text: str
) -> None:
    """R14/R20: the reason and the words the sign-in prompt shows."""
    api = client(Server(error(401, code)))
    with pytest.raises(SessionExpired, match=text) as caught:
        await api.refresh(REFRESH)
    await api.aclose()
    assert caught.value.reason == reason


async def test_resource_401_is_token_rejected() -> None:
    api = client(Server(error(401, "token_expired")))
    with pytest.raises(TokenRejected) as caught:
        await api.agents(JWT)
    await api.aclose()
    assert caught.value.reason == "token_expired"


async def test_idempotent_reads_retry_three_times_with_backoff() -> None:
    """R31: at most three retries, waiting longer each time."""
    server = Server(error(503, "x"), error(503, "x"), error(503, "x"), error(503, "x"))
    api = client(server)
    with pytest.raises(ServerUnavailable):
        await api.list_app_passwords(JWT)
    await api.aclose()
    assert len(server.requests) == 4
    sleeps = api.sleeps  # type: ignore[attr-defined]
    assert len(sleeps) == 3
    assert sleeps[0] <= 0.5 <= sleeps[1]
    assert sleeps[1] <= 1 <= sleeps[2] <= 2


async def test_a_read_honours_retry_after_then_succeeds() -> None:
    """R30."""
    server = Server(error(429, "rate_limited", retry_after="3"), answer(200, []))
    api = client(server)
    assert await api.list_app_passwords(JWT) == []
    await api.aclose()
    assert api.sleeps == [3.0]  # type: ignore[attr-defined]


async def test_a_read_does_not_sleep_for_an_absurd_retry_after() -> None:
    server = Server(error(429, "rate_limited", retry_after="3000"), answer(200, []))
    api = client(server)
    with pytest.raises(RateLimited):
        await api.agents(JWT)
    await api.aclose()
    assert len(server.requests) == 1


async def test_create_and_delete_are_never_retried() -> None:
    """R31."""
    server = Server(error(503, "x"))
    api = client(server)
    with pytest.raises(ServerUnavailable):
        await api.create_app_password(JWT, "CI")
    with pytest.raises(ServerUnavailable):
        await api.delete_app_password(JWT, "id-1")
    await api.aclose()
    assert len(server.requests) == 2


async def test_transport_failures_say_whether_the_request_went_out() -> None:
    """R15/R16/R32: no connection is retryable; a lost answer is AnswerLost."""
    connect = httpx.ConnectError("refused")
    read_timeout = httpx.ReadTimeout("slow")
    reset = httpx.RemoteProtocolError("Server disconnected without sending a response.")
    api = client(Server(connect, read_timeout, reset))
    with pytest.raises(ServerUnavailable) as refused:
        await api.refresh(REFRESH)
    assert not isinstance(refused.value, AnswerLost)
    with pytest.raises(AnswerLost, match="did not answer in time"):
        await api.refresh(REFRESH)
    with pytest.raises(AnswerLost, match="broke before the answer"):
        await api.refresh(REFRESH)
    await api.aclose()


async def test_app_password_list_create_and_delete() -> None:
    listing = [
        {
            "id": "p1",
            "name": "CI",
            "createdAt": "2025-01-15T10:00:00Z",
            "expiresAt": None,
            "isActive": True,
            "lastUsedAt": None,
        }
    ]
    token = "app_a7_" + "ab" * 16
    created = {
        "id": "p2",
        "name": "New",
        "token": token,
        "createdAt": None,
        "expiresAt": None,
        "isActive": True,
        "warning": "shown once",
    }
    server = Server(
        answer(200, listing),
        answer(201, created),
        answer(200, {"message": "ok"}),
        error(404, "not_found"),
    )
    api = client(server)
    infos = await api.list_app_passwords(JWT)
    new = await api.create_app_password(JWT, "New")
    await api.delete_app_password(JWT, "p/2")
    with pytest.raises(NotFound):
        await api.delete_app_password(JWT, "gone")
    await api.aclose()

    assert infos[0].name == "CI"
    assert infos[0].is_active
    assert new.token == token
    assert new.info.id == "p2"
    assert server.requests[1].headers["authorization"] == f"Bearer {JWT}"
    assert json.loads(server.requests[1].content) == {"name": "New", "permissions": {}}
    assert server.requests[2].url.raw_path == b"/api/auth/app-passwords/p%2F2"


async def test_mcp_servers_sends_the_api_key() -> None:
    server = Server(
        answer(200, {"servers": [{"name": "fs"}]}), error(401, "invalid_api_key")
    )
    api = client(server)
    assert await api.mcp_servers("http://127.0.0.1:8700/mcp", "key-1") == [
        {"name": "fs"}
    ]
    with pytest.raises(BadCredentials, match="MCP service refused"):
        await api.mcp_servers("http://127.0.0.1:8700/mcp", "wrong")
    await api.aclose()
    assert server.requests[0].url.path == "/mcp/servers"
    assert server.requests[0].headers["x-api-key"] == "key-1"


def test_plain_http_to_a_remote_host_is_refused() -> None:
    with pytest.raises(InsecureServer):
        ApiClient("http://api.example.com/api", device_fingerprint())


async def test_logout_sends_cookie_and_bearer_and_accepts_401() -> None:
    server = Server(
        answer(200, {"message": "bye"}), error(401, "refresh_token_revoked")
    )
    api = client(server)
    await api.logout(REFRESH, JWT)
    await api.logout(REFRESH, JWT)
    await api.aclose()
    sent = server.requests[0].headers
    assert sent["cookie"] == f"refreshToken={REFRESH}"
    assert sent["authorization"] == f"Bearer {JWT}"


async def test_redirects_are_not_followed() -> None:
    server = Server(httpx.Response(302, headers={"location": "https://evil.example/"}))
    api = client(server)
    with pytest.raises(ProtocolError, match="HTTP 302"):
        await api.login("a@example.com", "pw")
    await api.aclose()
    assert len(server.requests) == 1
