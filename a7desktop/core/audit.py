"""The local security log: what happened to each profile's credentials, and when.

One JSON object per line in ``security.jsonl`` under the platform's state
folder::

    {"time": "2025-01-15T10:00:00.123Z", "event": "user_login",
     "profile": "default", "outcome": "success", "detail": {"method": "password"}}

Event names follow the Agent700 guide where it has one (``user_login``,
``token_refresh_success``, ``refresh_token_validation_failed``,
``app_password_auth_success``, ``app_password_auth_failed``, ``user_logout``);
the local ones are listed in :data:`EVENTS`. Nothing secret is ever written:
a detail value that looks like or is a registered secret is redacted, and
callers pass only names, reasons and counts.

Each record is appended with one ``write`` on a file opened in append mode,
so several processes can log at once. When the file passes
:data:`MAX_BYTES` it is renamed to ``security.jsonl.1`` (one generation kept).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from a7desktop.core.log import get_logger, redact

EVENTS = frozenset(
    {
        "user_login",
        "user_login_failed",
        "token_refresh_success",
        "token_refresh_failed",
        "refresh_token_validation_failed",
        "app_password_auth_success",
        "app_password_auth_failed",
        "user_logout",
        "session_ended",
        "session_adopted",
        "app_password_created",
        "app_password_revoked",
        "app_password_kept",
        "app_password_forgotten",
        "mcp_key_set",
        "mcp_key_deleted",
        "vault_unavailable",
    }
)
MAX_BYTES = 1_000_000

_log = get_logger("auth")


def _timestamp(now: float) -> str:
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))
    return f"{seconds}.{int(now % 1 * 1000):03d}Z"


def _clean(value: object) -> object:
    """A JSON-safe copy of ``value`` with secret-looking strings redacted."""
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {str(key): _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    return redact(str(value))


class AuditLog:
    """Append-only JSON-lines security log at ``path``.

    Writing never raises: a security log that cannot be written is reported
    on the ``auth`` logger, and the action it describes goes ahead.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def record(self, event: str, profile: str, outcome: str, **detail: object) -> None:
        """Append one event; ``detail`` values must be names, reasons or counts."""
        if event not in EVENTS:
            raise ValueError(f"unknown security event {event!r}")
        entry = {
            "time": _timestamp(time.time()),
            "event": event,
            "profile": profile,
            "outcome": outcome,
            "detail": _clean(detail),
        }
        line = json.dumps(entry, separators=(",", ":"), sort_keys=False) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._rotate_if_full()
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)
        except OSError as exc:
            _log.warning("cannot write the security log %s: %s", self.path, exc)

    def _rotate_if_full(self) -> None:
        try:
            if self.path.stat().st_size < MAX_BYTES:
                return
        except FileNotFoundError:
            return
        os.replace(self.path, self.path.with_name(self.path.name + ".1"))

    def read(self, limit: int = 100) -> list[dict[str, object]]:
        """The newest ``limit`` events, newest first; unreadable lines are skipped."""
        try:
            lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            return []
        except OSError as exc:
            _log.warning("cannot read the security log %s: %s", self.path, exc)
            return []
        events: list[dict[str, object]] = []
        for line in reversed(lines):
            if len(events) >= limit:
                break
            try:
                entry = json.loads(line)
            except (ValueError, RecursionError):
                continue
            if isinstance(entry, dict) and "event" in entry:
                events.append(entry)
        return events
