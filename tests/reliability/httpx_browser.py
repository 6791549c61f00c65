"""A "browser" for ``a7desktop login --google``: follows the consent page with httpx.

``BROWSER="python httpx_browser.py %s"`` makes the command's ``webbrowser``
call run this with the authorization URL. With the emulator's consent set to
approve by itself, the page redirects straight back to the command's
loopback listener, which is all a person's browser would do here.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import httpx


def command() -> str:
    """The ``BROWSER`` value that runs this script on the URL."""
    parts = [sys.executable, str(Path(__file__).resolve())]
    return " ".join(shlex.quote(part) for part in parts) + " %s"


def main(url: str) -> int:
    answer = httpx.get(url, follow_redirects=True, timeout=30)
    return 0 if answer.status_code == 200 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
