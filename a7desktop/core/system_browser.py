"""Opening a URL in the person's own browser from the command line.

The standard ``webbrowser`` module does the work and honours ``BROWSER``.
Two of its habits need a guard:

- With no graphical session it falls back to text browsers (lynx, w3m),
  which would take over the terminal the sign-in URL is printed on. Without
  a display and without ``BROWSER`` we report "no browser" instead, and the
  caller shows the URL to open elsewhere.
- A ``BROWSER`` command is waited for, and some browsers stay in the
  foreground until they are closed. The call runs on its own thread, and a
  launcher still running after a moment counts as a browser that opened.

The window does not use this: it opens URLs through ``QDesktopServices``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
import webbrowser

from a7desktop.core.log import get_logger

log = get_logger("oauth")

# How long a launcher may run before we take it as a browser that stays open.
LAUNCH_SETTLE_SECONDS = 3.0


def has_graphical_browser() -> bool:
    """Whether a browser outside the terminal can be expected to open."""
    if os.environ.get("BROWSER"):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _open_blocking(url: str) -> bool:
    try:
        return webbrowser.open(url, new=2)
    except Exception as error:  # any launcher failure means "show the URL"
        log.warning("the browser launcher failed: %s", type(error).__name__)
        return False


async def open_system_browser(
    url: str, *, settle: float = LAUNCH_SETTLE_SECONDS
) -> bool:
    """Open ``url`` in the system browser; return whether one opened.

    Never blocks the event loop. ``False`` means the caller should show the
    URL for the person to open by hand.
    """
    if not has_graphical_browser():
        log.info("no graphical session and no BROWSER set; not opening a browser")
        return False

    loop = asyncio.get_running_loop()
    outcome: asyncio.Future[bool] = loop.create_future()

    def report(opened: bool) -> None:
        if not outcome.done():
            outcome.set_result(opened)

    def launch() -> None:
        opened = _open_blocking(url)
        # The loop may be gone if the launcher outlived the program.
        if not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(report, opened)

    # A daemon thread, not the loop's executor: a browser that stays in the
    # foreground must not hold up the program's exit.
    threading.Thread(target=launch, name="a7desktop-browser", daemon=True).start()
    try:
        return await asyncio.wait_for(asyncio.shield(outcome), timeout=settle)
    except TimeoutError:
        log.debug("browser launcher still running; taking it as opened")
        return True
