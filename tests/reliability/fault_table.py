"""The faults of the matrix and what ../shared/RELIABILITY.md expects of each.

Each :class:`Fault` is one row; the command-line and window tests run the
rows that apply to them (``front_ends``). ``expected`` is the outcome class
a row must end in:

=====================  =====================================================
``kept``               the session survives; the next try refreshes it
``retired``            the server may have rotated the refresh token and the
                       answer never arrived: the token is never presented
                       again, the access token is used until it expires,
                       then one clean sign-in prompt (R16)
``waited``             the slow answer is waited out; refreshed once
``no_refresh``         nothing to do: no refresh, no early sign-out (R10)
``refreshed_once``     exactly one refresh for everyone (R11, R35, R37)
``revoked``            the server ended it: one clean sign-in prompt (R38)
``memory_only``        nothing persisted, and the program says so (R24)
``locked``             said so, nothing deleted, fine after unlocking (R24)
``live``               a slow keyring delays, never freezes (R29)
=====================  =====================================================

Two global checks follow every row: the server never saw a refresh token
twice (its refresh log has no ``reused`` and no token id twice), and no
session was lost that the server did not end.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formatdate
from typing import Any


@dataclass(frozen=True)
class Fault:
    """One row: what is injected, the rules it proves, what must happen."""

    key: str
    title: str
    rules: tuple[str, ...]
    expected: str
    front_ends: tuple[str, ...] = ("cli", "window")
    endpoint: str | None = "refresh"
    kind: str | None = None
    params: tuple[tuple[str, Any], ...] = ()

    def arm(
        self, state: Any, times: int | None = 1, *, wait: float | None = None
    ) -> None:
        """Arm this row's HTTP fault on the emulator (if it has one).

        ``wait`` replaces the Retry-After of the row (in the same form) for a
        front end that cannot jump its clock past two minutes.
        """
        if self.endpoint is None or self.kind is None:
            return
        params = dict(self.params)
        if "retry_after" in params:
            value = params["retry_after"]
            seconds = wait if wait is not None else 120.0
            if value == HTTP_DATE_IN_2_MIN:
                params["retry_after"] = formatdate(_now() + seconds, usegmt=True)
            elif wait is not None:
                params["retry_after"] = int(wait)
        state.faults.add(self.endpoint, self.kind, times=times, **params)

    @property
    def retry_after(self) -> float | None:
        """The wait the fault's Retry-After asks for, in seconds."""
        value = dict(self.params).get("retry_after")
        if value is None:
            return None
        return 120.0 if value == HTTP_DATE_IN_2_MIN else float(value)

    def __str__(self) -> str:
        return self.key


# A placeholder: the HTTP date is made when the fault is armed, not at import.
HTTP_DATE_IN_2_MIN = "<HTTP date two minutes ahead>"


def _now() -> float:
    import time

    return time.time()


def _status(status: int, retry_after: object) -> tuple[tuple[str, Any], ...]:
    return (("status", status), ("retry_after", retry_after))


FAULTS: tuple[Fault, ...] = (
    Fault("html502", "HTML 502 from refresh", ("R15", "R33"), "kept", kind="html502"),
    Fault(
        "truncated_json",
        "truncated JSON after rotating",
        ("R16", "R33"),
        "retired",
        kind="truncated_json",
    ),
    Fault(
        "stall",
        "stalled body, waited out",
        ("R32",),
        "waited",
        kind="stall",
        params=(("seconds", 2.0),),
    ),
    Fault(
        "stall_timeout",
        "stalled body past read timeout",
        ("R32", "R16"),
        "retired",
        front_ends=("window",),
        kind="stall",
        params=(("seconds", 4.0),),
    ),
    Fault(
        "drop",
        "connection dropped in refresh",
        ("R15", "R16"),
        "retired",
        kind="drop",
    ),
    Fault(
        "drop_after_commit",
        "answer lost after rotation",
        ("R16",),
        "retired",
        kind="drop_after_commit",
    ),
    Fault(
        "429_seconds",
        "429, Retry-After in seconds",
        ("R15", "R30"),
        "kept",
        kind="status",
        params=_status(429, 120),
    ),
    Fault(
        "429_date",
        "429, Retry-After as a date",
        ("R15", "R30"),
        "kept",
        kind="status",
        params=_status(429, HTTP_DATE_IN_2_MIN),
    ),
    Fault(
        "503_seconds",
        "503, Retry-After in seconds",
        ("R15", "R30"),
        "kept",
        kind="status",
        params=_status(503, 120),
    ),
    Fault(
        "503_date",
        "503, Retry-After as a date",
        ("R15", "R30"),
        "kept",
        kind="status",
        params=_status(503, HTTP_DATE_IN_2_MIN),
    ),
    Fault(
        "no_set_cookie",
        "refresh 200 without a cookie",
        ("R18",),
        "retired",
        kind="no_set_cookie",
    ),
    Fault(
        "malformed_jwt",
        "refresh 200 with a broken JWT",
        ("R33", "R16"),
        "retired",
        kind="malformed_jwt",
    ),
    Fault("clock+600", "clock 10 min ahead", ("R10",), "no_refresh", endpoint=None),
    Fault("clock-600", "clock 10 min behind", ("R10",), "no_refresh", endpoint=None),
    Fault("clock+7200", "clock 2 h ahead", ("R10",), "no_refresh", endpoint=None),
    Fault("clock-7200", "clock 2 h behind", ("R10",), "no_refresh", endpoint=None),
    Fault(
        "suspend",
        "suspend longer than the token",
        ("R37",),
        "refreshed_once",
        endpoint=None,
    ),
    Fault(
        "revoked",
        "session revoked server-side",
        ("R38", "R14"),
        "revoked",
        endpoint=None,
    ),
    Fault(
        "keyring_missing",
        "no usable keyring",
        ("R24",),
        "memory_only",
        endpoint=None,
    ),
    Fault("keyring_locked", "keyring locked", ("R24",), "locked", endpoint=None),
    Fault("keyring_slow", "keyring takes 5 s", ("R29",), "live", endpoint=None),
    Fault(
        "two_windows",
        "two windows, one session",
        ("R35", "R36"),
        "refreshed_once",
        front_ends=("window",),
        endpoint=None,
    ),
    Fault(
        "window_and_cli",
        "window and CLI at once",
        ("R35", "R19"),
        "refreshed_once",
        front_ends=("both",),
        endpoint=None,
    ),
    Fault(
        "parallel_20",
        "20 parallel token requests",
        ("R35", "R11"),
        "refreshed_once",
        endpoint=None,
    ),
)

ORDER = {fault.key: index for index, fault in enumerate(FAULTS)}


def rows(front_end: str, *expected: str) -> list[Fault]:
    """The rows for ``front_end``, optionally only those expecting ``expected``."""
    return [
        fault
        for fault in FAULTS
        if front_end in fault.front_ends
        and (not expected or fault.expected in expected)
    ]


def by_key(key: str) -> Fault:
    return next(fault for fault in FAULTS if fault.key == key)
