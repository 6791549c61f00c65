"""Injected faults, in-process. Socket-level faults are in test_emulator_server."""

from __future__ import annotations

import json

import httpx
import jwt
import pytest
from emulator_helpers import Api, cookie_token

from a7desktop.emulator import ConnectionDropped, EmulatorState
from a7desktop.emulator.faults import ENDPOINTS, endpoint_name


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_every_endpoint_name_maps_back_from_its_route(name: str) -> None:
    method, path = ENDPOINTS[name]
    if name == "app-passwords-delete":
        path += "some-id"

    assert endpoint_name(method, path) == name


def test_other_routes_have_no_endpoint_name() -> None:
    assert endpoint_name("GET", "/__emulator__/events") is None
    assert endpoint_name("GET", "/api/auth/login") is None
    assert endpoint_name("DELETE", "/api/auth/app-passwords/") is None


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("nowhere", "drop"), {}),
        (("login", "explode"), {}),
        (("login", "delay"), {}),
        (("login", "delay"), {"seconds": -1}),
        (("login", "drop"), {"seconds": 1}),
        (("login", "status"), {"status": 99}),
        (("login", "drop"), {"times": 0}),
    ],
    ids=["endpoint", "kind", "no-seconds", "negative", "extra", "status", "times"],
)
def test_bad_faults_are_refused(
    state: EmulatorState, args: tuple[str, str], kwargs: dict[str, object]
) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - every message differs
        state.faults.add(*args, **kwargs)  # type: ignore[arg-type]


async def test_html502_answers_html_without_doing_the_work(
    api: Api, state: EmulatorState
) -> None:
    state.faults.add("login", "html502")

    response = await api.login()

    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "<html>" in response.text
    assert not state.events


async def test_a_fault_hits_times_requests_then_disarms(
    api: Api, state: EmulatorState
) -> None:
    state.faults.add("heartbeat", "html502", times=2)

    statuses = [
        (await api.client.get("/api/auth/heartbeat")).status_code for _ in range(3)
    ]

    assert statuses == [502, 502, 200]
    assert state.faults.armed() == []


async def test_times_none_lasts_until_cleared(api: Api, state: EmulatorState) -> None:
    state.faults.add("heartbeat", "status", times=None, status=500)
    for _ in range(4):
        assert (await api.client.get("/api/auth/heartbeat")).status_code == 500

    state.faults.clear()

    assert (await api.client.get("/api/auth/heartbeat")).status_code == 200


async def test_faults_hit_only_their_endpoint(api: Api, state: EmulatorState) -> None:
    state.faults.add("refresh", "html502")

    assert (await api.login()).status_code == 200
    assert state.faults.armed()[0]["endpoint"] == "refresh"


async def test_truncated_json_does_the_work_and_cuts_the_body(
    api: Api, state: EmulatorState
) -> None:
    state.faults.add("login", "truncated_json")

    response = await api.login()

    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert int(response.headers["content-length"]) == len(response.content)
    assert state.events[-1].name == "user_login"


async def test_no_set_cookie_rotates_but_hides_the_new_token(
    api: Api, state: EmulatorState
) -> None:
    _, token = await api.session()
    state.faults.add("refresh", "no_set_cookie")

    response = await api.refresh(token)

    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert state.refresh_log[-1].outcome == "rotated"
    assert (await api.refresh(token)).json()["error"] == "refresh_token_reused"


async def test_malformed_jwt_replaces_the_access_token(
    api: Api, state: EmulatorState
) -> None:
    state.faults.add("login", "malformed_jwt")

    response = await api.login()

    assert response.status_code == 200
    assert cookie_token(response)
    with pytest.raises(jwt.DecodeError):
        jwt.decode(response.json()["accessToken"], options={"verify_signature": False})


async def test_status_with_retry_after_seconds(api: Api, state: EmulatorState) -> None:
    state.faults.add("refresh", "status", status=429, retry_after=7)

    response = await api.refresh("whatever")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json()["error"] == "rate_limited"
    assert not state.refresh_log


async def test_status_with_an_http_date_and_a_text_body(
    api: Api, state: EmulatorState
) -> None:
    date = "Wed, 21 Oct 2037 07:28:00 GMT"
    state.faults.add("heartbeat", "status", status=503, retry_after=date, body="down")

    response = await api.client.get("/api/auth/heartbeat")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == date
    assert response.text == "down"


async def test_status_with_a_json_body(api: Api, state: EmulatorState) -> None:
    state.faults.add("agents", "status", status=500, body={"oops": True})

    response = await api.client.get("/api/agents")

    assert response.json() == {"oops": True}


async def test_delay_still_answers(api: Api, state: EmulatorState) -> None:
    state.faults.add("heartbeat", "delay", seconds=0.01)

    response = await api.client.get("/api/auth/heartbeat")

    assert response.status_code == 200


async def test_in_process_drop_raises_connection_dropped(
    api: Api, state: EmulatorState
) -> None:
    _, token = await api.session()
    state.faults.add("refresh", "drop_after_commit")

    with pytest.raises(ConnectionDropped):
        await api.refresh(token)

    assert state.refresh_log[-1].outcome == "rotated"


async def test_google_token_endpoint_can_be_faulted(
    client: httpx.AsyncClient, state: EmulatorState
) -> None:
    state.faults.add("google-token", "html502")

    response = await client.post("/google/token", content=b"")

    assert response.status_code == 502
