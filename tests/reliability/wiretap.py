"""Every secret that crosses the wire between a7desktop and the emulator.

:class:`Wiretap` wraps the emulator's ASGI app and reads each request and
answer: the password and app password sent to sign in, the ID token sent to
``googleauth``, the access tokens and refresh cookies the server hands out
and gets back, the new app password's token, the MCP key, and at the Google
stand-in the authorization code (in the redirect), the PKCE verifier and the
ID token. The secret-hygiene tests then search the program's files, logs,
output and process arguments for every one of them: a planted marker is
only one of many values looked for.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

# Shorter values are names and flags, not secrets (the log filter agrees).
MIN_SECRET = 8

_REQUEST_FIELDS = {
    "password": "password",
    "token": "sign-in token",
    "code": "OAuth code",
    "code_verifier": "PKCE verifier",
}
_ANSWER_FIELDS = {
    "accessToken": "access token",
    "token": "app password",
    "id_token": "ID token",
    "access_token": "Google access token",
}
_COOKIE = re.compile(r"refreshToken=([^;\s]+)")


class Wiretap:
    """An ASGI middleware that collects secrets, by kind, from both directions."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._lock = threading.Lock()
        self.secrets: dict[str, str] = {}

    def keep(self, value: object, kind: str) -> None:
        """Remember ``value`` (if it is long enough to be a secret)."""
        if isinstance(value, str) and len(value) >= MIN_SECRET:
            with self._lock:
                self.secrets.setdefault(value, kind)

    def of_kind(self, kind: str) -> list[str]:
        with self._lock:
            return [value for value, k in self.secrets.items() if k == kind]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent_body: list[bytes] = []
        answer: dict[str, Any] = {"headers": [], "body": []}

        async def tapped_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                sent_body.append(message.get("body", b""))
            return message

        async def tapped_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                answer["body"].append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, tapped_receive, tapped_send)
        finally:
            self._read_request(scope, b"".join(sent_body))
            self._read_answer(answer["headers"], b"".join(answer["body"]))

    def _read_request(self, scope: Scope, body: bytes) -> None:
        for name, raw in scope.get("headers", []):
            value = raw.decode("latin-1")
            if name == b"authorization" and value.startswith("Bearer "):
                self.keep(value.removeprefix("Bearer "), "bearer credential")
            elif name == b"cookie":
                for token in _COOKIE.findall(value):
                    self.keep(token, "refresh token")
            elif name == b"x-api-key":
                self.keep(value, "MCP key")
        self._read_fields(_decode(body), _REQUEST_FIELDS)

    def _read_answer(self, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        for name, raw in headers:
            value = raw.decode("latin-1")
            if name == b"set-cookie":
                for token in _COOKIE.findall(value):
                    self.keep(token, "refresh token")
            elif name == b"location":
                query = parse_qs(urlsplit(value).query)
                for code in query.get("code", []):
                    self.keep(code, "OAuth code")
        self._read_fields(_decode(body), _ANSWER_FIELDS)

    def _read_fields(self, fields: dict[str, Any], wanted: dict[str, str]) -> None:
        for key, kind in wanted.items():
            self.keep(fields.get(key), kind)


def _decode(body: bytes) -> dict[str, Any]:
    """A JSON object or a form as a dict; anything else as nothing."""
    if not body:
        return {}
    try:
        data = json.loads(body)
    except ValueError:
        form = parse_qs(body.decode("latin-1"))
        return {key: values[0] for key, values in form.items() if values}
    return data if isinstance(data, dict) else {}
