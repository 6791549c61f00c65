"""App passwords from the command line: create once, keep, copy, revoke."""

from __future__ import annotations

import json
import re

from cli_helpers import Cli

TOKEN_SHAPE = re.compile(r"^app_a7_[0-9a-f]{32}$")


def _create(cli: Cli, name: str, *extra: str) -> str:
    result = cli.run("app-passwords", "create", name, *extra)
    assert result.returncode == 0, result.stderr
    assert "will not show this token again" in result.stderr
    token = result.stdout.strip()
    assert TOKEN_SHAPE.match(token)
    return token


def _listing(cli: Cli) -> list[dict[str, object]]:
    result = cli.run("app-passwords", "list", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


def test_create_prints_the_token_once_and_keeps_it(cli: Cli) -> None:
    cli.login()

    token = _create(cli, "ci pipeline")

    rows = _listing(cli)
    assert [(row["name"], row["kept"]) for row in rows] == [("ci pipeline", True)]
    assert token not in json.dumps(rows)
    got = cli.run("app-passwords", "get", "ci pipeline")
    assert got.returncode == 0
    assert got.stdout.strip() == token


def test_create_with_no_save_keeps_nothing(cli: Cli) -> None:
    cli.login()

    _create(cli, "throwaway", "--no-save")

    assert [row["kept"] for row in _listing(cli)] == [False]
    got = cli.run("app-passwords", "get", "throwaway")
    assert got.returncode == 1
    assert "no kept app password" in got.stderr


def test_human_listing_has_a_row_per_app_password(cli: Cli) -> None:
    cli.login()
    _create(cli, "first")
    _create(cli, "second", "--no-save")

    result = cli.run("app-passwords", "list")

    lines = result.stdout.strip().splitlines()
    assert lines[0].split() == ["ID", "NAME", "CREATED", "EXPIRES", "STATUS", "KEPT"]
    assert len(lines) == 3
    assert any("first" in line and line.rstrip().endswith("yes") for line in lines)
    assert any("second" in line and line.rstrip().endswith("no") for line in lines)


def test_a_kept_app_password_signs_in_another_profile(cli: Cli) -> None:
    cli.login()
    token = _create(cli, "tool")
    other = Cli(cli.server, cli.profile + "-tool", cli.home)

    result = other.run("login", "--app-password-stdin", input=f"  {token}\n\n")

    assert result.returncode == 0, result.stderr
    status = json.loads(other.run("status", "--json").stdout)
    assert status["auth_type"] == "app_password"
    other.run("logout")


def test_a_malformed_app_password_is_refused_before_any_request(cli: Cli) -> None:
    """R28."""
    seen_before = len(cli.server.state.requests)

    result = cli.run("login", "--app-password-stdin", input="app_a7_not-hex\n")

    assert result.returncode in (1, 2)
    assert "app password" in result.stderr
    assert "not-hex" not in result.stderr
    assert len(cli.server.state.requests) == seen_before


def test_revoke_removes_it_at_the_server_and_from_the_keyring(cli: Cli) -> None:
    cli.login()
    token = _create(cli, "to revoke")

    result = cli.run("app-passwords", "revoke", "to revoke")

    assert result.returncode == 0, result.stderr
    assert "Revoked app password 'to revoke'" in result.stderr
    assert [row["name"] for row in _listing(cli) if row["is_active"]] == []
    other = Cli(cli.server, cli.profile + "-revoked", cli.home)
    refused = other.run("login", "--app-password-stdin", input=token)
    assert refused.returncode == 1
    assert token not in refused.stderr


def test_revoking_an_unknown_name_says_so(cli: Cli) -> None:
    cli.login()

    result = cli.run("app-passwords", "revoke", "nothing like this")

    assert result.returncode == 1
    assert "nothing like this" in result.stderr


def test_app_password_commands_need_a_session(cli: Cli) -> None:
    result = cli.run("app-passwords", "list")

    assert result.returncode == 4
    assert "a7desktop login" in result.stderr


def _app_logins(cli: Cli) -> int:
    return sum(1 for r in cli.server.state.requests if r.path.endswith("/app-login"))


def test_a_rate_limited_app_password_sign_in_says_how_long_to_wait(cli: Cli) -> None:
    """R22, R30: the 429's Retry-After reaches the person; nothing is retried."""
    cli.server.state.faults.add("app-login", "status", status=429, retry_after="42")

    result = cli.run("login", "--app-password-stdin", input="app_a7_" + "0" * 32)

    assert result.returncode == 1
    assert "42 s" in result.stderr or "42 seconds" in result.stderr
    assert _app_logins(cli) == 1


def test_a_refused_app_password_is_not_retried(cli: Cli) -> None:
    """R22: retrying a 401 would walk into the lockout."""
    result = cli.run("login", "--app-password-stdin", input="app_a7_" + "0" * 32)

    assert result.returncode == 1
    assert _app_logins(cli) == 1
