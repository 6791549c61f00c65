"""The ``a7desktop`` command line.

No path through this package imports Qt: tools call ``a7desktop token`` many
times, often in parallel, and must not pay for a window toolkit. Heavy
modules (httpx, the session engine) are imported only by the commands that
talk to the server; ``token`` with a valid stored token reads the keyring
once and prints.

Exit codes: 0 success, 1 failure, 2 usage, 4 not signed in, 130 interrupted.
Errors are one line on stderr, never a traceback and never a secret.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence

from a7desktop import __version__
from a7desktop.core.errors import A7Error, NotSignedIn, SessionExpired
from a7desktop.core.log import configure_logging

LOGIN_HINT = "a7desktop login"

Handler = Callable[[argparse.Namespace], int]

# Options that belong to the window; with any of them (or no command at all)
# the window opens instead of the command line.
WINDOW_OPTIONS = ("--demo", "--self-test", "--minimized")


def build_parser() -> argparse.ArgumentParser:
    """Return the parser for every command, with its handler in ``func``."""
    from a7desktop.cli import (
        app_password_cmds,
        config_cmds,
        doctor_cmd,
        mcp_cmds,
        session_cmds,
    )

    parser = argparse.ArgumentParser(
        prog="a7desktop",
        description="Sign in to the Agent700 API and hand credentials to tools.",
        epilog="Run without a command to open the window.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument(
        "--server",
        metavar="URL",
        help="API base URL (over AGENT700_API_URL and the profile's setting)",
    )
    parser.add_argument(
        "--profile",
        metavar="NAME",
        default="default",
        help="keep several accounts or servers side by side (default: default)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="log every step to stderr (secrets are redacted)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    session_cmds.register(commands)
    app_password_cmds.register(commands)
    mcp_cmds.register(commands)
    config_cmds.register(commands)
    doctor_cmd.register(commands)
    return parser


# Global options that take a value, so the word after them is no command.
VALUE_OPTIONS = ("--server", "--profile")


def _wants_window(argv: Sequence[str]) -> bool:
    """True when no command is named (``a7desktop``, ``a7desktop --debug``)
    or a window option is given; help and version stay on the command line."""
    if any(arg in WINDOW_OPTIONS for arg in argv):
        return True
    words = iter(argv)
    for word in words:
        if word in ("-h", "--help", "--version"):
            return False
        if word in VALUE_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            return False
    return True


def run(argv: Sequence[str]) -> int:
    """Parse ``argv`` and run one command; return the process exit code."""
    if _wants_window(argv):
        return _run_window(argv)

    parser = build_parser()
    args = parser.parse_args(list(argv))
    debug = args.debug or os.environ.get("A7DESKTOP_DEBUG") == "1"
    configure_logging(debug)
    func: Handler | None = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2

    try:
        return func(args)
    except A7Error as error:
        message = str(error)
        if (
            isinstance(error, NotSignedIn | SessionExpired)
            and LOGIN_HINT not in message
        ):
            message = f"{message}; run: {LOGIN_HINT}"
        print(f"a7desktop: {message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("a7desktop: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # the last line of defence: never a traceback
        logging.getLogger("a7desktop.cli").debug("unexpected error", exc_info=True)
        print(
            f"a7desktop: unexpected {type(error).__name__}; "
            "run again with --debug for details",
            file=sys.stderr,
        )
        return 1


def _run_window(argv: Sequence[str]) -> int:
    try:
        from a7desktop.ui.app import run_window  # type: ignore[import-not-found, unused-ignore]
    except ImportError as error:
        print(f"a7desktop: the window cannot start: {error}", file=sys.stderr)
        return 1
    result: int = run_window(list(argv))
    return result
