"""Small JSON files in a profile's state folder, read and replaced whole.

They hold bookkeeping that must outlive a process (which refresh tokens were
presented, how long the server asked us to wait), never a secret. A file
that is missing or unreadable reads as ``None``; a write that fails is
logged, not raised: the bookkeeping guards against crashes and must never
stop the work it guards.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from a7desktop.core.log import get_logger

_log = get_logger("refresh")


def read_json(path: Path) -> object | None:
    """The JSON value in ``path``, or ``None`` when absent or unreadable."""
    try:
        value: object = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as exc:
        _log.warning("ignoring an unreadable %s: %s", path.name, exc)
        return None
    return value


def write_json(path: Path, value: object) -> None:
    """Replace ``path`` with ``value`` atomically (a temporary file, then rename)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
    except OSError as exc:
        _log.warning("cannot write %s: %s", path.name, exc)
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(value, stream)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        _log.warning("cannot write %s: %s", path.name, exc)


def remove(path: Path) -> None:
    """Delete ``path`` if it exists; a failure is logged."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        _log.warning("cannot remove %s: %s", path.name, exc)
