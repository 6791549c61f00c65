"""The running program: window, tray, services and a clean way out.

:class:`Shell` owns everything the window needs for its whole life and
decides the order of start and stop:

- start: show the window and the tray, then load the service layer (see
  :mod:`a7desktop.ui.services`) and attach the pages to it;
- stop: clear the clipboard if it still holds a secret, cancel every task,
  close the session engine (and its HTTP client) while the event loop still
  runs, stop the demo emulator, then let the loop end.

:func:`run_shell` runs a shell on a qasync loop; :mod:`a7desktop.ui.launch`
calls it once the window's first frame is on screen.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from a7desktop.core.errors import A7Error
from a7desktop.core.log import get_logger
from a7desktop.ui.collector import MainThreadCollector
from a7desktop.ui.context import StartOptions, WindowContext
from a7desktop.ui.tray import Tray
from a7desktop.ui.window import MainWindow

if TYPE_CHECKING:
    from a7desktop.core.config import Profile
    from a7desktop.ui.services import Services

log = get_logger("ui")

DEMO_PROFILE = "demo"


class Shell(QObject):
    """The window, the tray and the services of one running program."""

    def __init__(self, options: StartOptions, window: MainWindow | None = None) -> None:
        super().__init__()
        self.options = options
        if window is None:
            window = MainWindow(WindowContext(options))
        self.window = window
        self.context = window.context
        self.tray = Tray(self.context, self.window)
        self.window.tray_available = self.tray.available
        self.services: Services | None = None
        self.emulator: Any = None
        self._quit = asyncio.Event()
        self._closed = False
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.window.quit_requested.connect(self._on_window_quit_requested)
        self.window.profile_switch_requested.connect(
            self._on_window_profile_switch_requested
        )
        self.tray.quit_requested.connect(self._on_window_quit_requested)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._on_app_about_to_quit)

    # Life ---------------------------------------------------------------

    async def run(self) -> int:
        """Show the window, load the services, wait for quit, clean up."""
        self.tray.show()
        if not (self.options.minimized and self.tray.available):
            self.window.show()
        await self.open_services(self.options.profile, self.options.server)
        await self._quit.wait()
        await self.shutdown()
        return 0

    def request_quit(self) -> None:
        """Ask :meth:`run` to clean up and return."""
        self.window.prepare_quit()
        self._quit.set()

    async def open_services(self, profile_name: str, server: str | None) -> None:
        """Resolve the profile, load the service layer and attach the window.

        A failure (a bad settings file, a server the policy forbids, a
        locked keyring) is shown on the account page; the program stays open
        so the person can fix the settings.
        """
        try:
            profile = await self._resolve(profile_name, server)
            from a7desktop.ui.services import load_services

            services = await load_services(profile)
        except A7Error as error:
            log.error("could not start the service layer: %s", error)
            self.window.show_startup_error(str(error))
            return
        self.services = services
        self.window.attach(services)
        self.tray.attach(services)
        if services.start_notice:
            self.window.account.sign_in_page.notice.show_error(services.start_notice)
        if self.options.demo and self.options.demo_email:
            self.window.account.sign_in_page.prefill(
                self.options.demo_email, self.options.demo_password or ""
            )

    async def close_services(self) -> None:
        """Detach the window and close the engine (and its HTTP client)."""
        services, self.services = self.services, None
        if services is None:
            return
        self.tray.detach()
        self.window.detach()
        await services.aclose()

    async def shutdown(self) -> None:
        """Clear the clipboard, cancel tasks, close services; safe to repeat."""
        if self._closed:
            return
        self._closed = True
        self.window.prepare_quit()
        self.context.clipboard.clear_now()
        await self.context.tasks.cancel_all()
        await self.close_services()
        if self.emulator is not None:
            emulator, self.emulator = self.emulator, None
            await asyncio.get_running_loop().run_in_executor(None, emulator.stop)
        self.tray.hide()
        self.window.close()

    async def _resolve(self, profile_name: str, server: str | None) -> Profile:
        from a7desktop.core.config import resolve_profile

        if not self.options.demo:
            return resolve_profile(profile_name, server)
        return await self._start_demo(profile_name)

    async def _start_demo(self, profile_name: str) -> Profile:
        """Start the emulator in this process and a profile that points at it."""
        from a7desktop.core.config import resolve_profile
        from a7desktop.core.errors import UsageError

        try:
            from a7desktop.emulator import (
                DEMO_EMAIL,
                DEMO_PASSWORD,
                EmulatorConfig,
                EmulatorServer,
            )
        except ImportError:
            # Installers leave the emulator and its server stack out.
            raise UsageError(
                "--demo needs the local emulator, which this installation does "
                "not include; install a7desktop with its 'emulator' extra"
            ) from None

        if self.emulator is None:
            config = EmulatorConfig()
            emulator = EmulatorServer(config)
            await asyncio.get_running_loop().run_in_executor(None, emulator.start)
            self.emulator = emulator
            self.options = self.options._replace(
                demo_email=DEMO_EMAIL, demo_password=DEMO_PASSWORD
            )
            self.context.options = self.options
        name = DEMO_PROFILE if profile_name == "default" else profile_name
        profile = resolve_profile(name, self.emulator.url)
        settings = dataclasses.replace(
            profile.settings,
            google_issuer=self.emulator.google_issuer,
            google_client_id=self.emulator.state.config.google_client_id,
            google_client_secret=self.emulator.state.config.google_client_secret,
        )
        return dataclasses.replace(
            profile, settings=settings, mcp_url=self.emulator.mcp_url
        )

    # Slots --------------------------------------------------------------

    def _on_window_quit_requested(self) -> None:
        self.request_quit()

    def _on_window_profile_switch_requested(self, profile: str, server: str) -> None:
        async def switch() -> None:
            await self.close_services()
            await self.open_services(profile, server or None)

        self.context.tasks.start(switch(), name="switch profile")

    def _on_app_about_to_quit(self) -> None:
        # The session is ending (logout, shutdown): the loop may not run again,
        # so do at once what needs no loop.
        self.context.clipboard.clear_now()
        self.window.prepare_quit()


def _quit_on_signals(shell: Shell) -> None:
    """SIGTERM and SIGINT quit as the menu does (clipboard cleared, client closed).

    Python runs signal handlers only between bytecodes; the collector's timer
    wakes the interpreter twice a second, so a signal is handled promptly.
    """
    import signal

    def handler(_signum: int, _frame: object) -> None:
        shell.request_quit()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def run_shell(options: StartOptions, window: MainWindow) -> int:
    """Run ``window`` as the program on a qasync loop until it quits."""
    import qasync

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    collector = MainThreadCollector()
    collector.start()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    shell = Shell(options, window)
    _quit_on_signals(shell)
    try:
        with loop:
            try:
                return int(loop.run_until_complete(shell.run()))
            except RuntimeError:
                # The desktop session ended Qt's loop before the shell quit:
                # run the clean-up on the same loop once more.
                loop.run_until_complete(shell.shutdown())
                return 0
    finally:
        collector.stop()
