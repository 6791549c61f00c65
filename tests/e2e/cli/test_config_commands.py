"""``a7desktop config``: a profile's settings, checked before they are saved."""

from __future__ import annotations

import json
import subprocess
import sys

from cli_helpers import Cli


def _bare(cli: Cli, *args: str) -> subprocess.CompletedProcess[str]:
    """Run with the profile but without --server, as a person would."""
    return subprocess.run(
        [sys.executable, "-m", "a7desktop", "--profile", cli.profile, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_the_profile_server_setting_is_used_when_no_option_names_one(cli: Cli) -> None:
    assert _bare(cli, "config", "set", "server", cli.server.url).returncode == 0

    status = json.loads(_bare(cli, "status", "--json").stdout)

    assert status["server"] == cli.server.url
    assert _bare(cli, "config", "get", "server").stdout.strip() == cli.server.url


def test_set_get_list_and_unset(cli: Cli) -> None:
    assert _bare(cli, "config", "set", "refresh_lead_seconds", "120").returncode == 0
    assert _bare(cli, "config", "set", "close_to_tray", "false").returncode == 0

    listing = json.loads(_bare(cli, "config", "list", "--json").stdout)
    assert listing["refresh_lead_seconds"] == 120
    assert listing["close_to_tray"] is False
    assert "google_client_secret" not in listing

    assert _bare(cli, "config", "unset", "refresh_lead_seconds").returncode == 0
    assert _bare(cli, "config", "get", "refresh_lead_seconds").stdout.strip() == "300.0"


def test_bad_values_are_refused_and_nothing_is_saved(cli: Cli) -> None:
    not_a_number = _bare(cli, "config", "set", "refresh_lead_seconds", "soon")
    insecure = _bare(cli, "config", "set", "server", "http://api.agent700.example/api")
    out_of_range = _bare(cli, "config", "set", "clipboard_timeout_seconds", "0")

    assert not_a_number.returncode == 2
    assert "number of seconds" in not_a_number.stderr
    assert insecure.returncode == 2
    assert "https" in insecure.stderr
    assert out_of_range.returncode != 0
    assert "clipboard_timeout_seconds" in out_of_range.stderr
    assert _bare(cli, "config", "get", "server").returncode == 1


def test_an_unknown_key_is_a_usage_error(cli: Cli) -> None:
    result = _bare(cli, "config", "set", "password", "hunter2hunter2")

    assert result.returncode == 2
    assert "invalid choice" in result.stderr
