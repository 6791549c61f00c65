"""``login``, ``status``, ``token`` and ``logout`` as a person or a tool uses them."""

from __future__ import annotations

import json

from cli_helpers import Cli

from a7desktop.emulator import DEMO_EMAIL


def _status(cli: Cli) -> tuple[int, dict[str, object]]:
    result = cli.run("status", "--json")
    return result.returncode, json.loads(result.stdout)


def test_status_before_sign_in_exits_4_and_says_so(cli: Cli) -> None:
    code, report = _status(cli)

    assert code == 4
    assert report["signed_in"] is False
    assert report["server"] == cli.server.url
    assert report["profile"] == cli.profile

    human = cli.run("status")
    assert human.returncode == 4
    assert "Not signed in" in human.stdout


def test_login_with_password_from_stdin_then_status(cli: Cli) -> None:
    result = cli.login()
    assert f"Signed in to {cli.server.url} as {DEMO_EMAIL}" in result.stderr
    assert result.stdout == ""

    code, report = _status(cli)
    assert code == 0
    assert report["signed_in"] is True
    assert report["email"] == DEMO_EMAIL
    assert report["auth_type"] == "password"
    assert isinstance(report["expires_in"], int)
    assert 28_000 < report["expires_in"] <= 28_800
    assert str(report["expires_at"]).endswith("Z")
    organization = report["organization"]
    assert isinstance(organization, dict)
    assert set(organization) == {"id", "name", "role"}
    storage = report["storage"]
    assert isinstance(storage, dict)
    assert storage["persistent"] is True
    assert "SecretService" in storage["backend"]

    human = cli.run("status")
    assert human.returncode == 0
    assert f"Signed in as {DEMO_EMAIL} with email and password" in human.stdout
    assert "Access token expires in 7h" in human.stdout


def test_wrong_password_is_one_clear_line(cli: Cli) -> None:
    result = cli.run(
        "login", "--email", DEMO_EMAIL, "--password-stdin", input="not-the-password"
    )

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("a7desktop: ")
    assert "password" in lines[0].lower()
    assert "not-the-password" not in result.stderr
    assert _status(cli)[0] == 4


def test_login_without_password_or_terminal_is_a_usage_error(cli: Cli) -> None:
    result = cli.run("login", "--email", DEMO_EMAIL)

    assert result.returncode == 2
    assert "--password-stdin" in result.stderr


def test_token_prints_the_stored_access_token_without_a_request(cli: Cli) -> None:
    cli.login()
    seen_before = len(cli.server.state.requests)

    result = cli.run("token")

    assert result.returncode == 0
    token = result.stdout.strip()
    assert token.count(".") == 2
    assert len(cli.server.state.requests) == seen_before


def test_token_when_signed_out_exits_4(cli: Cli) -> None:
    result = cli.run("token")

    assert result.returncode == 4
    assert "a7desktop login" in result.stderr


def test_logout_signs_out_at_the_server_and_wipes_the_session(cli: Cli) -> None:
    cli.login()

    result = cli.run("logout")

    assert result.returncode == 0
    assert "Signed out" in result.stderr
    assert _status(cli)[0] == 4
    assert "user_logout" in [event.name for event in cli.server.state.events]


def test_logout_wipes_local_secrets_when_the_server_is_unreachable(cli: Cli) -> None:
    """R21."""
    cli.login()
    cli.server.state.faults.add("logout", "drop", times=None)

    result = cli.run("logout")

    assert result.returncode == 0
    assert "could not be told" in result.stderr
    assert _status(cli)[0] == 4


def test_plain_http_to_another_host_is_refused_before_any_request(cli: Cli) -> None:
    result = cli.run("--server", "http://api.agent700.example/api", "status")

    assert result.returncode == 2
    assert "https" in result.stderr
