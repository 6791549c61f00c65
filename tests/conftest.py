"""Shared test set-up: a private keyring, a throwaway home per test.

Tests run through ``scripts/run-tests``, which starts a private D-Bus session
with its own gnome-keyring. Running pytest directly would reach the keyring
of the person at the keyboard, so it is refused.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

if os.environ.get("A7_TEST_BUS") != "private":
    raise pytest.UsageError(
        "run the tests through scripts/run-tests: it gives them a private "
        "D-Bus session and keyring instead of yours"
    )


@pytest.fixture
def a7home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh home for one test: config, state and cache under ``tmp_path``.

    The keyring daemon keeps running from the session's home; only the
    program's own files move here, so a test can search every file written.
    """
    home = tmp_path / "home"
    for name, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(name, str(home / sub))
    monkeypatch.delenv("AGENT700_API_URL", raising=False)
    return home
