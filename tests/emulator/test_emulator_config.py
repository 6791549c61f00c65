"""Emulator settings: the guide's variables and the defaults."""

from __future__ import annotations

import pytest

from a7desktop.emulator import DEMO_EMAIL, EmulatorConfig, create_app


def test_defaults_are_the_guides_lifetimes_and_limits() -> None:
    config = EmulatorConfig()

    assert (config.login_ttl, config.refresh_ttl, config.app_password_ttl) == (
        28800,
        14400,
        43200,
    )
    assert (config.app_login_limit, config.app_login_window) == (30, 60)
    assert config.reuse_grace == 0
    assert config.auto_approve is False
    assert config.google_client_id == "a7desktop-emulator.apps.googleusercontent.com"


def test_from_env_reads_the_guides_hour_variables() -> None:
    config = EmulatorConfig.from_env(
        {
            "ACCESS_TOKEN_LOGIN_TIMEOUT_HOURS": "1",
            "ACCESS_TOKEN_REFRESH_TIMEOUT_HOURS": "0.5",
            "APP_PASSWORD_JWT_EXPIRY_HOURS": "2",
            "MCP_API_KEY": "key-from-env",
        }
    )

    assert (config.login_ttl, config.refresh_ttl, config.app_password_ttl) == (
        3600,
        1800,
        7200,
    )
    assert config.mcp_api_key == "key-from-env"


def test_from_env_keeps_defaults_and_takes_overrides() -> None:
    config = EmulatorConfig.from_env({}, auto_approve=True)

    assert config.login_ttl == 28800
    assert config.auto_approve is True


@pytest.mark.parametrize("value", ["soon", "0", "-1"])
def test_from_env_refuses_bad_hours(value: str) -> None:
    with pytest.raises(ValueError, match="ACCESS_TOKEN_LOGIN_TIMEOUT_HOURS"):
        EmulatorConfig.from_env({"ACCESS_TOKEN_LOGIN_TIMEOUT_HOURS": value})


def test_mcp_key_defaults_to_the_environment_else_random(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MCP_API_KEY", "from-the-environment")
    assert EmulatorConfig().mcp_api_key == "from-the-environment"

    monkeypatch.delenv("MCP_API_KEY")
    first, second = EmulatorConfig().mcp_api_key, EmulatorConfig().mcp_api_key
    assert len(first) >= 20
    assert first != second


def test_secrets_stay_out_of_the_repr() -> None:
    config = EmulatorConfig(users=[("a@example.com", "hunter2-secret")])

    text = repr(config)

    assert config.mcp_api_key not in text
    assert config.google_client_secret not in text
    assert "hunter2-secret" not in text


def test_the_demo_account_is_seeded() -> None:
    state = create_app().state.emulator

    assert DEMO_EMAIL in state.users
    assert state.users[DEMO_EMAIL].check_password("demo-Agent700!")
