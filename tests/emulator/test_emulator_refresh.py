"""Refresh-token rotation, reuse detection, expiry, sign-out and revocation."""

from __future__ import annotations

import pytest
from emulator_helpers import Api, claims, cookie_token

from a7desktop.emulator import DEMO_EMAIL, EmulatorConfig, EmulatorState


async def test_refresh_rotates_the_token_and_answers_the_guides_fields(
    api: Api, state: EmulatorState
) -> None:
    _, first = await api.session()

    response = await api.refresh(first)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"accessToken", "expiresIn", "message"}
    assert body["expiresIn"] == 14400
    assert claims(body["accessToken"])["auth_type"] == "password"
    second = cookie_token(response)
    assert second != first
    assert "HttpOnly" in response.headers["set-cookie"]
    assert [a.outcome for a in state.refresh_log] == ["rotated"]
    assert state.events[-1].name == "token_refresh_success"


async def test_each_rotated_token_works_once_in_a_chain(api: Api) -> None:
    _, token = await api.session()

    for _ in range(5):
        response = await api.refresh(token)
        assert response.status_code == 200
        token = cookie_token(response)


async def test_presenting_a_rotated_token_again_kills_the_whole_family(
    api: Api, state: EmulatorState
) -> None:
    access, first = await api.session()
    rotated = await api.refresh(first)
    current, new_access = cookie_token(rotated), rotated.json()["accessToken"]

    replay = await api.refresh(first)

    assert replay.status_code == 401
    assert replay.json()["error"] == "refresh_token_reused"
    after = await api.refresh(current)
    assert after.status_code == 401
    assert after.json()["error"] == "refresh_token_revoked"
    for token in (access, new_access):
        denied = await api.agents(token)
        assert denied.status_code == 401
        assert denied.json()["error"] == "token_revoked"
    assert [a.outcome for a in state.refresh_log] == ["rotated", "reused", "revoked"]
    failures = [e for e in state.events if e.name == "refresh_token_validation_failed"]
    assert [e.detail["reason"] for e in failures] == ["reused", "revoked"]
    assert failures[0].email == DEMO_EMAIL


async def test_reuse_kills_only_that_family(api: Api) -> None:
    _, laptop = await api.session()
    _, desktop = await api.session()
    await api.refresh(laptop)

    await api.refresh(laptop)

    assert (await api.refresh(desktop)).status_code == 200


async def test_refresh_log_ids_are_stable_and_not_the_token(
    api: Api, state: EmulatorState
) -> None:
    _, first = await api.session()
    await api.refresh(first)
    await api.refresh(first)

    rotated, reused = state.refresh_log
    assert rotated.token_id == reused.token_id
    assert rotated.token_id is not None
    assert rotated.token_id not in first
    assert first not in repr(state.refresh_log)


async def test_missing_and_unknown_tokens_are_refused(
    api: Api, state: EmulatorState
) -> None:
    missing = await api.refresh(None)
    unknown = await api.refresh("x" * 43)

    assert missing.status_code == unknown.status_code == 401
    assert missing.json()["error"] == "refresh_token_missing"
    assert unknown.json()["error"] == "refresh_token_invalid"
    assert next((a.token_id, a.outcome) for a in state.refresh_log) == (None, "missing")
    assert state.refresh_log[1].outcome == "unknown"


@pytest.mark.parametrize(
    "config", [EmulatorConfig(refresh_token_ttl=3600)], ids=["one-hour-family"]
)
async def test_a_family_expires_and_rotation_does_not_extend_it(
    api: Api, state: EmulatorState
) -> None:
    _, token = await api.session()
    state.clock.advance(3000)
    token = cookie_token(await api.refresh(token))
    state.clock.advance(601)

    response = await api.refresh(token)

    assert response.status_code == 401
    assert response.json()["error"] == "refresh_token_expired"
    assert state.refresh_log[-1].outcome == "expired"


@pytest.mark.parametrize("config", [EmulatorConfig(reuse_grace=5)], ids=["grace-5s"])
async def test_within_the_grace_window_a_replay_gets_the_current_token(
    api: Api, state: EmulatorState
) -> None:
    _, first = await api.session()
    current = cookie_token(await api.refresh(first))
    state.clock.advance(4)

    replay = await api.refresh(first)

    assert replay.status_code == 200
    assert cookie_token(replay) == current
    assert state.refresh_log[-1].outcome == "grace"
    assert (await api.refresh(current)).status_code == 200


@pytest.mark.parametrize("config", [EmulatorConfig(reuse_grace=5)], ids=["grace-5s"])
async def test_after_the_grace_window_a_replay_is_reuse(
    api: Api, state: EmulatorState
) -> None:
    _, first = await api.session()
    await api.refresh(first)
    state.clock.advance(6)

    replay = await api.refresh(first)

    assert replay.json()["error"] == "refresh_token_reused"


async def test_by_default_there_is_no_grace_at_all(api: Api) -> None:
    _, first = await api.session()
    await api.refresh(first)

    replay = await api.refresh(first)

    assert replay.json()["error"] == "refresh_token_reused"


async def test_logout_revokes_the_family_and_expires_the_cookie(
    api: Api, state: EmulatorState
) -> None:
    access, token = await api.session()

    response = await api.client.post(
        "/api/auth/logout",
        headers={
            "Cookie": f"refreshToken={token}",
            "Authorization": f"Bearer {access}",
        },
    )

    assert response.status_code == 200
    assert response.json()["message"]
    assert state.events[-1].name == "user_logout"
    assert state.events[-1].email == DEMO_EMAIL
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("refreshToken=;")
    assert "Max-Age=0" in cookie
    assert (await api.refresh(token)).json()["error"] == "refresh_token_revoked"
    assert (await api.agents(access)).json()["error"] == "token_revoked"


async def test_logout_with_only_the_cookie_still_kills_its_access_tokens(
    api: Api,
) -> None:
    access, token = await api.session()

    await api.client.post(
        "/api/auth/logout", headers={"Cookie": f"refreshToken={token}"}
    )

    assert (await api.agents(access)).json()["error"] == "token_revoked"


async def test_logout_without_credentials_still_answers_ok(
    api: Api, state: EmulatorState
) -> None:
    response = await api.client.post("/api/auth/logout")

    assert response.status_code == 200
    assert "Max-Age=0" in response.headers["set-cookie"]
    assert not state.events


async def test_revoke_sessions_ends_every_family_and_access_token(
    api: Api, state: EmulatorState
) -> None:
    access_one, one = await api.session()
    access_two, two = await api.session()

    state.revoke_sessions(DEMO_EMAIL)

    for token in (one, two):
        assert (await api.refresh(token)).json()["error"] == "refresh_token_revoked"
    for access in (access_one, access_two):
        assert (await api.agents(access)).json()["error"] == "token_revoked"
    _, fresh = await api.session()
    assert (await api.refresh(fresh)).status_code == 200


async def test_revoke_sessions_leaves_other_users_alone(
    api: Api, state: EmulatorState
) -> None:
    state.add_user("alice@example.com", "CorrectHorse1!")
    access, _ = await api.session(email="alice@example.com", password="CorrectHorse1!")

    state.revoke_sessions(DEMO_EMAIL)

    assert (await api.agents(access)).status_code == 200
