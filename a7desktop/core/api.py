"""The HTTP client for the Agent700 API: one ``httpx.AsyncClient``, every endpoint.

Choices that matter:

- Explicit connect, read, write and pool timeouts, so a stalled server fails
  instead of hanging.
- The system's trust store (``truststore``), so a corporate CA installed on
  the machine is trusted; proxies come from the environment, except for
  loopback, which is never proxied. ``http://`` is refused unless the server
  is loopback.
- No cookie jar. The refresh token is read from ``Set-Cookie`` and sent back
  in an explicit ``Cookie`` header: a jar would not send a ``Secure`` cookie
  to the plain-HTTP emulator, and would send stale ones elsewhere.
- The device fingerprint headers on every request; a caller may pass the
  fingerprint a session was signed in with, for refresh and logout.
- Idempotent reads (heartbeat, lists) retry at most three times with capped
  exponential backoff and jitter, honouring Retry-After. Sign-in, refresh,
  create, delete and logout are never retried here: repeating them could
  walk into a lockout, present a used refresh token, or create twice.
- A transport failure after the request went out is :class:`AnswerLost`, so
  the session engine knows the server may have acted on it.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from http.cookiejar import CookieJar, CookiePolicy
from typing import Any
from urllib.parse import quote

import httpx

from a7desktop.core import answers
from a7desktop.core.answers import LoginResult, RefreshResult
from a7desktop.core.errors import (
    AnswerLost,
    ProtocolError,
    RateLimited,
    ServerUnavailable,
)
from a7desktop.core.fingerprint import DeviceFingerprint
from a7desktop.core.log import get_logger
from a7desktop.core.models import AppPasswordInfo, CreatedAppPassword
from a7desktop.core.retry import Backoff
from a7desktop.core.urls import validate_server_url

__all__ = ["DEFAULT_TIMEOUTS", "ApiClient", "LoginResult", "RefreshResult"]

DEFAULT_TIMEOUTS = httpx.Timeout(connect=10.0, read=30.0, write=30.0, pool=10.0)
READ_ATTEMPTS = 4  # the first try and three retries
# A read is retried after a 429 only if the server asks for a short pause.
MAX_READ_RETRY_WAIT = 30.0

_NOT_PROXIED = {
    "all://127.0.0.1": None,
    "all://localhost": None,
    "all://[::1]": None,
}

_log = get_logger("http")


class _NoCookies(CookiePolicy):
    """A cookie policy that neither stores nor sends any cookie."""

    netscape = True
    rfc2965 = False
    hide_cookie2 = True

    def set_ok(self, cookie: Any, request: Any) -> bool:
        return False

    def return_ok(self, cookie: Any, request: Any) -> bool:
        return False

    def domain_return_ok(self, domain: str, request: Any) -> bool:
        return False

    def path_return_ok(self, path: str, request: Any) -> bool:
        return False


def system_ssl_context() -> ssl.SSLContext:
    """An SSL context that trusts the operating system's certificate store."""
    import truststore

    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _transport_error(exc: httpx.TransportError, url: httpx.URL) -> ServerUnavailable:
    where = url.host
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return ServerUnavailable(f"could not connect to {where} in time")
    if isinstance(exc, httpx.ConnectError):
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, ssl.SSLCertVerificationError):
                return ServerUnavailable(
                    f"the certificate of {where} is not trusted by this computer"
                )
            cause = cause.__cause__ or cause.__context__
        return ServerUnavailable(f"could not connect to {where}")
    if isinstance(exc, httpx.TimeoutException):
        return AnswerLost(f"{where} did not answer in time")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.ProxyError):
        return ServerUnavailable(f"could not reach {where} ({type(exc).__name__})")
    return AnswerLost(f"the connection to {where} broke before the answer came")


class ApiClient:
    """The Agent700 API at ``server`` (the base URL, e.g. ``…/api``).

    Args:
        server: the API base URL; ``http://`` only for loopback.
        fingerprint: the device fingerprint headers sent with every request.
        transport: an httpx transport to use instead of the network (tests);
            with one, no proxy settings are read from the environment.
        timeouts: the connect/read/write/pool timeouts.
        ssl_context: the trust to use instead of the system store.
        backoff: delays between retries of idempotent reads.
        sleep: how to wait between retries (tests pass a fast one).

    Raises:
        InsecureServer: ``server`` is plain http to a non-loopback host.
    """

    def __init__(
        self,
        server: str,
        fingerprint: DeviceFingerprint,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeouts: httpx.Timeout = DEFAULT_TIMEOUTS,
        ssl_context: ssl.SSLContext | None = None,
        backoff: Backoff | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.server = validate_server_url(server)
        self.fingerprint = fingerprint
        self._backoff = backoff or Backoff(base=0.5, cap=8.0)
        self._sleep = sleep
        self._client = httpx.AsyncClient(
            headers={**fingerprint.headers(), "Accept": "application/json"},
            timeout=timeouts,
            verify=ssl_context if ssl_context is not None else system_ssl_context(),
            transport=transport,
            trust_env=transport is None,
            mounts=None if transport is not None else _NOT_PROXIED,
            follow_redirects=False,
            cookies=CookieJar(policy=_NoCookies()),
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    # -- plumbing -----------------------------------------------------------

    def url(self, path: str) -> str:
        """The absolute URL of an API ``path`` such as ``/agents``."""
        return f"{self.server}/{path.lstrip('/')}"

    async def send(
        self,
        method: str,
        url_or_path: str,
        *,
        bearer: str | None = None,
        headers: Mapping[str, str] | None = None,
        fingerprint: DeviceFingerprint | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send one request and return the answer, whatever its status.

        ``url_or_path`` is an absolute URL or a path under the server.
        ``kwargs`` go to httpx (``json=``, ``params=``, ``content=``).

        Raises:
            ServerUnavailable: the request could not be sent, or timed out
                before connecting.
            AnswerLost: the request was sent but no complete answer came.
        """
        url = url_or_path if "://" in url_or_path else self.url(url_or_path)
        extra: dict[str, str] = dict(fingerprint.headers()) if fingerprint else {}
        extra.update(headers or {})
        if bearer is not None:
            extra["Authorization"] = f"Bearer {bearer}"

        request = self._client.build_request(method, url, headers=extra, **kwargs)
        started = time.monotonic()
        try:
            response = await self._client.send(request)
        except httpx.TransportError as exc:
            _log.debug("%s %s failed: %s", method, request.url.path, type(exc).__name__)
            raise _transport_error(exc, request.url) from None
        except httpx.DecodingError:
            # The body does not match its Content-Encoding: garbled in transit
            # or a broken server; either way not an answer we can read.
            raise ProtocolError(
                f"the answer from {request.url.host} could not be decoded"
            ) from None
        elapsed = (time.monotonic() - started) * 1000
        _log.debug(
            "%s %s -> %d (%.0f ms)",
            method,
            request.url.path,
            response.status_code,
            elapsed,
        )
        return response

    async def _expect(
        self,
        endpoint: str,
        method: str,
        path: str,
        *,
        ok: tuple[int, ...] = (200,),
        **kwargs: Any,
    ) -> httpx.Response:
        """Send once; a status outside ``ok`` raises the error it stands for."""
        response = await self.send(method, path, **kwargs)
        if response.status_code not in ok:
            raise answers.error_for(response, endpoint)
        return response

    async def _read(
        self, endpoint: str, path: str, *, ok: tuple[int, ...] = (200,), **kwargs: Any
    ) -> httpx.Response:
        """GET ``path``, retrying passing failures of an idempotent read."""
        for attempt in range(READ_ATTEMPTS):
            try:
                return await self._expect(endpoint, "GET", path, ok=ok, **kwargs)
            except (ServerUnavailable, RateLimited) as exc:
                wait = self._backoff.wait(attempt, exc.retry_after)
                if attempt == READ_ATTEMPTS - 1 or wait > MAX_READ_RETRY_WAIT:
                    raise
                _log.warning("GET %s: %s; retrying in %.1f s", path, exc, wait)
                await self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    # -- sign-in ------------------------------------------------------------

    async def _sign_in(
        self, endpoint: str, body: dict[str, str], fingerprint: DeviceFingerprint | None
    ) -> LoginResult:
        response = await self._expect(
            endpoint, "POST", f"/auth/{endpoint}", json=body, fingerprint=fingerprint
        )
        return answers.login_result(response)

    async def login(
        self, email: str, password: str, *, fingerprint: DeviceFingerprint | None = None
    ) -> LoginResult:
        """``POST /auth/login``; never retried. Raises BadCredentials on 401."""
        return await self._sign_in(
            "login", {"email": email, "password": password}, fingerprint
        )

    async def google_login(
        self, id_token: str, *, fingerprint: DeviceFingerprint | None = None
    ) -> LoginResult:
        """``POST /auth/googleauth`` with a verified Google ID token; never retried."""
        return await self._sign_in("googleauth", {"token": id_token}, fingerprint)

    async def app_login(
        self, token: str, *, fingerprint: DeviceFingerprint | None = None
    ) -> LoginResult:
        """``POST /auth/app-login``; never retried (a retry after a 401 walks into
        the lockout). Raises BadCredentials, RateLimited or LockedOut."""
        return await self._sign_in("app-login", {"token": token}, fingerprint)

    async def refresh(
        self, refresh_token: str, *, fingerprint: DeviceFingerprint | None = None
    ) -> RefreshResult:
        """``POST /auth/refresh`` presenting ``refresh_token``; never retried here.

        Raises:
            SessionExpired: the server refused the token (401); ``reason`` says why.
            ServerUnavailable, RateLimited: nothing was consumed; try later.
            AnswerLost, ProtocolError: the token may have been consumed.
        """
        response = await self._expect(
            "refresh",
            "POST",
            "/auth/refresh",
            headers={"Cookie": f"{answers.REFRESH_COOKIE}={refresh_token}"},
            fingerprint=fingerprint,
        )
        return answers.refresh_result(response)

    async def logout(
        self,
        refresh_token: str | None,
        access_token: str | None,
        *,
        fingerprint: DeviceFingerprint | None = None,
    ) -> None:
        """``POST /auth/logout``: the server ends the session's token family.

        A 401 counts as done (the session had already ended there).
        """
        headers = {}
        if refresh_token is not None:
            headers["Cookie"] = f"{answers.REFRESH_COOKIE}={refresh_token}"
        await self._expect(
            "logout",
            "POST",
            "/auth/logout",
            ok=(200, 204, 401),
            headers=headers,
            bearer=access_token,
            fingerprint=fingerprint,
        )

    # -- reads and resources ------------------------------------------------

    async def heartbeat(self) -> float:
        """``GET /auth/heartbeat`` (no authentication); the round trip in seconds."""
        started = time.monotonic()
        response = await self._read("resource", "/auth/heartbeat")
        answers.json_body(response)
        return time.monotonic() - started

    async def list_app_passwords(self, access: str) -> list[AppPasswordInfo]:
        """``GET /auth/app-passwords``: the account's app passwords (no tokens)."""
        response = await self._read("resource", "/auth/app-passwords", bearer=access)
        return answers.app_password_list(response)

    async def create_app_password(self, access: str, name: str) -> CreatedAppPassword:
        """``POST /auth/app-passwords``; never retried (it would create twice)."""
        response = await self._expect(
            "resource",
            "POST",
            "/auth/app-passwords",
            ok=(200, 201),
            bearer=access,
            json={"name": name, "permissions": {}},
        )
        return answers.created_app_password(response)

    async def delete_app_password(self, access: str, password_id: str) -> None:
        """``DELETE /auth/app-passwords/<id>``: revoke it. Raises NotFound."""
        await self._expect(
            "resource",
            "DELETE",
            f"/auth/app-passwords/{quote(password_id, safe='')}",
            ok=(200, 204),
            bearer=access,
        )

    async def agents(self, bearer: str) -> list[dict[str, object]]:
        """``GET /agents`` with an access token or an app password as Bearer."""
        response = await self._read("resource", "/agents", bearer=bearer)
        body = answers.json_body(response)
        if not isinstance(body, list) or not all(isinstance(a, dict) for a in body):
            raise ProtocolError("the server's agent list is not a JSON list of objects")
        return body

    async def mcp_servers(self, mcp_url: str, api_key: str) -> list[dict[str, object]]:
        """``GET <mcp_url>/servers`` with ``X-API-Key``; BadCredentials on 401."""
        base = validate_server_url(mcp_url)
        response = await self._read(
            "mcp", f"{base}/servers", headers={"X-API-Key": api_key}
        )
        body = answers.json_body(response)
        servers = body.get("servers") if isinstance(body, dict) else None
        if not isinstance(servers, list) or not all(
            isinstance(s, dict) for s in servers
        ):
            raise ProtocolError("the MCP service's answer has no list of servers")
        return servers
