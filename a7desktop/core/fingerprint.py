"""The device fingerprint: five headers the server binds a session to.

The server compares User-Agent, Accept-Language, Accept-Encoding,
X-Screen-Resolution and X-Timezone-Offset at sign-in and at every refresh and
refuses a refresh whose headers differ too much. So the headers must come out
byte for byte the same in the window and the command line, across restarts,
and whatever decoders the HTTP library happens to have installed:

- User-Agent names the program, its version, the OS and the CPU family.
- Accept-Language is fixed; the terminal's ``LANG`` and the desktop's may
  differ, and the program speaks one language anyway.
- Accept-Encoding is set explicitly to what httpx always decodes.
- The screen resolution is the one the window recorded in the profile
  settings (the command line has no screen), else a fixed default.
- The timezone offset is the one recorded at sign-in, so a daylight-saving
  change does not alter it mid-session; before any sign-in, the current one.

A stored session also remembers the fingerprint it was signed in with, and
refreshes send that one (see :mod:`a7desktop.core.models`).
"""

from __future__ import annotations

import platform
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from a7desktop import __version__
from a7desktop.core.fields import ErrorFactory, Fields

if TYPE_CHECKING:
    from a7desktop.core.config import ProfileSettings

ACCEPT_LANGUAGE = "en-US,en;q=0.9"
ACCEPT_ENCODING = "gzip, deflate"
DEFAULT_SCREEN_RESOLUTION = "1920x1080"

_OS_NAMES = {"Darwin": "macOS", "Windows": "Windows", "Linux": "Linux"}
_ARCH_NAMES = {
    "amd64": "x86_64",
    "x86_64": "x86_64",
    "aarch64": "arm64",
    "arm64": "arm64",
}


@dataclass(frozen=True)
class DeviceFingerprint:
    """The five fingerprint header values."""

    user_agent: str
    accept_language: str
    accept_encoding: str
    screen_resolution: str
    timezone_offset: int

    def headers(self) -> dict[str, str]:
        """The headers to send, with their canonical names."""
        return {
            "User-Agent": self.user_agent,
            "Accept-Language": self.accept_language,
            "Accept-Encoding": self.accept_encoding,
            "X-Screen-Resolution": self.screen_resolution,
            "X-Timezone-Offset": str(self.timezone_offset),
        }

    def to_json(self) -> dict[str, object]:
        return {
            "user_agent": self.user_agent,
            "accept_language": self.accept_language,
            "accept_encoding": self.accept_encoding,
            "screen_resolution": self.screen_resolution,
            "timezone_offset": self.timezone_offset,
        }

    @classmethod
    def from_json(
        cls, data: object, where: str, error: ErrorFactory
    ) -> DeviceFingerprint:
        """Parse :meth:`to_json` output; wrong fields raise ``error(message)``."""
        read = Fields(data, where, error)
        offset = read.optional_int("timezone_offset", low=-840, high=840)
        if offset is None:
            raise read.fail("timezone_offset", "a whole number")
        return cls(
            user_agent=read.require_str("user_agent"),
            accept_language=read.require_str("accept_language"),
            accept_encoding=read.require_str("accept_encoding"),
            screen_resolution=read.require_str("screen_resolution"),
            timezone_offset=offset,
        )


def user_agent() -> str:
    """``a7desktop/<version> (<os>; <arch>)``: ``a7desktop/0.1.0 (Linux; x86_64)``."""
    system = platform.system()
    machine = platform.machine()
    os_name = _OS_NAMES.get(system, system or "unknown")
    arch = _ARCH_NAMES.get(machine.lower(), machine or "unknown")
    return f"a7desktop/{__version__} ({os_name}; {arch})"


def current_timezone_offset() -> int:
    """Minutes to add to local time to get UTC, as JavaScript's getTimezoneOffset.

    Positive west of Greenwich: New York in winter is 300, Berlin in summer -120.
    """
    return -(time.localtime().tm_gmtoff // 60)


def device_fingerprint(settings: ProfileSettings | None = None) -> DeviceFingerprint:
    """The fingerprint this profile sends, built the same way in every process."""
    screen = settings.screen_resolution if settings is not None else None
    offset = settings.timezone_offset if settings is not None else None
    return DeviceFingerprint(
        user_agent=user_agent(),
        accept_language=ACCEPT_LANGUAGE,
        accept_encoding=ACCEPT_ENCODING,
        screen_resolution=screen or DEFAULT_SCREEN_RESOLUTION,
        timezone_offset=current_timezone_offset() if offset is None else offset,
    )
