"""The HTTP test controls under /__emulator__/."""

from __future__ import annotations

import time

import httpx
import pytest
from emulator_helpers import Api

from a7desktop.emulator import DEMO_EMAIL, EmulatorState


async def test_clock_advance_and_offset(
    client: httpx.AsyncClient, state: EmulatorState
) -> None:
    before = (await client.get("/__emulator__/clock")).json()

    advanced = await client.post("/__emulator__/clock", json={"advance": 3600})
    offset = await client.post("/__emulator__/clock", json={"offset": -120})

    assert before["offset"] == 0
    assert advanced.json()["offset"] == 3600
    assert offset.json()["offset"] == -120
    assert state.clock.offset == -120


@pytest.mark.parametrize(
    "body", [{}, {"advance": 1, "offset": 2}, {"advance": "soon"}, {"advance": True}]
)
async def test_clock_refuses_bad_bodies(
    client: httpx.AsyncClient, body: object
) -> None:
    response = await client.post("/__emulator__/clock", json=body)

    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


async def test_faults_are_armed_listed_and_cleared(
    client: httpx.AsyncClient, state: EmulatorState
) -> None:
    armed = await client.post(
        "/__emulator__/faults",
        json={
            "endpoint": "refresh",
            "kind": "status",
            "status": 503,
            "retry_after": 2,
            "times": 3,
        },
    )

    assert armed.json()["faults"] == [
        {
            "endpoint": "refresh",
            "kind": "status",
            "times": 3,
            "status": 503,
            "retry_after": 2,
        }
    ]
    assert (await client.post("/api/auth/refresh")).status_code == 503
    assert (await client.get("/__emulator__/faults")).json()["faults"][0]["times"] == 2
    await client.delete("/__emulator__/faults")
    assert state.faults.armed() == []


async def test_a_bad_fault_is_bad_request(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/__emulator__/faults", json={"endpoint": "refresh", "kind": "explode"}
    )

    assert response.status_code == 400
    assert "explode" in response.json()["message"]


async def test_revoke_and_forget_devices(api: Api) -> None:
    access, token = await api.session()

    await api.client.post("/__emulator__/forget-devices", json={"email": DEMO_EMAIL})
    assert (await api.refresh(token)).json()["error"] == "device_limit_reached"
    await api.client.post("/__emulator__/revoke", json={"email": DEMO_EMAIL})
    assert (await api.agents(access)).json()["error"] == "token_revoked"


async def test_users_and_auto_approve(api: Api, state: EmulatorState) -> None:
    created = await api.client.post(
        "/__emulator__/users",
        json={"email": "erin@example.com", "password": "Pa55word!"},
    )
    approve = await api.client.post(
        "/__emulator__/auto-approve", json={"enabled": True}
    )
    bad_user = await api.client.post(
        "/__emulator__/users", json={"email": "no-at-sign", "password": "x"}
    )

    assert created.status_code == 201
    assert (await api.login("erin@example.com", "Pa55word!")).status_code == 200
    assert approve.json() == {"enabled": True}
    assert state.auto_approve is True
    assert bad_user.status_code == 400


async def test_logs_are_readable_over_http(api: Api) -> None:
    _, token = await api.session()
    await api.refresh(token)
    await api.refresh(token)

    events = (await api.client.get("/__emulator__/events")).json()
    refreshes = (await api.client.get("/__emulator__/refresh-log")).json()
    seen = (await api.client.get("/__emulator__/requests")).json()

    assert [e["name"] for e in events] == [
        "user_login",
        "token_refresh_success",
        "refresh_token_validation_failed",
    ]
    assert events[-1]["detail"] == {"reason": "reused"}
    assert [r["outcome"] for r in refreshes] == ["rotated", "reused"]
    assert refreshes[0]["tokenId"] == refreshes[1]["tokenId"]
    assert seen[0]["path"] == "/api/auth/login"
    assert token not in str(seen) + str(refreshes)


def test_the_date_header_follows_the_emulator_clock() -> None:
    """Clients read the server's clock from Date; moving the clock moves it."""
    from email.utils import parsedate_to_datetime

    from a7desktop.emulator import EmulatorServer

    with EmulatorServer() as server, httpx.Client() as client:
        server.state.clock.set_offset(7200)
        response = client.get(f"{server.url}/auth/heartbeat")

    dates = response.headers.get_list("date")
    assert len(dates) == 1
    offset = parsedate_to_datetime(dates[0]).timestamp() - time.time()
    assert 7190 < offset < 7210
