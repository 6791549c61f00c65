"""Injected faults: the ways a real server or network lets a client down.

A fault is armed for one endpoint (a route name, see :data:`ENDPOINTS`) and
hits the next ``times`` requests to it (``None``: until cleared). Kinds:

==================  ==========================================================
delay               wait ``seconds`` (real time), then answer normally
stall               do the work, send the headers and half the body, wait
                    ``seconds``, then send the rest
drop                close the connection without doing the work or answering
drop_after_commit   do the work (a refresh rotates the token), then close the
                    connection without answering: the lost answer
html502             answer 502 with an HTML page, without doing the work
truncated_json      do the work, answer with the body cut in half
no_set_cookie       do the work, answer without its ``Set-Cookie`` headers
malformed_jwt       do the work, answer with ``accessToken`` (``id_token`` at
                    the Google token endpoint) replaced by a broken JWT
status              answer ``status`` (default 503), without doing the work,
                    with ``Retry-After: retry_after`` (seconds or an HTTP date)
                    when given, and ``body`` (a string, or JSON) when given
==================  ==========================================================

Dropping a connection needs the server's socket: :class:`EmulatorServer`
registers each connection in a :class:`ConnectionRegistry`. In-process
(``httpx.ASGITransport``) there is no socket, so a drop raises
:class:`ConnectionDropped` into the caller instead.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from a7desktop.emulator.state import EmulatorState

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# (method, path) of each route a fault can be armed for.
ENDPOINTS: dict[str, tuple[str, str]] = {
    "login": ("POST", "/api/auth/login"),
    "googleauth": ("POST", "/api/auth/googleauth"),
    "app-login": ("POST", "/api/auth/app-login"),
    "refresh": ("POST", "/api/auth/refresh"),
    "logout": ("POST", "/api/auth/logout"),
    "app-passwords": ("GET", "/api/auth/app-passwords"),
    "app-passwords-create": ("POST", "/api/auth/app-passwords"),
    "app-passwords-delete": ("DELETE", "/api/auth/app-passwords/"),
    "heartbeat": ("GET", "/api/auth/heartbeat"),
    "agents": ("GET", "/api/agents"),
    "mcp-servers": ("GET", "/mcp/servers"),
    "google-token": ("POST", "/google/token"),
}
_BY_ROUTE = {route: name for name, route in ENDPOINTS.items()}

_PARAMETERS: dict[str, frozenset[str]] = {
    "delay": frozenset({"seconds"}),
    "stall": frozenset({"seconds"}),
    "drop": frozenset(),
    "drop_after_commit": frozenset(),
    "html502": frozenset(),
    "truncated_json": frozenset(),
    "no_set_cookie": frozenset(),
    "malformed_jwt": frozenset(),
    "status": frozenset({"status", "retry_after", "body"}),
}
KINDS = tuple(_PARAMETERS)

# Two base64url segments (header, then "not-json"): no JWT parser accepts it.
MALFORMED_JWT = "eyJhbGciOiJIUzI1NiJ9.bm90LWpzb24"

BAD_GATEWAY_PAGE = (
    b"<html><head><title>502 Bad Gateway</title></head>"
    b"<body><h1>502 Bad Gateway</h1><p>The upstream server did not answer.</p>"
    b"</body></html>"
)


class ConnectionDropped(Exception):
    """An in-process request hit a ``drop`` fault (there was no socket to close)."""


def endpoint_name(method: str, path: str) -> str | None:
    """The fault-endpoint name of a request, or ``None`` if faults skip it."""
    prefix = ENDPOINTS["app-passwords-delete"][1]
    if method == "DELETE" and path.startswith(prefix) and len(path) > len(prefix):
        return "app-passwords-delete"
    return _BY_ROUTE.get((method, path.rstrip("/") or "/"))


@dataclass
class Fault:
    endpoint: str
    kind: str
    remaining: int | None
    params: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "kind": self.kind,
            "times": self.remaining,
            **self.params,
        }


class FaultRegistry:
    """Armed faults, consumed in the order they were added (thread-safe)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self, endpoint: str, kind: str, times: int | None = 1, **params: Any
    ) -> None:
        """Arm a fault for the next ``times`` requests to ``endpoint``.

        Raises:
            ValueError: unknown endpoint or kind, a parameter the kind does
                not take, a missing ``seconds``, or a bad ``times``.
        """
        if endpoint not in ENDPOINTS:
            raise ValueError(
                f"unknown endpoint {endpoint!r}; one of {', '.join(ENDPOINTS)}"
            )
        if kind not in _PARAMETERS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(KINDS)}")
        unexpected = set(params) - _PARAMETERS[kind]
        if unexpected:
            raise ValueError(f"{kind} takes no {', '.join(sorted(unexpected))}")
        if kind in ("delay", "stall"):
            seconds = params.get("seconds")
            if not isinstance(seconds, int | float) or seconds < 0:
                raise ValueError(f"{kind} needs seconds= (a number >= 0)")
        if kind == "status":
            status = params.setdefault("status", 503)
            if not isinstance(status, int) or not 100 <= status <= 599:
                raise ValueError("status must be an HTTP status code")
        if times is not None and (not isinstance(times, int) or times < 1):
            raise ValueError("times must be a positive integer or None")
        with self._lock:
            self._faults.append(Fault(endpoint, kind, times, params))

    def clear(self) -> None:
        """Disarm every fault."""
        with self._lock:
            self._faults.clear()

    def armed(self) -> list[dict[str, Any]]:
        with self._lock:
            return [fault.describe() for fault in self._faults]

    def take(self, endpoint: str) -> Fault | None:
        """The fault that hits this request, if any (counting it down)."""
        with self._lock:
            for fault in self._faults:
                if fault.endpoint != endpoint:
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                return fault
        return None


class ConnectionRegistry:
    """Open server connections by client address, so a fault can cut one."""

    def __init__(self) -> None:
        self._transports: dict[tuple[str, int], asyncio.BaseTransport] = {}
        self._lock = threading.Lock()

    def add(self, client: tuple[str, int], transport: asyncio.BaseTransport) -> None:
        with self._lock:
            self._transports[client] = transport

    def discard(self, client: tuple[str, int]) -> None:
        with self._lock:
            self._transports.pop(client, None)

    def abort(self, client: object) -> bool:
        """Reset the connection of ``client``; ``False`` if it is not known."""
        if not isinstance(client, tuple | list) or len(client) != 2:
            return False
        with self._lock:
            transport = self._transports.get((str(client[0]), int(client[1])))
        if transport is None:
            return False
        if isinstance(transport, asyncio.Transport | asyncio.WriteTransport):
            transport.abort()
        else:
            transport.close()
        return True


@dataclass
class _Captured:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class FaultMiddleware:
    """Records every request, then applies the fault armed for its route."""

    def __init__(self, app: ASGIApp, state: EmulatorState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        headers = {
            key.decode("latin-1"): value.decode("latin-1")
            for key, value in scope["headers"]
        }
        self.state.record_request(method, path, headers)
        name = endpoint_name(method, path)
        fault = self.state.faults.take(name) if name else None
        if fault is None:
            await self.app(scope, receive, send)
        else:
            await self._inject(fault, scope, receive, send)

    async def _inject(
        self, fault: Fault, scope: Scope, receive: Receive, send: Send
    ) -> None:
        kind, params = fault.kind, fault.params
        if kind == "delay":
            await asyncio.sleep(params["seconds"])
            await self.app(scope, receive, send)
        elif kind == "drop":
            await self._drop(scope, receive)
        elif kind == "html502":
            await _answer(
                send, 502, [(b"content-type", b"text/html")], BAD_GATEWAY_PAGE
            )
        elif kind == "status":
            await _answer(send, *_status_answer(params))
        else:
            answer = await self._capture(scope, receive)
            if kind == "drop_after_commit":
                await self._drop(scope, receive)
            elif kind == "stall":
                await _stall(send, receive, answer, params["seconds"])
            else:
                _rewrite(kind, answer)
                await _answer(send, answer.status, answer.headers, answer.body)

    async def _capture(self, scope: Scope, receive: Receive) -> _Captured:
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, keep)
        start = next(m for m in messages if m["type"] == "http.response.start")
        body = b"".join(
            m.get("body", b"") for m in messages if m["type"] == "http.response.body"
        )
        return _Captured(start["status"], list(start.get("headers", [])), body)

    async def _drop(self, scope: Scope, receive: Receive) -> None:
        if not self.state.connections.abort(scope.get("client")):
            raise ConnectionDropped("the emulator dropped this request's connection")
        # Wait until the server has noticed, so it writes nothing afterwards.
        async with asyncio.timeout(5):
            while (await receive())["type"] != "http.disconnect":
                pass


def _status_answer(
    params: dict[str, Any],
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    status: int = params["status"]
    headers: list[tuple[bytes, bytes]] = []
    if params.get("retry_after") is not None:
        headers.append((b"retry-after", str(params["retry_after"]).encode("latin-1")))
    body = params.get("body")
    if isinstance(body, str):
        headers.append((b"content-type", b"text/plain; charset=utf-8"))
        return status, headers, body.encode()
    if body is None:
        code = "rate_limited" if status == 429 else "server_error"
        body = {"error": code, "message": f"Injected HTTP {status}."}
    headers.append((b"content-type", b"application/json"))
    return status, headers, json.dumps(body).encode()


def _rewrite(kind: str, answer: _Captured) -> None:
    if kind == "truncated_json":
        answer.body = answer.body[: len(answer.body) // 2]
    elif kind == "no_set_cookie":
        answer.headers = [
            (k, v) for k, v in answer.headers if k.lower() != b"set-cookie"
        ]
    elif kind == "malformed_jwt":
        try:
            document = json.loads(answer.body)
        except ValueError:
            return
        if isinstance(document, dict):
            for key in ("accessToken", "id_token"):
                if key in document:
                    document[key] = MALFORMED_JWT
            answer.body = json.dumps(document).encode()


async def _answer(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _stall(
    send: Send, receive: Receive, answer: _Captured, seconds: float
) -> None:
    half = len(answer.body) // 2
    await send(
        {
            "type": "http.response.start",
            "status": answer.status,
            "headers": answer.headers,
        }
    )
    await send(
        {"type": "http.response.body", "body": answer.body[:half], "more_body": True}
    )
    # A client that gives up (its read timeout) ends the stall early.
    try:
        async with asyncio.timeout(seconds):
            while (await receive())["type"] != "http.disconnect":
                pass
        return
    except TimeoutError:
        pass
    await send(
        {"type": "http.response.body", "body": answer.body[half:], "more_body": False}
    )
