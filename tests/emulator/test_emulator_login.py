"""Sign-in answers, access tokens and the unauthenticated endpoints."""

from __future__ import annotations

import re

import httpx
import jwt
import pytest
from emulator_helpers import DEVICE, Api, claims

from a7desktop.emulator import DEMO_EMAIL, EmulatorConfig, EmulatorState


async def test_login_answers_the_guides_fields_and_a_refresh_cookie(api: Api) -> None:
    response = await api.login()

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "email",
        "accessToken",
        "expiresIn",
        "organizationsRoles",
        "defaultOrganization",
    }
    assert body["email"] == DEMO_EMAIL
    assert body["expiresIn"] == 28800
    (organization,) = body["organizationsRoles"]
    assert organization["name"] == "Public"
    assert organization["role"] == "consumer"
    assert body["defaultOrganization"] == {
        "id": organization["id"],
        "name": "Public",
    }
    (cookie,) = response.headers.get_list("set-cookie")
    attributes = [part.strip() for part in cookie.split(";")]
    assert attributes[0].startswith("refreshToken=")
    assert len(attributes[0]) > 40
    assert {"HttpOnly", "Secure", "SameSite=Strict", "Path=/api/auth"} <= set(
        attributes
    )
    assert any(re.fullmatch(r"Max-Age=\d+", a) for a in attributes)


async def test_access_token_is_hs256_with_the_guides_claims(api: Api) -> None:
    response = await api.login()
    token = response.json()["accessToken"]

    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    payload = claims(token)
    assert {"sub", "exp", "iat", "auth_type", "app_password_id", "email", "jti"} <= set(
        payload
    )
    assert payload["auth_type"] == "password"
    assert payload["app_password_id"] is None
    assert payload["email"] == DEMO_EMAIL
    assert payload["exp"] - payload["iat"] == 28800


@pytest.mark.parametrize(
    "config", [EmulatorConfig(login_ttl=90, refresh_ttl=45)], ids=["short"]
)
async def test_lifetimes_are_settable_in_seconds(api: Api) -> None:
    access, refresh_token = await api.session()
    refreshed = await api.refresh(refresh_token)

    assert claims(access)["exp"] - claims(access)["iat"] == 90
    assert refreshed.json()["expiresIn"] == 45


async def test_wrong_password_and_unknown_user_are_invalid_credentials(
    api: Api,
) -> None:
    wrong = await api.login(password="not-the-password")
    unknown = await api.login(email="nobody@example.com")

    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_credentials"
        assert response.json()["message"]
        assert "set-cookie" not in response.headers


async def test_email_is_matched_without_regard_to_case(api: Api) -> None:
    response = await api.login(email=DEMO_EMAIL.upper())

    assert response.status_code == 200


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"email": "demo@agent700.example"}',
        b'{"email": 5, "password": "x"}',
    ],
    ids=["empty", "not-json", "list", "no-password", "number"],
)
async def test_malformed_login_bodies_are_bad_request(
    client: httpx.AsyncClient, content: bytes
) -> None:
    response = await client.post(
        "/api/auth/login", content=content, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


async def test_added_user_signs_in_with_their_organization(
    api: Api, state: EmulatorState
) -> None:
    state.add_user("alice@example.com", "CorrectHorse1!", "Acme", "admin")

    response = await api.login(email="alice@example.com", password="CorrectHorse1!")

    assert response.status_code == 200
    assert response.json()["organizationsRoles"][0]["name"] == "Acme"
    assert response.json()["organizationsRoles"][0]["role"] == "admin"


@pytest.mark.parametrize(
    "config",
    [EmulatorConfig(users=[("bob@example.com", "Tr0ub4dor&3")], seed_demo=False)],
    ids=["seeded"],
)
async def test_config_seeds_users_and_can_leave_out_the_demo(api: Api) -> None:
    assert (await api.login("bob@example.com", "Tr0ub4dor&3")).status_code == 200
    assert (await api.login()).status_code == 401


async def test_login_records_a_user_login_event(api: Api, state: EmulatorState) -> None:
    await api.login()

    (event,) = state.events
    assert event.name == "user_login"
    assert event.email == DEMO_EMAIL


async def test_heartbeat_needs_no_authentication(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/auth/heartbeat")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", response.json()["time"])


async def test_heartbeat_time_follows_the_server_clock(
    client: httpx.AsyncClient, state: EmulatorState
) -> None:
    state.clock.set_offset(-10 * 365 * 86400)

    response = await client.get("/api/auth/heartbeat")

    assert int(response.json()["time"][:4]) < 2020


async def test_agents_accepts_the_access_token(api: Api) -> None:
    access, _ = await api.session()

    response = await api.agents(access)

    assert response.status_code == 200
    assert all({"id", "name"} <= set(agent) for agent in response.json())


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Basic abc", "Bearer not-a-token", "Bearer eyJ.e30.sig"],
)
async def test_agents_without_a_valid_token_is_token_invalid(
    client: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    response = await client.get("/api/agents", headers=headers)

    assert response.status_code == 401
    assert response.json()["error"] == "token_invalid"


async def test_token_from_another_emulator_is_token_invalid(api: Api) -> None:
    from a7desktop.emulator import create_app

    other = create_app()
    transport = httpx.ASGITransport(app=other)
    async with httpx.AsyncClient(transport=transport, base_url="http://o") as client:
        foreign = Api(client, other.state.emulator)
        access, _ = await foreign.session()

    response = await api.agents(access)

    assert response.json()["error"] == "token_invalid"


async def test_access_token_expires_on_the_server_clock(
    api: Api, state: EmulatorState
) -> None:
    access, _ = await api.session()
    state.clock.advance(28800 - 5)
    assert (await api.agents(access)).status_code == 200

    state.clock.advance(10)
    response = await api.agents(access)

    assert response.status_code == 401
    assert response.json()["error"] == "token_expired"


async def test_mcp_servers_needs_the_configured_api_key(
    client: httpx.AsyncClient, state: EmulatorState
) -> None:
    key = state.config.mcp_api_key

    good = await client.get("/mcp/servers", headers={"X-API-Key": key})
    wrong = await client.get("/mcp/servers", headers={"X-API-Key": key + "x"})
    missing = await client.get("/mcp/servers")

    assert good.status_code == 200
    assert isinstance(good.json()["servers"], list)
    for response in (wrong, missing):
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_api_key"


async def test_unknown_paths_are_json_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/nothing-here")

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


async def test_requests_log_keeps_fingerprint_headers_but_no_secrets(
    api: Api, state: EmulatorState
) -> None:
    _, refresh_token = await api.session()
    await api.refresh(refresh_token)

    login, refresh = state.requests
    assert (login.method, login.path) == ("POST", "/api/auth/login")
    assert refresh.path == "/api/auth/refresh"
    assert refresh.headers == {key.lower(): value for key, value in DEVICE.items()}
    assert refresh_token not in repr(state.requests)
