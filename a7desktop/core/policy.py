"""The system-wide policy file that administrators of managed workstations set.

One JSON object, every key optional::

    {
      "server": "https://agent700.example.com/api",
      "allowed_methods": ["password", "app_password"],
      "refresh_lead_seconds": 600,
      "clipboard_timeout_seconds": 15,
      "google_issuer": "https://accounts.google.com",
      "google_client_id": "...", "google_client_secret": "..."
    }

Where it lives: ``/etc/a7desktop/policy.json`` on Linux,
``%PROGRAMDATA%\\a7desktop\\policy.json`` on Windows and
``/Library/Application Support/a7desktop/policy.json`` on macOS;
``A7DESKTOP_POLICY_FILE`` points elsewhere (tests, unusual installs). A
missing file means no policy. A file that exists but cannot be read or has a
wrong value is an error, never silently ignored: an administrator who pins
the server must not find a typo quietly unpinning it. Unknown keys are only
logged, so an older a7desktop accepts a newer policy.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from a7desktop.core.errors import ConfigError, InsecureServer
from a7desktop.core.fields import Fields
from a7desktop.core.log import get_logger
from a7desktop.core.urls import validate_server_url

SIGN_IN_METHODS = frozenset({"password", "google", "app_password"})
POLICY_FILE_VARIABLE = "A7DESKTOP_POLICY_FILE"

_KEYS = frozenset(
    {
        "server",
        "allowed_methods",
        "refresh_lead_seconds",
        "clipboard_timeout_seconds",
        "google_issuer",
        "google_client_id",
        "google_client_secret",
    }
)

_log = get_logger("config")


@dataclass(frozen=True)
class Policy:
    """What this computer's administrator decided; ``None`` means "not set".

    ``server``, when set, pins the server: a profile setting is overridden,
    and an explicit ``--server`` or ``AGENT700_API_URL`` naming another one
    is refused. ``allowed_methods`` limits the sign-in methods.
    """

    server: str | None = None
    allowed_methods: frozenset[str] | None = None
    refresh_lead_seconds: float | None = None
    clipboard_timeout_seconds: float | None = None
    google_issuer: str | None = None
    google_client_id: str | None = None
    google_client_secret: str | None = None

    def allows(self, method: str) -> bool:
        """True when sign-in ``method`` is permitted on this computer."""
        return self.allowed_methods is None or method in self.allowed_methods


def policy_path(env: Mapping[str, str] = os.environ) -> Path:
    """Where this platform keeps the policy file (or the override)."""
    override = env.get(POLICY_FILE_VARIABLE)
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = env.get("PROGRAMDATA") or r"C:\ProgramData"
        return Path(base) / "a7desktop" / "policy.json"
    if sys.platform == "darwin":
        return Path("/Library/Application Support/a7desktop/policy.json")
    return Path("/etc/a7desktop/policy.json")


def load_policy(env: Mapping[str, str] = os.environ) -> Policy:
    """Read the policy file; an absent file is the empty policy.

    Raises:
        ConfigError: the file exists but is unreadable, not JSON, or holds a
            value of the wrong type or range.
    """
    path = policy_path(env)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Policy()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the policy file {path}: {exc}") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ConfigError(f"the policy file {path} is not valid JSON: {exc}") from None
    return parse_policy(data, str(path))


def parse_policy(data: object, where: str) -> Policy:
    """Build a :class:`Policy` from a decoded JSON object (see the module doc)."""
    fields = Fields(data, f"policy file {where}", ConfigError)
    for key in sorted(set(fields.data) - _KEYS):
        _log.warning("ignoring unknown key %r in the policy file %s", key, where)

    server = fields.optional_str("server", nonempty=True)
    if server is not None:
        try:
            server = validate_server_url(server)
        except InsecureServer as exc:
            raise ConfigError(f"policy file {where}: 'server': {exc}") from None

    return Policy(
        server=server,
        allowed_methods=_allowed_methods(fields),
        refresh_lead_seconds=fields.optional_number(
            "refresh_lead_seconds", low=0, high=86_400
        ),
        clipboard_timeout_seconds=fields.optional_number(
            "clipboard_timeout_seconds", low=1, high=3_600
        ),
        google_issuer=fields.optional_str("google_issuer", nonempty=True),
        google_client_id=fields.optional_str("google_client_id", nonempty=True),
        google_client_secret=fields.optional_str("google_client_secret"),
    )


def _allowed_methods(fields: Fields) -> frozenset[str] | None:
    values = fields.optional_list("allowed_methods")
    if values is None:
        return None
    expected = "a list of " + ", ".join(sorted(SIGN_IN_METHODS))
    if not all(isinstance(value, str) and value in SIGN_IN_METHODS for value in values):
        raise fields.fail("allowed_methods", expected)
    return frozenset(str(value) for value in values)
