"""Terminal input and output shared by the commands.

Secrets are read from standard input or a hidden prompt, never from an
argument: arguments are visible to every user of the machine through the
process list.
"""

from __future__ import annotations

import getpass
import json
import sys
from datetime import UTC, datetime
from typing import Any

from a7desktop.core.errors import UsageError
from a7desktop.core.log import register_secret

MAX_SECRET_BYTES = 64 * 1024


def read_secret_from_stdin(what: str) -> str:
    """Read one secret from standard input, without its trailing newline.

    Raises UsageError when standard input is empty or absurdly large, so a
    missing pipe gives a clear message instead of an empty request.
    """
    data = sys.stdin.read(MAX_SECRET_BYTES + 1)
    if len(data) > MAX_SECRET_BYTES:
        raise UsageError(f"the {what} on standard input is too long")
    secret = data.rstrip("\r\n")
    if not secret:
        raise UsageError(f"no {what} on standard input")
    try:
        secret.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"the {what} on standard input is not UTF-8 text") from None
    register_secret(secret)
    return secret


def prompt_secret(what: str, flag: str) -> str:
    """Ask for a secret without echo; refuse when there is no terminal."""
    if not sys.stdin.isatty():
        raise UsageError(f"no terminal to ask for the {what}: use {flag}")
    secret = getpass.getpass(f"{what.capitalize()}: ")
    if not secret:
        raise UsageError(f"no {what} given")
    register_secret(secret)
    return secret


def prompt_text(what: str, flag: str) -> str:
    """Ask for a visible value; refuse when there is no terminal."""
    if not sys.stdin.isatty():
        raise UsageError(f"no terminal to ask for the {what}: use {flag}")
    value = input(f"{what.capitalize()}: ").strip()
    if not value:
        raise UsageError(f"no {what} given")
    return value


def confirm(question: str) -> bool:
    """Ask a yes/no question on a terminal; without one the answer is no."""
    if not sys.stdin.isatty():
        return False
    answer = input(f"{question} [y/N] ").strip().lower()
    return answer in ("y", "yes")


def say(message: str) -> None:
    """A message for the person at the terminal (stderr; stdout is for data)."""
    print(message, file=sys.stderr)


def print_json(value: Any) -> None:
    """Print ``value`` as indented JSON on stdout."""
    print(json.dumps(value, indent=2, sort_keys=True))


def iso_utc(epoch: float) -> str:
    """``epoch`` as ISO 8601 in UTC, to the second: ``2026-12-03T13:00:00Z``."""
    moment = datetime.fromtimestamp(epoch, tz=UTC).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")


def local_time(epoch: float) -> str:
    """``epoch`` in the local time zone, for people: ``2026-12-03 14:00 CET``."""
    return datetime.fromtimestamp(epoch).astimezone().strftime("%Y-%m-%d %H:%M %Z")


def duration(seconds: float) -> str:
    """A short human duration: ``7h 59m``, ``4m 10s``, ``12s``."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """Render rows under headers in aligned columns."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in [headers, *rows]
    ]
    return "\n".join(lines)
