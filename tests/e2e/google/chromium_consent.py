"""Drive Debian's headless Chromium through a consent page, as a person would.

Chromium is started with ``--remote-debugging-pipe``: the DevTools protocol
then runs over two inherited pipes (NUL-separated JSON), so no WebSocket
client and no driver binary are needed. The helper waits for the button,
moves the mouse onto it and clicks it with real mouse events, then waits
until the browser has left the consent page (the redirect to the program's
loopback listener) and returns what that page shows.

Three ways to use it:

- ``click_through(url)``: blocking; returns a :class:`ConsentOutcome`.
- ``ChromiumConsent()``: a browser opener for ``browser_sign_in``; calling
  it with the URL starts the click-through on a thread and returns True at
  once; ``outcome()`` waits for the result.
- As the ``BROWSER`` of a program under test (the command line's
  ``login --google``): ``browser_command(outcome_file)`` returns the value
  to put in ``BROWSER``; the script writes the outcome as JSON to the file.

Run directly: ``python chromium_consent.py [--button deny] [--outcome F] URL``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("A7_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1000,800",
    "--remote-debugging-pipe",
)
DEFAULT_TIMEOUT = 25.0

# The shell moves the two pipe ends given as stdin and stdout to the fds
# Chromium reads DevTools commands from (3) and writes answers to (4).
_PIPE_WRAPPER = 'exec 3<&0 4>&1 0</dev/null 1>/dev/null; exec "$0" "$@"'

_FIND_BUTTON = """(() => {
  const button = document.getElementById(%s);
  if (!button || document.readyState !== "complete") return null;
  button.scrollIntoView({block: "center"});
  const box = button.getBoundingClientRect();
  return {x: box.left + box.width / 2, y: box.top + box.height / 2,
          origin: location.origin};
})()"""

_WHERE_AM_I = """(() => ({
  href: location.href, origin: location.origin, ready: document.readyState,
  title: document.title,
  text: document.body ? document.body.innerText : ""
}))()"""


class BrowserError(Exception):
    """Chromium could not be driven through the page."""


@dataclass(frozen=True)
class ConsentOutcome:
    """The page the browser landed on after the click.

    ``url`` is kept out of the repr: it holds the authorization code.
    """

    url: str = field(repr=False)
    title: str
    text: str


class DevToolsPipe:
    """A minimal DevTools protocol client over Chromium's debugging pipe."""

    def __init__(self, to_browser: int, from_browser: int) -> None:
        self._out = to_browser
        self._in = from_browser
        self._buffer = b""
        self._next_id = 0

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session: str | None = None,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """Send one command and return its result; events are skipped."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method}
        message["params"] = params or {}
        if session is not None:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")

        deadline = time.monotonic() + timeout
        while True:
            for reply in self._drain():
                if reply.get("id") == self._next_id:
                    if "error" in reply:
                        raise BrowserError(f"{method}: {reply['error']}")
                    result: dict[str, Any] = reply.get("result", {})
                    return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrowserError(f"{method}: no answer from Chromium")
            readable, _, _ = select.select([self._in], [], [], remaining)
            if readable:
                chunk = os.read(self._in, 1 << 16)
                if not chunk:
                    raise BrowserError("Chromium closed the DevTools pipe")
                self._buffer += chunk

    def _drain(self) -> Iterator[dict[str, Any]]:
        while b"\0" in self._buffer:
            raw, self._buffer = self._buffer.split(b"\0", 1)
            yield json.loads(raw)


@contextlib.contextmanager
def launch_chromium(url: str, *, chromium: str = CHROMIUM) -> Iterator[DevToolsPipe]:
    """Start headless Chromium on ``url`` with a throwaway profile; stop it after."""
    to_browser_read, to_browser_write = os.pipe()
    from_browser_read, from_browser_write = os.pipe()
    with (
        tempfile.TemporaryDirectory(prefix="a7-chromium-") as profile,
        tempfile.TemporaryFile() as stderr,
    ):
        command = [
            "sh",
            "-c",
            _PIPE_WRAPPER,
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            url,
        ]
        process = subprocess.Popen(
            command,
            stdin=to_browser_read,
            stdout=from_browser_write,
            stderr=stderr,
            start_new_session=True,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        pipe = DevToolsPipe(to_browser_write, from_browser_read)
        try:
            yield pipe
        except BrowserError as error:
            stderr.seek(0)
            tail = stderr.read().decode("utf-8", "replace")[-1500:]
            raise BrowserError(f"{error}\n--- chromium stderr ---\n{tail}") from None
        finally:
            with contextlib.suppress(BrowserError, OSError):
                pipe.call("Browser.close", timeout=5.0)
            try:
                process.wait(timeout=10.0)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10.0)
            os.close(to_browser_write)
            os.close(from_browser_read)


def _evaluate(pipe: DevToolsPipe, session: str, expression: str) -> Any:
    result = pipe.call(
        "Runtime.evaluate",
        {"expression": expression, "returnByValue": True},
        session=session,
    )
    if "exceptionDetails" in result:
        return None
    return result.get("result", {}).get("value")


def _poll(deadline: float, what: str, probe: Any) -> Any:
    while time.monotonic() < deadline:
        with contextlib.suppress(BrowserError):
            value = probe()
            if value:
                return value
        time.sleep(0.1)
    raise BrowserError(f"timed out waiting for {what}")


def _attach_to_page(pipe: DevToolsPipe, deadline: float) -> str:
    def page_target() -> str | None:
        targets = pipe.call("Target.getTargets")["targetInfos"]
        pages = [target for target in targets if target["type"] == "page"]
        return pages[0]["targetId"] if pages else None

    target_id = _poll(deadline, "the page to open", page_target)
    attached = pipe.call(
        "Target.attachToTarget", {"targetId": target_id, "flatten": True}
    )
    session: str = attached["sessionId"]
    return session


def _click(pipe: DevToolsPipe, session: str, x: float, y: float) -> None:
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        pipe.call(
            "Input.dispatchMouseEvent",
            {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
            session=session,
        )


def click_through(
    url: str,
    *,
    button: str = "approve",
    timeout: float = DEFAULT_TIMEOUT,
    chromium: str = CHROMIUM,
) -> ConsentOutcome:
    """Open ``url``, click the element with id ``button``, return where it led.

    Raises:
        BrowserError: Chromium failed, the button never appeared, or the
            browser did not leave the page before ``timeout``.
    """
    deadline = time.monotonic() + timeout
    with launch_chromium(url, chromium=chromium) as pipe:
        session = _attach_to_page(pipe, deadline)
        target = _poll(
            deadline,
            f"the #{button} button",
            lambda: _evaluate(pipe, session, _FIND_BUTTON % json.dumps(button)),
        )
        _click(pipe, session, target["x"], target["y"])

        def landed() -> dict[str, Any] | None:
            where = _evaluate(pipe, session, _WHERE_AM_I)
            if (
                isinstance(where, dict)
                and where["origin"] != target["origin"]
                and where["ready"] == "complete"
            ):
                return where
            return None

        page = _poll(deadline, "the browser to leave the consent page", landed)
        return ConsentOutcome(url=page["href"], title=page["title"], text=page["text"])


class ChromiumConsent:
    """A browser opener that clicks through the consent page on a thread.

    Pass an instance where a ``Callable[[str], bool]`` opener is expected.
    """

    def __init__(self, *, button: str = "approve", timeout: float = DEFAULT_TIMEOUT):
        self.button = button
        self.timeout = timeout
        self.opened_urls: list[str] = []
        self._thread: threading.Thread | None = None
        self._outcome: ConsentOutcome | None = None
        self._error: BaseException | None = None

    def __call__(self, url: str) -> bool:
        if self._thread is not None:
            raise BrowserError("this opener already opened a page")
        self.opened_urls.append(url)
        self._thread = threading.Thread(
            target=self._run, args=(url,), name="chromium-consent", daemon=True
        )
        self._thread.start()
        return True

    def _run(self, url: str) -> None:
        try:
            self._outcome = click_through(url, button=self.button, timeout=self.timeout)
        except BaseException as error:  # reported by outcome()
            self._error = error

    def outcome(self, timeout: float = DEFAULT_TIMEOUT + 15.0) -> ConsentOutcome:
        """Wait for the click-through to finish and return its outcome."""
        if self._thread is None:
            raise BrowserError("no page was opened")
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise BrowserError("the browser thread did not finish")
        if self._error is not None:
            raise self._error
        assert self._outcome is not None
        return self._outcome


def browser_command(outcome_file: Path, *, button: str = "approve") -> str:
    """The ``BROWSER`` value that runs this script on the URL.

    Python's ``webbrowser`` replaces ``%s`` with the URL and waits for the
    command; ``--detach`` makes the script return at once and go on in the
    background, as a real browser's launcher does.
    """
    parts = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--detach",
        "--button",
        button,
        "--outcome",
        str(outcome_file),
    ]
    return " ".join(shlex.quote(part) for part in parts) + " %s"


def read_outcome(outcome_file: Path, timeout: float = DEFAULT_TIMEOUT + 15.0) -> Any:
    """Wait for the script started by :func:`browser_command` and read its result.

    Returns the outcome's fields as a dict, or raises :class:`BrowserError`
    with the script's error.
    """
    deadline = time.monotonic() + timeout
    while not outcome_file.exists():
        if time.monotonic() > deadline:
            raise BrowserError("the browser script wrote no outcome")
        time.sleep(0.1)
    result = json.loads(outcome_file.read_text())
    if "error" in result:
        raise BrowserError(result["error"])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--button", default="approve")
    parser.add_argument("--outcome", type=Path)
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    parser.add_argument(
        "--detach", action="store_true", help="return at once, work in the background"
    )
    args = parser.parse_args(argv)
    if args.detach:
        # This script is single-threaded here, so forking is safe. The parent
        # returns to the launcher; the child leaves its session and goes on.
        if os.fork() > 0:
            return 0
        os.setsid()
    try:
        outcome = click_through(args.url, button=args.button, timeout=args.timeout)
    except BrowserError as error:
        result: dict[str, Any] = {"error": str(error)}
    else:
        result = asdict(outcome)
    if args.outcome is not None:
        staging = args.outcome.with_suffix(".partial")
        staging.write_text(json.dumps(result))
        staging.replace(args.outcome)
    print(result.get("title") or result.get("error"), file=sys.stderr)
    return 1 if "error" in result else 0


if __name__ == "__main__":
    sys.exit(main())
