"""Profiles, their settings file, and which server each one talks to.

A profile is a name (``default`` unless ``--profile`` says otherwise) with its
own settings, its own stored session in the vault, and its own lock and state
files, so several accounts or servers live side by side.

Settings live in ``config.json`` in the platform's user configuration folder
(``platformdirs.user_config_dir("a7desktop")``)::

    {"profiles": {"default": {"server": null, "refresh_lead_seconds": 300, ...}}}

No secret is ever written there: tokens live only in the vault. The
system-wide :mod:`a7desktop.core.policy` wins over these settings.

This module is on the path of ``a7desktop token``, which must cost little more
than one keyring read, so it imports nothing heavy.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import platformdirs

from a7desktop.core.errors import ConfigError, PolicyDenied, UsageError
from a7desktop.core.fields import Fields
from a7desktop.core.policy import Policy, load_policy
from a7desktop.core.urls import validate_server_url

__all__ = [
    "DEFAULT_SERVER",
    "Policy",
    "Profile",
    "ProfileSettings",
    "load_policy",
    "load_settings",
    "resolve_profile",
    "save_settings",
    "validate_server_url",
]

DEFAULT_SERVER = "https://api.agent700.ai/api"
SERVER_VARIABLE = "AGENT700_API_URL"
MCP_URL_VARIABLE = "A7DESKTOP_MCP_URL"
APP_NAME = "a7desktop"

_PROFILE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_SCREEN = re.compile(r"[1-9][0-9]{1,4}x[1-9][0-9]{1,4}")


@dataclass
class ProfileSettings:
    """What a person chose for one profile (all of it safe to write to disk).

    ``screen_resolution`` and ``timezone_offset`` are recorded so that every
    process sends the same device fingerprint: the window records the screen
    it saw, and sign-in records the timezone offset (minutes, as JavaScript's
    ``getTimezoneOffset``) so a daylight-saving change does not alter it.
    """

    server: str | None = None
    refresh_lead_seconds: float = 300.0
    clipboard_timeout_seconds: float = 30.0
    screen_resolution: str | None = None
    timezone_offset: int | None = None
    close_to_tray: bool = True
    start_at_login: bool = False
    google_issuer: str | None = None
    google_client_id: str | None = None
    google_client_secret: str | None = None
    mcp_url: str | None = None

    def to_json(self) -> dict[str, object]:
        """The settings as a JSON object, leaving out what is unset."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        return {key: value for key, value in data.items() if value is not None}

    @classmethod
    def from_json(cls, data: object, where: str) -> ProfileSettings:
        """Parse one profile's object; unknown keys are ignored.

        Raises:
            ConfigError: a value has the wrong type or range.
        """
        read = Fields(data, where, ConfigError)
        defaults = cls()
        screen = read.optional_str("screen_resolution")
        if screen is not None and not _SCREEN.fullmatch(screen):
            raise read.fail("screen_resolution", "WIDTHxHEIGHT, e.g. 1920x1080")
        lead = read.optional_number("refresh_lead_seconds", low=0, high=86_400)
        clip = read.optional_number("clipboard_timeout_seconds", low=1, high=3_600)
        tray = read.optional_bool("close_to_tray")
        at_login = read.optional_bool("start_at_login")
        return cls(
            server=read.optional_str("server", nonempty=True),
            refresh_lead_seconds=defaults.refresh_lead_seconds
            if lead is None
            else lead,
            clipboard_timeout_seconds=(
                defaults.clipboard_timeout_seconds if clip is None else clip
            ),
            screen_resolution=screen,
            timezone_offset=read.optional_int("timezone_offset", low=-840, high=840),
            close_to_tray=defaults.close_to_tray if tray is None else tray,
            start_at_login=defaults.start_at_login if at_login is None else at_login,
            google_issuer=read.optional_str("google_issuer", nonempty=True),
            google_client_id=read.optional_str("google_client_id", nonempty=True),
            google_client_secret=read.optional_str("google_client_secret"),
            mcp_url=read.optional_str("mcp_url", nonempty=True),
        )


@dataclass(frozen=True)
class Profile:
    """One profile, resolved: the server it uses and where its files live.

    Attributes:
        name: the profile name.
        server: the API base URL, validated (see :func:`resolve_profile`).
        server_source: where ``server`` came from: ``option``,
            ``environment``, ``profile``, ``policy`` or ``default``.
        settings: the profile's own settings as read from disk.
        policy: the system-wide policy.
        refresh_lead_seconds: how long before expiry to refresh (policy wins).
        state_dir: this profile's state folder (lock and bookkeeping files).
        lock_path: the cross-process lock taken around every refresh.
        audit_path: the security log (one for all profiles).
    """

    name: str
    server: str
    settings: ProfileSettings
    policy: Policy
    refresh_lead_seconds: float
    state_dir: Path
    lock_path: Path
    audit_path: Path
    server_source: str = "default"
    mcp_url: str = field(default="")

    @property
    def clipboard_timeout_seconds(self) -> float:
        """Seconds before a copied secret is cleared (policy wins)."""
        if self.policy.clipboard_timeout_seconds is not None:
            return self.policy.clipboard_timeout_seconds
        return self.settings.clipboard_timeout_seconds

    @property
    def google_issuer(self) -> str | None:
        return self.policy.google_issuer or self.settings.google_issuer

    @property
    def google_client_id(self) -> str | None:
        return self.policy.google_client_id or self.settings.google_client_id

    @property
    def google_client_secret(self) -> str | None:
        if self.policy.google_client_id is not None:
            # A policy that names the client also owns its secret (or its absence).
            return self.policy.google_client_secret
        return self.settings.google_client_secret


def config_dir() -> Path:
    """The user configuration folder (created on first write, not here)."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def config_path() -> Path:
    """The settings file, ``config.json`` in :func:`config_dir`."""
    return config_dir() / "config.json"


def state_root() -> Path:
    """The user state folder: the security log and each profile's state."""
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))


def validate_profile_name(name: str) -> str:
    """Return ``name`` if it is 1-64 of ``A-Z a-z 0-9 _ . -`` (not only dots).

    Raises:
        UsageError: otherwise; the name becomes a folder name and a key.
    """
    if not _PROFILE_NAME.fullmatch(name) or set(name) == {"."}:
        raise UsageError(
            f"{name!r} is not a valid profile name: use 1 to 64 letters, digits, "
            "'_', '.' or '-'"
        )
    return name


def _read_config(path: Path) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the settings file {path}: {exc}") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ConfigError(
            f"the settings file {path} is not valid JSON: {exc}"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"the settings file {path} is not a JSON object")
    return data


def _profiles_of(data: dict[str, object], path: Path) -> dict[str, object]:
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"the settings file {path}: 'profiles' must be an object")
    return profiles


def profile_names() -> list[str]:
    """The profiles named in the settings file, with ``default``, sorted.

    Raises:
        ConfigError: the file is unreadable or malformed.
    """
    path = config_path()
    return sorted({*_profiles_of(_read_config(path), path), "default"})


def load_settings(profile: str) -> ProfileSettings:
    """The settings of ``profile``; defaults when the file or profile is absent.

    Raises:
        ConfigError: the file is unreadable or holds a wrong value.
        UsageError: ``profile`` is not a valid name.
    """
    validate_profile_name(profile)
    path = config_path()
    entry = _profiles_of(_read_config(path), path).get(profile)
    if entry is None:
        return ProfileSettings()
    return ProfileSettings.from_json(
        entry, f"settings file {path}, profile {profile!r}"
    )


def save_settings(profile: str, settings: ProfileSettings) -> None:
    """Write ``settings`` for ``profile``, keeping every other profile as it was.

    The file is replaced atomically (a temporary file, then a rename), under
    a lock so two processes saving at once do not lose each other's change.

    Raises:
        ConfigError: the existing file is unreadable (it is not overwritten,
            so other profiles' settings are not lost) or cannot be written.
    """
    from filelock import FileLock  # only writers pay for it

    validate_profile_name(profile)
    path = config_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(f"{path}.lock", timeout=10):
            data = _read_config(path)
            profiles = _profiles_of(data, path)
            profiles[profile] = settings.to_json()
            data["profiles"] = profiles
            _write_atomically(path, json.dumps(data, indent=2, sort_keys=True) + "\n")
    except ConfigError:
        raise
    except Exception as exc:  # filelock.Timeout, OSError
        raise ConfigError(f"cannot write the settings file {path}: {exc}") from None


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".config-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _choose_server(
    explicit: str | None,
    env: Mapping[str, str],
    settings: ProfileSettings,
    policy: Policy,
) -> tuple[str, str]:
    """Return (server, source) by the documented precedence."""
    from_env = env.get(SERVER_VARIABLE) or None
    if policy.server is not None:
        for asked, origin in ((explicit, "--server"), (from_env, SERVER_VARIABLE)):
            if asked is not None and validate_server_url(asked) != policy.server:
                raise PolicyDenied(
                    f"this computer's policy pins the server to {policy.server}; "
                    f"{origin} {asked} is not allowed"
                )
        return policy.server, "policy"
    for value, source in (
        (explicit, "option"),
        (from_env, "environment"),
        (settings.server, "profile"),
    ):
        if value:
            return validate_server_url(value), source
    return DEFAULT_SERVER, "default"


def default_mcp_url(server: str) -> str:
    """The MCP service beside an API server: its origin plus ``/mcp``."""
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, "/mcp", "", ""))


def resolve_profile(
    profile: str = "default",
    server: str | None = None,
    env: Mapping[str, str] = os.environ,
) -> Profile:
    """Resolve ``profile``: its settings, the policy and the server to use.

    The server is, from strongest to weakest: ``server`` (``--server``),
    ``AGENT700_API_URL``, the profile's setting, the policy, the default.
    A server set by policy pins it: an explicit ``--server`` or
    ``AGENT700_API_URL`` naming a different one raises :class:`PolicyDenied`
    (a :class:`UsageError`), and the profile's own setting is ignored.

    Raises:
        UsageError: a bad profile name, or a server the policy forbids.
        InsecureServer: plain ``http://`` to a host that is not loopback.
        ConfigError: an unreadable settings or policy file.
    """
    validate_profile_name(profile)
    policy = load_policy(env)
    settings = load_settings(profile)
    chosen, source = _choose_server(server, env, settings, policy)

    mcp = settings.mcp_url or env.get(MCP_URL_VARIABLE) or default_mcp_url(chosen)
    lead = policy.refresh_lead_seconds
    state_dir = state_root() / "profiles" / profile
    return Profile(
        name=profile,
        server=chosen,
        settings=settings,
        policy=policy,
        refresh_lead_seconds=settings.refresh_lead_seconds if lead is None else lead,
        state_dir=state_dir,
        lock_path=state_dir / "session.lock",
        audit_path=state_root() / "security.jsonl",
        server_source=source,
        mcp_url=validate_server_url(mcp),
    )
