"""``a7desktop login --google`` with a real browser on the emulator's consent page.

The command opens the system browser through ``webbrowser``; here BROWSER
names a script that drives Debian's headless Chromium, clicks the consent
page's button with real mouse events and reports what the browser showed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import Cli

# The Chromium driver lives with the Google sign-in tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "google"))
from chromium_consent import CHROMIUM, browser_command, click_through, read_outcome

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed"),
]


def _configure_google(cli: Cli) -> None:
    for key, value in (
        ("google_issuer", cli.server.google_issuer),
        ("google_client_id", cli.server.state.config.google_client_id),
    ):
        result = cli.run("config", "set", key, value)
        assert result.returncode == 0, result.stderr


def _run_with_browser(
    cli: Cli, outcome_file: Path, button: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BROWSER": browser_command(outcome_file, button=button)}
    env.pop("DISPLAY", None)
    return subprocess.run(
        cli.command("login", "--google", *extra),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=90,
        check=False,
    )


def test_login_with_google_through_the_system_browser(cli: Cli, tmp_path: Path) -> None:
    """R2: the consent page opens in the system browser, never an embedded view."""
    _configure_google(cli)
    outcome_file = tmp_path / "outcome.json"

    result = _run_with_browser(cli, outcome_file, "approve")

    assert result.returncode == 0, result.stderr
    assert "Opened your browser" in result.stderr
    assert "Signed in to" in result.stderr
    assert "(Google)" in result.stderr
    page = read_outcome(outcome_file)
    assert "Signed in" in page["title"]
    status = json.loads(cli.run("status", "--json").stdout)
    assert status["signed_in"] is True
    assert status["auth_type"] == "google_oauth"
    assert [e.name for e in cli.server.state.events].count("user_login") == 1


def test_denied_consent_ends_with_a_clear_message(cli: Cli, tmp_path: Path) -> None:
    """R6."""
    _configure_google(cli)

    result = _run_with_browser(cli, tmp_path / "outcome.json", "deny")

    assert result.returncode == 1
    # The browser helper shares stderr and prints the page title after us.
    assert "a7desktop: Google sign-in was declined in the browser." in (
        result.stderr.splitlines()
    )
    assert cli.run("status").returncode == 4


def test_without_a_browser_the_address_is_printed_to_open_by_hand(cli: Cli) -> None:
    _configure_google(cli)
    with subprocess.Popen(
        cli.command("login", "--google", "--no-browser"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stderr is not None
        url = ""
        for line in process.stderr:
            if line.strip().startswith("http://127.0.0.1"):
                url = line.strip()
                break
        assert url.startswith(cli.server.google_issuer + "/authorize?")

        page = click_through(url)
        rest = process.stderr.read()
        assert process.wait(timeout=30) == 0, rest
        assert "Signed in to" in rest
        assert "Signed in" in page.title


def test_without_a_client_id_the_message_says_how_to_set_one(cli: Cli) -> None:
    result = cli.run("login", "--google")

    assert result.returncode == 2
    assert "a7desktop config set google_client_id" in result.stderr
