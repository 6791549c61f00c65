"""Opening the consent page in the system browser from the command line."""

from __future__ import annotations

import shlex
import sys
import webbrowser
from pathlib import Path

import pytest

from a7desktop.core.system_browser import open_system_browser

URL = "http://127.0.0.1:9/google/authorize?client_id=x&state=s"


@pytest.fixture(autouse=True)
def fresh_webbrowser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``webbrowser`` read the environment again for each test.

    It registers browsers once per process; a test that changes ``BROWSER``
    must drop that cache (restored afterwards by monkeypatch).
    """
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)


def browser_script(tmp_path: Path, body: str) -> str:
    """A ``BROWSER`` value running a small Python program on the URL."""
    script = tmp_path / "fake_browser.py"
    script.write_text(body)
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} %s"


async def test_the_url_goes_to_the_browser_the_desktop_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R2: the consent page opens in the person's own browser (via BROWSER)."""
    received = tmp_path / "received"
    record_argument = (
        f"import sys, pathlib; pathlib.Path({str(received)!r}).write_text(sys.argv[1])"
    )
    monkeypatch.setenv("BROWSER", browser_script(tmp_path, record_argument))

    assert await open_system_browser(URL) is True
    assert received.read_text() == URL


async def test_without_a_display_or_browser_nothing_is_launched() -> None:
    """Over SSH the URL is shown instead of starting a text browser here."""
    assert await open_system_browser(URL) is False


async def test_a_launcher_that_fails_reports_no_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROWSER", browser_script(tmp_path, "raise SystemExit(3)"))
    assert await open_system_browser(URL) is False


async def test_a_browser_that_stays_in_the_foreground_counts_as_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A BROWSER command that keeps running does not hold up the sign-in."""
    monkeypatch.setenv(
        "BROWSER", browser_script(tmp_path, "import time; time.sleep(1)")
    )
    assert await open_system_browser(URL, settle=0.2) is True
