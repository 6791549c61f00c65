"""Retry-After parsing and backoff with jitter (R30, R31)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from a7desktop.core.retry import MAX_RETRY_AFTER, Backoff, parse_retry_after

NOW = 1_700_000_000.0


def http_date(epoch: float) -> str:
    return format_datetime(datetime.fromtimestamp(epoch, UTC), usegmt=True)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("-5", 0.0),
        ("99999999", MAX_RETRY_AFTER),
        (http_date(NOW + 90), 90.0),
        (http_date(NOW - 90), 0.0),
        (http_date(NOW + 10**8), MAX_RETRY_AFTER),
    ],
)
def test_retry_after_seconds_and_dates_are_honoured_and_capped(
    value: str, seconds: float
) -> None:
    """R30."""
    assert parse_retry_after(value, now=NOW) == pytest.approx(seconds)


@pytest.mark.parametrize("value", [None, "", "soon", "nan", "inf", "Mon, 99 Foo 2020"])
def test_invalid_retry_after_falls_back_to_backoff(value: str | None) -> None:
    """R30: an unusable value is None, so the caller uses its own backoff."""
    assert parse_retry_after(value, now=NOW) is None


def test_backoff_grows_is_capped_and_has_jitter() -> None:
    """R31: capped exponential, between half and all of the step, never zero."""
    low, high = (
        Backoff(base=1, cap=8, uniform=lambda: 0.0),
        Backoff(base=1, cap=8, uniform=lambda: 1.0),
    )
    assert [low.delay(n) for n in range(5)] == [0.5, 1, 2, 4, 4]
    assert [high.delay(n) for n in range(5)] == [1, 2, 4, 8, 8]
    assert high.delay(10_000) == 8


def test_backoff_waits_at_least_what_the_server_asked() -> None:
    backoff = Backoff(base=1, cap=8, uniform=lambda: 0.0)
    assert backoff.wait(0, 30.0) == 30.0
    assert backoff.wait(3, None) == 4
