"""``a7desktop config``: read and change a profile's settings.

Settings live in a JSON file in the platform's configuration folder. None of
them is a secret: secrets go to the OS keyring through the other commands.
"""

from __future__ import annotations

import argparse
from dataclasses import fields
from typing import Any

from a7desktop.cli import term
from a7desktop.core.errors import UsageError

# The settings a person may change here. The device fingerprint fields are
# recorded by the program itself; the Google client secret belongs in the
# system-wide policy, not in a user's file.
EDITABLE = {
    "server": "API base URL",
    "refresh_lead_seconds": "seconds before expiry to refresh (default 300)",
    "clipboard_timeout_seconds": "seconds before a copied secret is cleared",
    "close_to_tray": "true or false: closing the window keeps the tray icon",
    "start_at_login": "true or false",
    "google_issuer": "OpenID issuer for Google sign-in",
    "google_client_id": "OAuth client id for Google sign-in",
    "mcp_url": "MCP service base URL",
}


def register(commands: Any) -> None:
    """Add ``config`` and its sub-commands."""
    group = commands.add_parser(
        "config",
        help="show or change the profile's settings",
        description="Settings of the profile named by --profile.",
    )
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="show every setting")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=cmd_list)
    getter = actions.add_parser("get", help="print one setting")
    getter.add_argument("key", choices=sorted(EDITABLE))
    getter.set_defaults(func=cmd_get)
    setter = actions.add_parser("set", help="change one setting")
    setter.add_argument("key", choices=sorted(EDITABLE))
    setter.add_argument("value")
    setter.set_defaults(func=cmd_set)
    unsetter = actions.add_parser("unset", help="return one setting to its default")
    unsetter.add_argument("key", choices=sorted(EDITABLE))
    unsetter.set_defaults(func=cmd_unset)


def _current(args: argparse.Namespace) -> dict[str, object]:
    from a7desktop.core.config import load_settings, validate_profile_name

    settings = load_settings(validate_profile_name(args.profile))
    return {f.name: getattr(settings, f.name) for f in fields(settings)}


def _parse(key: str, text: str) -> object:
    from a7desktop.core.config import ProfileSettings

    default = getattr(ProfileSettings(), key)
    if isinstance(default, bool):
        lowered = text.strip().lower()
        if lowered not in ("true", "false"):
            raise UsageError(f"{key} is true or false, not {text!r}")
        return lowered == "true"
    if isinstance(default, float):
        try:
            return float(text)
        except ValueError:
            raise UsageError(f"{key} is a number of seconds, not {text!r}") from None
    return text.strip()


def _save(args: argparse.Namespace, data: dict[str, object]) -> None:
    from a7desktop.core.config import (
        ProfileSettings,
        save_settings,
        validate_profile_name,
    )
    from a7desktop.core.urls import validate_server_url

    for key in ("server", "mcp_url", "google_issuer"):
        if isinstance(data.get(key), str):
            validate_server_url(str(data[key]))
    present = {key: value for key, value in data.items() if value is not None}
    settings = ProfileSettings.from_json(present, f"profile {args.profile}")
    save_settings(validate_profile_name(args.profile), settings)


def cmd_list(args: argparse.Namespace) -> int:
    """Print the editable settings with their values."""
    current = _current(args)
    if args.json:
        term.print_json({key: current[key] for key in EDITABLE})
        return 0
    for key, meaning in EDITABLE.items():
        value = current[key]
        if value is None:
            shown = "(not set)"
        elif isinstance(value, bool):
            shown = str(value).lower()
        else:
            shown = str(value)
        print(f"{key} = {shown}    # {meaning}")
    return 0


def cmd_get(args: argparse.Namespace) -> int:
    """Print one setting; exit 1 when it is not set."""
    value = _current(args)[args.key]
    if value is None:
        return 1
    print(str(value).lower() if isinstance(value, bool) else value)
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    """Change one setting after checking its value."""
    data = _current(args)
    data[args.key] = _parse(args.key, args.value)
    _save(args, data)
    term.say(f"Set {args.key} for profile {args.profile}.")
    return 0


def cmd_unset(args: argparse.Namespace) -> int:
    """Return one setting to its default."""
    from a7desktop.core.config import ProfileSettings

    data = _current(args)
    data[args.key] = getattr(ProfileSettings(), args.key)
    _save(args, data)
    term.say(f"Unset {args.key} for profile {args.profile}.")
    return 0
