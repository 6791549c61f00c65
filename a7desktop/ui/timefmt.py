"""How the window writes times: local clock time and a relative phrase.

Pure functions of epoch seconds, so the session panel, the tray tooltip and
the tables agree and the tests need no screen.
"""

from __future__ import annotations

import time


def duration(seconds: float) -> str:
    """A short human duration: ``45 s``, ``7 min``, ``7 h 58 min``, ``3 d 4 h``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, _ = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def relative(at: float, now: float) -> str:
    """``in 7 h 58 min``, ``2 min ago`` or ``now``."""
    delta = at - now
    if abs(delta) < 1:
        return "now"
    if delta > 0:
        return f"in {duration(delta)}"
    return f"{duration(-delta)} ago"


def clock(at: float, now: float) -> str:
    """Local time of day, with the date when it is not today."""
    moment = time.localtime(at)
    today = time.localtime(now)
    if (moment.tm_year, moment.tm_yday) == (today.tm_year, today.tm_yday):
        return time.strftime("%H:%M:%S", moment)
    return time.strftime("%Y-%m-%d %H:%M", moment)


def local_and_relative(at: float | None, now: float) -> str:
    """``14:32:05 (in 7 h 58 min)``; an em dash when ``at`` is unknown."""
    if at is None:
        return "—"
    return f"{clock(at, now)} ({relative(at, now)})"


def date_only(at: float | None) -> str:
    """A local date for table cells; empty when unknown."""
    if at is None:
        return ""
    return time.strftime("%Y-%m-%d", time.localtime(at))
