"""Profiles, settings files, the policy file and which server is used."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from a7desktop.core.config import (
    DEFAULT_SERVER,
    ProfileSettings,
    config_path,
    load_settings,
    resolve_profile,
    save_settings,
    validate_server_url,
)
from a7desktop.core.errors import ConfigError, InsecureServer, PolicyDenied, UsageError
from a7desktop.core.policy import load_policy

pytestmark = pytest.mark.usefixtures("a7home", "no_policy")


def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, **extra}


def write_policy(path: Path, data: object) -> None:
    path.write_text(json.dumps(data), encoding="utf-8")


def test_default_profile_uses_the_public_server() -> None:
    profile = resolve_profile()
    assert profile.name == "default"
    assert profile.server == DEFAULT_SERVER
    assert profile.server_source == "default"
    assert profile.refresh_lead_seconds == 300.0
    assert profile.mcp_url == "https://api.agent700.ai/mcp"


def test_server_precedence_option_over_env_over_profile() -> None:
    save_settings("work", ProfileSettings(server="https://profile.example/api"))
    env = environment(AGENT700_API_URL="https://env.example/api/")

    assert resolve_profile("work").server == "https://profile.example/api"
    assert resolve_profile("work", env=env).server == "https://env.example/api"
    chosen = resolve_profile("work", "https://option.example/api", env=env)
    assert chosen.server == "https://option.example/api"
    assert chosen.server_source == "option"


def test_policy_server_pins_and_overrides_the_profile(no_policy: Path) -> None:
    write_policy(no_policy, {"server": "https://corp.example/api"})
    save_settings("default", ProfileSettings(server="https://mine.example/api"))

    profile = resolve_profile()
    assert profile.server == "https://corp.example/api"
    assert profile.server_source == "policy"
    assert resolve_profile("default", "https://corp.example/api/").server == (
        "https://corp.example/api"
    )


@pytest.mark.parametrize(
    ("option", "env"),
    [
        ("https://other.example/api", {}),
        (None, {"AGENT700_API_URL": "https://x.example"}),
    ],
)
def test_policy_pin_refuses_an_explicit_other_server(
    no_policy: Path, option: str | None, env: dict[str, str]
) -> None:
    write_policy(no_policy, {"server": "https://corp.example/api"})
    with pytest.raises(PolicyDenied, match="policy pins the server") as caught:
        resolve_profile("default", option, env=environment(**env))
    assert caught.value.exit_code == 2


def test_policy_lead_time_and_clipboard_win_over_settings(no_policy: Path) -> None:
    write_policy(
        no_policy, {"refresh_lead_seconds": 600, "clipboard_timeout_seconds": 5}
    )
    save_settings("default", ProfileSettings(refresh_lead_seconds=60.0))
    profile = resolve_profile()
    assert profile.refresh_lead_seconds == 600
    assert profile.clipboard_timeout_seconds == 5


def test_policy_limits_sign_in_methods(no_policy: Path) -> None:
    write_policy(no_policy, {"allowed_methods": ["app_password"]})
    policy = load_policy()
    assert policy.allows("app_password")
    assert not policy.allows("password")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"allowed_methods": ["password", "sms"]}), "allowed_methods"),
        (json.dumps({"refresh_lead_seconds": "soon"}), "refresh_lead_seconds"),
        (json.dumps({"server": "http://corp.example/api"}), "unencrypted"),
        (json.dumps(["a list"]), "not a JSON object"),
    ],
)
def test_a_malformed_policy_is_a_clear_error(
    no_policy: Path, content: str, message: str
) -> None:
    no_policy.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        resolve_profile()


def test_unknown_policy_keys_are_ignored(no_policy: Path) -> None:
    write_policy(no_policy, {"future_setting": True, "refresh_lead_seconds": 120})
    assert load_policy().refresh_lead_seconds == 120


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/api",
        "ftp://example.com",
        "https://user:pw@example.com/api",
        "https://example.com/api?x=1",
        "not a url",
        "http://10.0.0.1/api",
    ],
)
def test_unsafe_server_urls_are_refused(url: str) -> None:
    with pytest.raises(InsecureServer):
        validate_server_url(url)


@pytest.mark.parametrize(
    ("url", "normalized"),
    [
        ("https://api.agent700.ai/api/", "https://api.agent700.ai/api"),
        ("http://127.0.0.1:8700/api", "http://127.0.0.1:8700/api"),
        ("http://[::1]:8700/api", "http://[::1]:8700/api"),
        ("http://localhost:8700/api", "http://localhost:8700/api"),
        ("HTTPS://Example.COM", "https://example.com"),
    ],
)
def test_https_anywhere_and_http_on_loopback_are_accepted(
    url: str, normalized: str
) -> None:
    assert validate_server_url(url) == normalized


def test_insecure_server_from_the_environment_is_refused() -> None:
    with pytest.raises(InsecureServer):
        resolve_profile(env=environment(AGENT700_API_URL="http://api.example.com/api"))


@pytest.mark.parametrize("name", ["", "..", ".", "a/b", "x" * 65, "naïve", "two words"])
def test_bad_profile_names_are_refused(name: str) -> None:
    with pytest.raises(UsageError, match="profile name"):
        resolve_profile(name)


def test_profiles_have_separate_state_and_lock_files() -> None:
    work, home = resolve_profile("work"), resolve_profile("home.2")
    assert work.state_dir != home.state_dir
    assert work.lock_path.parent == work.state_dir
    assert work.audit_path == home.audit_path


def test_settings_round_trip_and_keep_other_profiles() -> None:
    save_settings(
        "a", ProfileSettings(screen_resolution="2560x1440", timezone_offset=-60)
    )
    save_settings("b", ProfileSettings(close_to_tray=False))
    save_settings(
        "a", ProfileSettings(screen_resolution="1280x800", timezone_offset=-60)
    )

    assert load_settings("a").screen_resolution == "1280x800"
    assert load_settings("a").timezone_offset == -60
    assert load_settings("b").close_to_tray is False
    assert load_settings("missing") == ProfileSettings()
    data = json.loads(config_path().read_text())
    assert set(data["profiles"]) == {"a", "b"}
    assert not list(config_path().parent.glob(".config-*")), (
        "temporary file left behind"
    )


def test_a_corrupt_settings_file_is_reported_and_not_overwritten() -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{broken", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_settings("default")
    with pytest.raises(ConfigError):
        save_settings("default", ProfileSettings())
    assert path.read_text() == "{broken"


@pytest.mark.parametrize(
    "entry",
    [
        {"screen_resolution": "big"},
        {"timezone_offset": 5000},
        {"close_to_tray": "yes"},
        {"refresh_lead_seconds": -1},
    ],
)
def test_wrong_setting_values_are_reported(entry: dict[str, object]) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"profiles": {"default": entry}}), encoding="utf-8")
    with pytest.raises(ConfigError, match=next(iter(entry))):
        load_settings("default")


def test_mcp_url_setting_and_environment() -> None:
    save_settings("m", ProfileSettings(mcp_url="https://mcp.example/mcp"))
    assert resolve_profile("m").mcp_url == "https://mcp.example/mcp"
    env = environment(A7DESKTOP_MCP_URL="http://127.0.0.1:9000/mcp")
    assert resolve_profile("other", env=env).mcp_url == "http://127.0.0.1:9000/mcp"
