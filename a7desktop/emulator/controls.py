"""HTTP twins of the test controls, under ``/__emulator__/``.

They let a sandbox user (or a test in another process) steer a running
emulator; see the package docstring for the list. Bodies are JSON; a bad
body is 400 ``bad_request``.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from a7desktop.emulator.errors import bad_request
from a7desktop.emulator.web import emulator_state, json_object, text_field


def _number(body: dict[str, Any], name: str) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad_request(f"'{name}' must be a number of seconds.")
    return float(value)


async def clock(request: Request) -> Response:
    state = emulator_state(request)
    if request.method == "POST":
        body = await json_object(request)
        advance, offset = _number(body, "advance"), _number(body, "offset")
        if (advance is None) == (offset is None):
            raise bad_request("Send exactly one of 'advance' or 'offset'.")
        if advance is not None:
            state.clock.advance(advance)
        if offset is not None:
            state.clock.set_offset(offset)
    return JSONResponse({"now": state.clock.now(), "offset": state.clock.offset})


async def faults(request: Request) -> Response:
    state = emulator_state(request)
    if request.method == "POST":
        body = await json_object(request)
        endpoint, kind = text_field(body, "endpoint"), text_field(body, "kind")
        params = {
            k: v for k, v in body.items() if k not in ("endpoint", "kind", "times")
        }
        try:
            state.faults.add(endpoint, kind, body.get("times", 1), **params)
        except ValueError as error:
            raise bad_request(str(error)) from None
    elif request.method == "DELETE":
        state.faults.clear()
    return JSONResponse({"faults": state.faults.armed()})


async def revoke(request: Request) -> Response:
    email = text_field(await json_object(request), "email")
    emulator_state(request).revoke_sessions(email)
    return JSONResponse({"message": f"Sessions of {email} revoked"})


async def forget_devices(request: Request) -> Response:
    email = text_field(await json_object(request), "email")
    emulator_state(request).forget_devices(email)
    return JSONResponse({"message": f"Devices of {email} forgotten"})


async def users(request: Request) -> Response:
    body = await json_object(request)
    try:
        emulator_state(request).add_user(
            text_field(body, "email"),
            text_field(body, "password"),
            str(body.get("organization_name", "Public")),
            str(body.get("role", "consumer")),
        )
    except ValueError as error:
        raise bad_request(str(error)) from None
    return JSONResponse({"message": "User saved"}, status_code=201)


async def auto_approve(request: Request) -> Response:
    enabled = (await json_object(request)).get("enabled")
    if not isinstance(enabled, bool):
        raise bad_request("'enabled' must be true or false.")
    emulator_state(request).set_auto_approve(enabled)
    return JSONResponse({"enabled": enabled})


async def events(request: Request) -> Response:
    return JSONResponse(
        [
            {"name": e.name, "email": e.email, "at": e.at, "detail": dict(e.detail)}
            for e in emulator_state(request).events
        ]
    )


async def refresh_log(request: Request) -> Response:
    return JSONResponse(
        [
            {"tokenId": a.token_id, "outcome": a.outcome, "at": a.at}
            for a in emulator_state(request).refresh_log
        ]
    )


async def requests(request: Request) -> Response:
    return JSONResponse(
        [
            {"method": r.method, "path": r.path, "headers": dict(r.headers)}
            for r in emulator_state(request).requests
        ]
    )


ROUTES = [
    Route("/clock", clock, methods=["GET", "POST"]),
    Route("/faults", faults, methods=["GET", "POST", "DELETE"]),
    Route("/revoke", revoke, methods=["POST"]),
    Route("/forget-devices", forget_devices, methods=["POST"]),
    Route("/users", users, methods=["POST"]),
    Route("/auto-approve", auto_approve, methods=["POST"]),
    Route("/events", events, methods=["GET"]),
    Route("/refresh-log", refresh_log, methods=["GET"]),
    Route("/requests", requests, methods=["GET"]),
]
