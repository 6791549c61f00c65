"""App passwords: show-once tokens, listing, revocation, rate limit, lockout."""

from __future__ import annotations

import re

import httpx
import pytest
from emulator_helpers import Api, claims

from a7desktop.emulator import DEMO_EMAIL, EmulatorConfig, EmulatorState

TOKEN = re.compile(r"app_a7_[0-9a-f]{32}")


@pytest.fixture
async def access(api: Api) -> str:
    token, _ = await api.session()
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def wrong_secret(token: str) -> str:
    """The same app password id (prefix), a different secret."""
    last = "0" if token[-1] != "0" else "1"
    return token[:-1] + last


async def test_create_answers_the_token_once_with_a_warning(
    api: Api, access: str
) -> None:
    created = await api.create_app_password(access, "My API Integration")

    assert set(created) == {
        "id",
        "name",
        "token",
        "createdAt",
        "expiresAt",
        "isActive",
        "warning",
    }
    assert TOKEN.fullmatch(created["token"])
    assert len(created["token"]) == 39
    assert created["name"] == "My API Integration"
    assert created["isActive"] is True
    assert "only be shown once" in created["warning"]


async def test_list_is_a_bare_list_without_tokens(api: Api, access: str) -> None:
    created = await api.create_app_password(access, "CI")

    response = await api.client.get("/api/auth/app-passwords", headers=bearer(access))

    assert response.status_code == 200
    (listed,) = response.json()
    assert set(listed) == {
        "id",
        "name",
        "createdAt",
        "expiresAt",
        "isActive",
        "lastUsedAt",
    }
    assert listed["id"] == created["id"]
    assert listed["lastUsedAt"] is None
    assert created["token"] not in response.text


async def test_list_shows_only_the_users_own(
    api: Api, access: str, state: EmulatorState
) -> None:
    await api.create_app_password(access, "mine")
    state.add_user("alice@example.com", "CorrectHorse1!")
    alice, _ = await api.session(email="alice@example.com", password="CorrectHorse1!")

    response = await api.client.get("/api/auth/app-passwords", headers=bearer(alice))

    assert response.json() == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 101},
        {"name": "ok", "permissions": []},
    ],
    ids=["no-name", "empty", "blank", "long", "permissions-list"],
)
async def test_create_rejects_bad_bodies(
    api: Api, access: str, body: dict[str, object]
) -> None:
    response = await api.client.post(
        "/api/auth/app-passwords", json=body, headers=bearer(access)
    )

    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


async def test_app_login_answers_the_guides_fields_and_no_cookie(
    api: Api, access: str
) -> None:
    created = await api.create_app_password(access, "Nightly")

    response = await api.app_login(created["token"])

    assert response.status_code == 200
    body = response.json()
    assert body["authType"] == "app_password"
    assert body["appPasswordName"] == "Nightly"
    assert body["email"] == DEMO_EMAIL
    assert body["expiresIn"] == 43200
    assert {"organizationsRoles", "defaultOrganization"} <= set(body)
    assert "set-cookie" not in response.headers
    payload = claims(body["accessToken"])
    assert payload["auth_type"] == "app_password"
    assert payload["app_password_id"] == created["id"]
    assert payload["exp"] - payload["iat"] == 43200


async def test_use_updates_last_used(api: Api, access: str) -> None:
    created = await api.create_app_password(access)
    await api.app_login(created["token"])

    response = await api.client.get("/api/auth/app-passwords", headers=bearer(access))

    assert response.json()[0]["lastUsedAt"] is not None


async def test_an_app_password_works_directly_as_bearer(
    api: Api, access: str, state: EmulatorState
) -> None:
    created = await api.create_app_password(access)

    response = await api.agents(created["token"])

    assert response.status_code == 200
    assert state.events[-1].name == "app_password_auth_success"


async def test_revoking_kills_bearer_use_and_the_jwts_obtained_from_it(
    api: Api, access: str
) -> None:
    created = await api.create_app_password(access)
    jwt_from_it = (await api.app_login(created["token"])).json()["accessToken"]

    deleted = await api.client.delete(
        f"/api/auth/app-passwords/{created['id']}", headers=bearer(access)
    )

    assert deleted.status_code == 200
    assert deleted.json()["message"]
    direct = await api.agents(created["token"])
    assert direct.status_code == 401
    assert direct.json()["error"] == "invalid_app_password"
    assert "revoked" in direct.json()["message"]
    assert (await api.agents(jwt_from_it)).json()["error"] == "token_revoked"
    login = await api.app_login(created["token"])
    assert login.json()["error"] == "invalid_app_password"
    listing = await api.client.get("/api/auth/app-passwords", headers=bearer(access))
    assert listing.json() == []


async def test_deleting_unknown_or_someone_elses_is_not_found(
    api: Api, access: str, state: EmulatorState
) -> None:
    created = await api.create_app_password(access)
    state.add_user("alice@example.com", "CorrectHorse1!")
    alice, _ = await api.session(email="alice@example.com", password="CorrectHorse1!")

    for who, password_id in ((access, "no-such-id"), (alice, created["id"])):
        response = await api.client.delete(
            f"/api/auth/app-passwords/{password_id}", headers=bearer(who)
        )
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"
    assert (await api.agents(created["token"])).status_code == 200


async def test_app_password_credentials_cannot_manage_app_passwords(
    api: Api, access: str
) -> None:
    created = await api.create_app_password(access)
    derived = (await api.app_login(created["token"])).json()["accessToken"]

    for credential in (created["token"], derived):
        listing = await api.client.get(
            "/api/auth/app-passwords", headers=bearer(credential)
        )
        creating = await api.client.post(
            "/api/auth/app-passwords", json={"name": "x"}, headers=bearer(credential)
        )
        for response in (listing, creating):
            assert response.status_code == 403
            assert response.json()["error"] == "forbidden"


async def test_management_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/auth/app-passwords")

    assert response.status_code == 401
    assert response.json()["error"] == "token_invalid"


@pytest.mark.parametrize(
    "token",
    ["app_a7_" + "0" * 32, "app_a7_" + "G" * 32, "app_a7_short", "not-an-app-password"],
    ids=["unknown", "not-hex", "short", "other"],
)
async def test_bad_app_passwords_are_invalid(
    api: Api, state: EmulatorState, token: str
) -> None:
    response = await api.app_login(token)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_app_password"
    assert state.events[-1].name == "app_password_auth_failed"


@pytest.mark.parametrize(
    "config", [EmulatorConfig(app_password_lifetime=3600)], ids=["one-hour"]
)
async def test_an_expired_app_password_is_refused_and_listed_inactive(
    api: Api, access: str, state: EmulatorState
) -> None:
    created = await api.create_app_password(access)
    state.clock.advance(3601)
    access, _ = await api.session()

    response = await api.app_login(created["token"])

    assert response.json()["error"] == "invalid_app_password"
    assert "expired" in response.json()["message"]
    listing = await api.client.get("/api/auth/app-passwords", headers=bearer(access))
    assert listing.json()[0]["isActive"] is False


async def test_the_31st_app_login_in_a_minute_is_rate_limited(
    api: Api, access: str, state: EmulatorState
) -> None:
    token = (await api.create_app_password(access))["token"]
    for _ in range(30):
        assert (await api.app_login(token)).status_code == 200

    limited = await api.app_login(token)

    assert limited.status_code == 429
    assert limited.json()["error"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    state.clock.advance(61)
    assert (await api.app_login(token)).status_code == 200


async def test_failed_attempts_and_bearer_use_count_toward_the_limit(
    api: Api, access: str
) -> None:
    token = (await api.create_app_password(access))["token"]
    for _ in range(10):
        await api.app_login("app_a7_" + "0" * 32)
    for _ in range(20):
        await api.agents(token)

    limited = await api.agents(token)

    assert limited.status_code == 429
    assert "Retry-After" in limited.headers


async def test_retry_after_counts_down_to_the_oldest_attempt_leaving_the_window(
    api: Api, access: str, state: EmulatorState
) -> None:
    token = (await api.create_app_password(access))["token"]
    await api.app_login(token)
    state.clock.advance(40)
    for _ in range(29):
        await api.app_login(token)

    limited = await api.app_login(token)

    assert int(limited.headers["Retry-After"]) == 20


@pytest.mark.parametrize(
    "config",
    [EmulatorConfig(lockout_threshold=3, lockout_seconds=120)],
    ids=["three-strikes"],
)
async def test_repeated_wrong_secrets_lock_the_app_password(
    api: Api, access: str, state: EmulatorState
) -> None:
    token = (await api.create_app_password(access))["token"]
    for _ in range(3):
        failed = await api.app_login(wrong_secret(token))
        assert failed.json()["error"] == "invalid_app_password"

    locked = await api.app_login(token)

    assert locked.status_code == 429
    assert locked.json()["error"] == "locked_out"
    assert int(locked.headers["Retry-After"]) == 120
    assert (await api.agents(token)).json()["error"] == "locked_out"
    state.clock.advance(121)
    assert (await api.app_login(token)).status_code == 200


@pytest.mark.parametrize(
    "config",
    [EmulatorConfig(lockout_threshold=3, lockout_seconds=120)],
    ids=["three-strikes"],
)
async def test_a_success_clears_the_failures(api: Api, access: str) -> None:
    token = (await api.create_app_password(access))["token"]
    for _ in range(2):
        await api.app_login(wrong_secret(token))
    await api.app_login(token)
    for _ in range(2):
        await api.app_login(wrong_secret(token))

    assert (await api.app_login(token)).status_code == 200


async def test_unknown_app_passwords_lock_nothing(api: Api, access: str) -> None:
    token = (await api.create_app_password(access))["token"]
    for _ in range(10):
        await api.app_login("app_a7_" + "f" * 32)

    assert (await api.app_login(token)).status_code == 200
