"""Starting the window: options, the Qt application, the first frame, the loop.

``a7desktop`` with no command (or with ``--demo``, ``--minimized`` or
``--self-test``) calls :func:`run_window`. The order matters:

1. only Qt's three core modules and the window's frame are loaded, and the
   window is shown: a title, the list of pages and "Starting…";
2. after its first paint the rest is built one piece per turn of the event
   loop (icons, pages, menus and shortcuts, the tray), asyncio and qasync are
   loaded, and httpx, keyring and the session engine are imported on a
   worker thread;
3. the pages are attached to the session engine.

So the window appears almost as fast as a bare Qt window, and nothing the
first frame does not show delays it. Only one window runs per user: a
second start asks the first to come to the front and exits.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from a7desktop.ui.context import StartOptions

APP_NAME = "a7desktop"
DISPLAY_NAME = "Agent700 Desktop"
DESKTOP_FILE = "ai.agent700.a7desktop"
ORGANIZATION_DOMAIN = "agent700.ai"


def parse_options(argv: Sequence[str]) -> StartOptions:
    """Read the window's options; exits with status 2 on a usage error."""
    parser = argparse.ArgumentParser(
        prog="a7desktop",
        description="Open the Agent700 Desktop window.",
    )
    parser.add_argument("--profile", default="default", metavar="NAME")
    parser.add_argument("--server", metavar="URL")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run against a local emulator started in this process",
    )
    parser.add_argument(
        "--minimized", action="store_true", help="start in the tray, window hidden"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="paint once, check resources and the keyring, print one line, exit",
    )
    parser.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args(list(argv))
    return StartOptions(
        profile=args.profile,
        server=args.server,
        demo=args.demo,
        minimized=args.minimized,
        self_test=args.self_test,
    )


def create_application(argv: Sequence[str]) -> object:
    """Create the ``QApplication`` with the program's names.

    Only what the first frame needs: the icon and the rest come from
    :func:`finish_application` once the window is on screen.
    """
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationDomain(ORGANIZATION_DOMAIN)
    QGuiApplication.setApplicationDisplayName(DISPLAY_NAME)
    # Wayland shows the icon of the desktop file with this name. (Qt 6 scales
    # high-DPI screens by fractional factors already; nothing to set there.)
    QGuiApplication.setDesktopFileName(DESKTOP_FILE)
    return QApplication.instance() or QApplication([sys.argv[0], *argv])


def finish_application() -> None:
    """Set up what the first frame did not need; safe to call again.

    The bindings' workaround, the application icon (it loads the SVG
    renderer) and the macOS clipboard marker.
    """
    from PySide6.QtGui import QGuiApplication

    from a7desktop.ui import icons, qtfix
    from a7desktop.ui.clipboard import install_platform_converters

    qtfix.apply()
    QGuiApplication.setWindowIcon(icons.icon(icons.APP_ICON))
    install_platform_converters()


def run_window(argv: list[str]) -> int:
    """Open the window (or run the self-test); return the exit status."""
    from a7desktop.core.log import configure_logging

    options = parse_options(argv)
    configure_logging("--debug" in argv or os.environ.get("A7DESKTOP_DEBUG") == "1")
    create_application(argv)

    if options.self_test:
        from a7desktop.ui.selftest import run_self_test

        return run_self_test(options)

    from a7desktop.ui.launch import launch

    return launch(options)
