"""Starting the window: options, the Qt application, the event loop, the shell.

``a7desktop`` with no command (or with ``--demo``, ``--minimized`` or
``--self-test``) calls :func:`run_window`. The order matters:

1. Qt and the window's own modules are imported and the window is shown;
2. after its first paint, httpx, keyring and the session engine are
   imported on a worker thread and the engine is started;
3. the pages are attached to it.

So the window appears as fast as a bare Qt window, and the network stack and
the keyring never delay it. Only one window runs per user: a second start
asks the first to come to the front and exits.
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
    """Create the ``QApplication`` with the program's names and icon."""
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationDomain(ORGANIZATION_DOMAIN)
    QGuiApplication.setApplicationDisplayName(DISPLAY_NAME)
    # Wayland shows the icon of the desktop file with this name.
    QGuiApplication.setDesktopFileName(DESKTOP_FILE)
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    from a7desktop.ui import icons, qtfix
    from a7desktop.ui.clipboard import install_platform_converters

    qtfix.apply()

    QGuiApplication.setWindowIcon(icons.icon(icons.APP_ICON))
    install_platform_converters()
    return app


def run_window(argv: list[str]) -> int:
    """Open the window (or run the self-test); return the exit status."""
    from a7desktop.core.log import configure_logging

    options = parse_options(argv)
    configure_logging("--debug" in argv or os.environ.get("A7DESKTOP_DEBUG") == "1")
    create_application(argv)

    if options.self_test:
        from a7desktop.ui.selftest import run_self_test

        return run_self_test(options)

    from a7desktop.ui.shell import run_shell

    return run_shell(options)
