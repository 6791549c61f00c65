"""Opening the real window on an engine whose collaborators a row chooses.

The window's own start-up (``a7desktop.ui.services.load_services``) opens
the engine with the real clock, vault and timeouts. A fault row needs one of
them swapped: a clock that jumps (a suspend, time passing without waiting),
a keyring backend that misbehaves, short HTTP timeouts. :func:`attach`
does what ``load_services`` does with such an engine, through the same
public pieces (``open_engine``, ``SessionAdapter``, ``Services``), and the
window is attached exactly as at start-up.

:class:`WindowRow` is the end-to-end harness's ``Ui`` plus the row's clock,
so the harness's helpers (sign in through the form, wait for the panel)
work on it unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot
from ui_harness import Ui, make_profile, run

from a7desktop.core.api import ApiClient
from a7desktop.core.app_passwords import AppPasswords
from a7desktop.core.audit import AuditLog
from a7desktop.core.config import Profile
from a7desktop.core.engine import SessionEngine, VaultLike, open_engine
from a7desktop.core.errors import VaultError
from a7desktop.core.fingerprint import device_fingerprint
from a7desktop.core.mcp import McpKey
from a7desktop.core.vault import Vault
from a7desktop.emulator import EmulatorServer
from a7desktop.ui.adapter import SessionAdapter
from a7desktop.ui.context import StartOptions, WindowContext
from a7desktop.ui.services import Services, record_screen
from a7desktop.ui.window import MainWindow

# The refresh timer looks at the (jumping) wall clock this often.
CHECK_INTERVAL = 0.05


class JumpingClock:
    """The real wall clock plus an offset a row can jump; sleeps are real.

    ``asyncio`` sleeps do not see the jumps, exactly like a laptop that
    wakes from suspend: the monotonic clock stood still, the wall clock moved.
    """

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(seconds, 0.0))

    def jump(self, seconds: float) -> None:
        self.offset += seconds


EngineFactory = Callable[[Profile, JumpingClock], SessionEngine]


def default_engine(
    *, vault: VaultLike | None = None, timeouts: httpx.Timeout | None = None
) -> EngineFactory:
    """An engine as ``open_engine`` makes it, with the given collaborators."""

    def make(profile: Profile, clock: JumpingClock) -> SessionEngine:
        if timeouts is None:
            return open_engine(
                profile, vault=vault, clock=clock, check_interval=CHECK_INTERVAL
            )
        api = ApiClient(
            profile.server, device_fingerprint(profile.settings), timeouts=timeouts
        )
        chosen = vault if vault is not None else Vault()
        return SessionEngine(
            profile, api, chosen, clock=clock, check_interval=CHECK_INTERVAL
        )

    return make


async def attach(
    window: MainWindow, profile: Profile, clock: JumpingClock, factory: EngineFactory
) -> Services:
    """Start an engine for ``profile`` and attach ``window`` to it (as at start-up)."""
    await record_screen(profile)
    engine = factory(profile, clock)
    adapter = SessionAdapter(engine)
    try:
        await engine.start()
    except BaseException:
        adapter.detach()
        await engine.aclose()
        raise
    services = Services(
        profile=profile,
        engine=engine,
        adapter=adapter,
        app_passwords=AppPasswords(engine),
        mcp=McpKey(engine),
        audit=AuditLog(profile.audit_path),
    )
    window.attach(services)
    return services


@dataclass
class WindowRow(Ui):
    """A window for one row: the harness's ``Ui`` plus the row's clock."""

    clock: JumpingClock = field(default_factory=JumpingClock)
    signed_out: list[tuple[str, str]] = field(default_factory=list)

    @property
    def panel(self) -> Any:
        return self.window.account.session_page

    @property
    def form(self) -> Any:
        return self.window.account.sign_in_page

    def refreshed(self) -> bool:
        """Whether the panel reports a refresh (or a session adopted from another)."""
        text = str(self.panel.fields["last_refresh"].text())
        return text.startswith(("refreshed", "adopted"))

    def watch_sign_outs(self) -> None:
        """Count the sign-in prompts the window is asked to show."""
        self.services.adapter.signed_out.connect(
            lambda reason, message: self.signed_out.append((reason, message))
        )

    def jump_to_due(self, seconds_left: float = 250.0) -> None:
        """Jump the clock so the access token has ``seconds_left`` (inside the lead)."""
        session = self.engine.session
        assert session is not None
        self.clock.jump(session.expires_in(self.clock.time()) - seconds_left)

    def jump_past(self, moment: float, extra: float = 1.0) -> None:
        self.clock.jump(max(0.0, moment - self.clock.time()) + extra)

    def agents_status(self) -> int:
        """An authenticated call through the window's engine (as the pages make)."""
        response = self.run(self.engine.request("GET", "/agents"))
        return int(response.status_code)


class Heartbeat:
    """A Qt timer that counts its ticks: if it ticks, the window is not frozen."""

    def __init__(self, interval_ms: int = 20) -> None:
        self.ticks = 0
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        self.ticks += 1

    def stop(self) -> None:
        self._timer.stop()


class WindowRows:
    """Opens windows for a row and closes them all afterwards."""

    def __init__(self, qtbot: QtBot, server: EmulatorServer) -> None:
        self.qtbot = qtbot
        self.server = server
        self.opened: list[WindowRow] = []

    def profile(self, **settings: Any) -> Profile:
        return make_profile(self.server, **settings)

    def window(self) -> MainWindow:
        window = MainWindow(WindowContext(StartOptions()))
        window.show()
        self.qtbot.waitExposed(window)
        return window

    def open(
        self,
        profile: Profile | None = None,
        factory: EngineFactory | None = None,
        window: MainWindow | None = None,
    ) -> WindowRow:
        """A window attached to a fresh engine for ``profile`` (a new one if None)."""
        chosen = profile or self.profile()
        shown = window or self.window()
        clock = JumpingClock()
        services = run(
            self.qtbot, attach(shown, chosen, clock, factory or default_engine())
        )
        row = WindowRow(self.qtbot, shown, services, self.server, clock)
        row.watch_sign_outs()
        self.opened.append(row)
        return row

    def close(self) -> None:
        for row in reversed(self.opened):
            window, services = row.window, row.services
            window.context.clipboard.clear_now()
            run(self.qtbot, window.context.tasks.cancel_all())
            window.detach()
            run(self.qtbot, services.aclose())
            run(self.qtbot, _forget(services.profile.name))
            window.prepare_quit()
            window.close()
            window.deleteLater()
        self.opened.clear()
        self.qtbot.wait(10)


async def _forget(profile: str) -> None:
    """Leave nothing of the row in the shared test keyring."""
    vault = Vault()
    try:
        with contextlib.suppress(VaultError):
            await vault.delete_session(profile)
    finally:
        vault.close()


def each_row(qtbot: QtBot, server: EmulatorServer) -> Iterator[WindowRows]:
    """The body of a fixture: windows for one test, all closed afterwards."""
    rows = WindowRows(qtbot, server)
    try:
        yield rows
    finally:
        rows.close()
