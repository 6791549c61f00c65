"""App passwords: creation, the show-once token, rate limit and lockout.

An app password is ``app_a7_`` followed by 32 lowercase hex characters. The
server keeps its SHA-256 digest and its first eight hex characters (the
*prefix*, not secret on its own) to find the record a presented token claims
to be.

Rate limit: every app-password authentication (app-login, and Bearer use of an
app password) counts against the client address, ``app_login_limit`` per
sliding ``app_login_window`` seconds; beyond it the answer is 429
``rate_limited`` with ``Retry-After`` saying when the oldest counted attempt
leaves the window. Refused attempts are not counted.

Lockout: a token whose prefix names an existing app password but whose secret
is wrong is a *failure* of that app password. ``lockout_threshold`` failures
within ``lockout_seconds`` lock it for ``lockout_seconds``: meanwhile even the
right token gets 429 ``locked_out`` with ``Retry-After`` set to the rest of the
lock. A successful authentication clears the failures. Tokens that name no app
password cannot be pinned on one, so they only count toward the rate limit.
"""

from __future__ import annotations

import hmac
import math
import re
import secrets
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from a7desktop.emulator.clock import iso
from a7desktop.emulator.config import EmulatorConfig
from a7desktop.emulator.tokens import digest

PREFIX = "app_a7_"
TOKEN_PATTERN = re.compile(r"app_a7_[0-9a-f]{32}")
_LOOKUP_LENGTH = len(PREFIX) + 8


@dataclass(repr=False)
class AppPassword:
    id: str
    email: str
    name: str
    permissions: dict[str, Any]
    lookup: str
    digest: str
    created_at: float
    expires_at: float
    last_used_at: float | None = None
    revoked: bool = False
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0

    def is_active(self, now: float) -> bool:
        return not self.revoked and now < self.expires_at

    def describe(self, now: float) -> dict[str, Any]:
        """The listing shape: never the token."""
        return {
            "id": self.id,
            "name": self.name,
            "createdAt": iso(self.created_at),
            "expiresAt": iso(self.expires_at),
            "isActive": self.is_active(now),
            "lastUsedAt": None if self.last_used_at is None else iso(self.last_used_at),
        }

    def __repr__(self) -> str:
        return f"AppPassword(id={self.id!r}, name={self.name!r})"


@dataclass(frozen=True)
class AuthOutcome:
    """The result of checking a presented app password.

    ``failure`` is ``None`` on success, else one of ``malformed``,
    ``unknown``, ``wrong_secret``, ``revoked``, ``expired``, ``locked``;
    ``record`` is the app password the token named, when there is one.
    """

    record: AppPassword | None
    failure: str | None = None
    retry_after: float | None = None


class AppPasswordStore:
    """Every app password of every user. Callers hold the state's lock."""

    def __init__(self, config: EmulatorConfig) -> None:
        self._config = config
        self._records: dict[str, AppPassword] = {}

    def create(
        self, email: str, name: str, permissions: dict[str, Any], now: float
    ) -> tuple[AppPassword, str]:
        """Make a new app password; the token is returned here and never again."""
        token = PREFIX + secrets.token_hex(16)
        record = AppPassword(
            id=str(uuid.uuid4()),
            email=email,
            name=name,
            permissions=permissions,
            lookup=token[:_LOOKUP_LENGTH],
            digest=digest(token),
            created_at=now,
            expires_at=now + self._config.app_password_lifetime,
        )
        self._records[record.id] = record
        return record, token

    def get(self, password_id: str) -> AppPassword | None:
        return self._records.get(password_id)

    def of_user(self, email: str) -> list[AppPassword]:
        """The user's app passwords that were not revoked, oldest first."""
        return [
            record
            for record in self._records.values()
            if record.email == email and not record.revoked
        ]

    def revoke(self, email: str, password_id: str) -> bool:
        record = self._records.get(password_id)
        if record is None or record.email != email or record.revoked:
            return False
        record.revoked = True
        return True

    def authenticate(self, token: str, now: float) -> AuthOutcome:
        """Check a presented token, counting failures toward the lockout."""
        if not TOKEN_PATTERN.fullmatch(token):
            return AuthOutcome(None, "malformed")
        lookup, presented = token[:_LOOKUP_LENGTH], digest(token)
        record = next((r for r in self._records.values() if r.lookup == lookup), None)
        if record is None:
            return AuthOutcome(None, "unknown")
        if now < record.locked_until:
            return AuthOutcome(record, "locked", record.locked_until - now)
        if not hmac.compare_digest(presented, record.digest):
            return self._fail(record, now)
        if record.revoked:
            return AuthOutcome(record, "revoked")
        if now >= record.expires_at:
            return AuthOutcome(record, "expired")
        record.failures.clear()
        record.last_used_at = now
        return AuthOutcome(record)

    def _fail(self, record: AppPassword, now: float) -> AuthOutcome:
        window = self._config.lockout_seconds
        record.failures = [t for t in record.failures if t > now - window]
        record.failures.append(now)
        if len(record.failures) >= self._config.lockout_threshold:
            record.failures.clear()
            record.locked_until = now + window
        return AuthOutcome(record, "wrong_secret")


class RateLimiter:
    """A sliding-window counter per client address. Callers hold the lock."""

    def __init__(self, limit: int, window: float) -> None:
        self._limit = limit
        self._window = window
        self._hits: dict[str, deque[float]] = {}

    def admit(self, client: str, now: float) -> float | None:
        """Count one attempt; return ``None``, or the seconds to wait if refused."""
        hits = self._hits.setdefault(client, deque())
        while hits and hits[0] <= now - self._window:
            hits.popleft()
        if len(hits) >= self._limit:
            return max(1.0, math.ceil(hits[0] + self._window - now))
        hits.append(now)
        return None
