"""How long to wait before trying again: backoff with jitter, and Retry-After.

Used by the HTTP client for idempotent reads and by the session engine for
refreshes that failed for a passing reason. Jitter spreads the retries of
many clients (or many processes of one user) so they do not arrive together.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime

# A server may ask for a long pause (a lockout), but a value past this is
# taken as a mistake: waiting hours would look like a hang.
MAX_RETRY_AFTER = 3600.0


@dataclass(frozen=True)
class Backoff:
    """Capped exponential backoff with jitter.

    The n-th retry (n from 0) waits a random time between half and all of
    ``min(cap, base * 2**n)``: never zero, so retries cannot spin.
    """

    base: float = 1.0
    cap: float = 30.0
    uniform: Callable[[], float] = field(default=random.random, compare=False)

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (0 for the first)."""
        ceiling = min(self.cap, self.base * 2.0 ** min(attempt, 32))
        return ceiling * (0.5 + 0.5 * self.uniform())

    def wait(self, attempt: int, retry_after: float | None) -> float:
        """The longer of the backoff delay and what the server asked for."""
        delay = self.delay(attempt)
        return delay if retry_after is None else max(delay, retry_after)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header, or ``None`` if it is unusable.

    Accepts delta-seconds (``120``) and an HTTP date. Negative or past values
    become 0; absurd ones are capped at :data:`MAX_RETRY_AFTER`; anything
    unparseable is ``None`` so the caller falls back to its own backoff.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    seconds: float | None
    try:
        seconds = float(text)
    except ValueError:
        seconds = _seconds_until_date(text, time.time() if now is None else now)
    if seconds is None:
        return None
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN, inf
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _seconds_until_date(text: str, now: float) -> float | None:
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # "-0000": an HTTP date is in GMT anyway
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp() - now
