"""Helpers shared by the emulator tests (imported by name; not fixtures)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD, EmulatorState

# The fingerprint headers of "this device" in every test.
DEVICE = {
    "User-Agent": "a7desktop-tests/1.0 (Linux; x86_64)",
    "Accept-Language": "en-US",
    "Accept-Encoding": "gzip, deflate",
    "X-Screen-Resolution": "1920x1080",
    "X-Timezone-Offset": "-60",
}


def device(**changes: str) -> dict[str, str]:
    """``DEVICE`` with some headers replaced (keys use ``_`` for ``-``)."""
    headers = dict(DEVICE)
    for key, value in changes.items():
        headers[key.replace("_", "-")] = value
    return headers


def claims(token: str) -> dict[str, Any]:
    """Read a JWT's claims without checking it (tests look, never trust)."""
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def cookie_token(response: httpx.Response) -> str:
    """The refresh token from the response's ``Set-Cookie``."""
    (header,) = response.headers.get_list("set-cookie")
    name, _, rest = header.partition("=")
    assert name == "refreshToken"
    return rest.split(";", 1)[0]


@dataclass
class Api:
    client: httpx.AsyncClient
    state: EmulatorState

    async def login(
        self,
        email: str = DEMO_EMAIL,
        password: str = DEMO_PASSWORD,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        return await self.client.post(
            "/api/auth/login",
            json={"email": email, "password": password},
            headers=DEVICE if headers is None else headers,
        )

    async def session(self, **kwargs: Any) -> tuple[str, str]:
        """Sign in; return (access token, refresh token)."""
        response = await self.login(**kwargs)
        assert response.status_code == 200, response.text
        return response.json()["accessToken"], cookie_token(response)

    async def refresh(
        self, token: str | None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        sent = dict(DEVICE if headers is None else headers)
        if token is not None:
            sent["Cookie"] = f"refreshToken={token}"
        return await self.client.post("/api/auth/refresh", headers=sent)

    async def agents(self, bearer: str) -> httpx.Response:
        return await self.client.get(
            "/api/agents", headers={"Authorization": f"Bearer {bearer}"}
        )

    async def create_app_password(
        self, access: str, name: str = "CI"
    ) -> dict[str, Any]:
        response = await self.client.post(
            "/api/auth/app-passwords",
            json={"name": name, "permissions": {}},
            headers={"Authorization": f"Bearer {access}"},
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def app_login(self, token: str) -> httpx.Response:
        return await self.client.post("/api/auth/app-login", json={"token": token})
