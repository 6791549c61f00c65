"""Small request helpers shared by the API, the provider and the controls."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from a7desktop.emulator.errors import bad_request
from a7desktop.emulator.state import EmulatorState


def emulator_state(request: Request) -> EmulatorState:
    state: EmulatorState = request.app.state.emulator
    return state


async def json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or 400 ``bad_request``."""
    raw = await request.body()
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        raise bad_request("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    return body


def text_field(body: dict[str, Any], name: str) -> str:
    """A required, non-empty string field, or 400 ``bad_request``."""
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise bad_request(f"'{name}' is required and must be a non-empty string.")
    return value


def bearer(request: Request) -> str | None:
    """The credential of an ``Authorization: Bearer …`` header, if any."""
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        return None
    return credential.strip()


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
