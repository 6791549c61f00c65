"""The device fingerprint headers (R19, R20)."""

from __future__ import annotations

import platform
import time

import pytest

from a7desktop import __version__
from a7desktop.core.config import ProfileSettings
from a7desktop.core.fingerprint import (
    DEFAULT_SCREEN_RESOLUTION,
    current_timezone_offset,
    device_fingerprint,
    user_agent,
)


def test_the_five_headers_are_all_set_explicitly() -> None:
    headers = device_fingerprint(ProfileSettings()).headers()
    assert set(headers) == {
        "User-Agent",
        "Accept-Language",
        "Accept-Encoding",
        "X-Screen-Resolution",
        "X-Timezone-Offset",
    }
    assert headers["Accept-Encoding"] == "gzip, deflate"
    assert headers["X-Screen-Resolution"] == DEFAULT_SCREEN_RESOLUTION


def test_user_agent_names_program_version_os_and_arch() -> None:
    agent = user_agent()
    assert agent.startswith(f"a7desktop/{__version__} (")
    assert platform.machine() in agent or "arm64" in agent or "x86_64" in agent


def test_recorded_settings_win_over_the_current_machine() -> None:
    """R19/R20: the recorded screen and sign-in timezone offset are what is sent."""
    settings = ProfileSettings(screen_resolution="2560x1440", timezone_offset=-120)
    headers = device_fingerprint(settings).headers()
    assert headers["X-Screen-Resolution"] == "2560x1440"
    assert headers["X-Timezone-Offset"] == "-120"


def test_fingerprint_is_identical_when_built_twice() -> None:
    """R19: every process builds the same headers from the same settings."""
    settings = ProfileSettings(timezone_offset=300)
    assert (
        device_fingerprint(settings).headers() == device_fingerprint(settings).headers()
    )


def test_timezone_offset_has_javascripts_sign(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert current_timezone_offset() in (240, 300)  # EDT or EST, west is positive
        monkeypatch.setenv("TZ", "Asia/Kolkata")
        time.tzset()
        assert current_timezone_offset() == -330
    finally:
        monkeypatch.undo()
        time.tzset()


def test_fingerprint_round_trips_through_json() -> None:
    from a7desktop.core.errors import VaultError
    from a7desktop.core.fingerprint import DeviceFingerprint

    fingerprint = device_fingerprint(ProfileSettings(timezone_offset=60))
    again = DeviceFingerprint.from_json(fingerprint.to_json(), "test", VaultError)
    assert again == fingerprint
