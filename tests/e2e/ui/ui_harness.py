"""Helpers for the window's end-to-end tests (see conftest.py for how they run)."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from a7desktop.core.config import Profile, resolve_profile
from a7desktop.core.engine import VaultLike
from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD, EmulatorServer
from a7desktop.ui.context import StartOptions, WindowContext
from a7desktop.ui.services import Services, load_services
from a7desktop.ui.window import MainWindow

T = TypeVar("T")

WAIT_MS = 20_000


def run(qtbot: QtBot, coro: Coroutine[Any, Any, T], timeout: int = WAIT_MS) -> T:
    """Drive ``coro`` on the running qasync loop until it ends; its result."""
    task = asyncio.get_running_loop().create_task(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


@dataclass
class Ui:
    """A window attached to the service layer for one fresh profile."""

    qtbot: QtBot
    window: MainWindow
    services: Services
    server: EmulatorServer

    def run(self, coro: Coroutine[Any, Any, T], timeout: int = WAIT_MS) -> T:
        return run(self.qtbot, coro, timeout)

    def wait_until(
        self, condition: Callable[[], object], timeout: int = WAIT_MS
    ) -> None:
        self.qtbot.waitUntil(lambda: bool(condition()), timeout=timeout)

    @property
    def engine(self) -> Any:
        return self.services.engine


def make_profile(
    server: EmulatorServer,
    *,
    refresh_lead_seconds: float | None = None,
    **settings: Any,
) -> Profile:
    """A profile of its own for one test, pointing at ``server``."""
    profile = resolve_profile(f"ui-{uuid.uuid4().hex[:10]}", server.url)
    config = server.state.config
    if refresh_lead_seconds is not None:
        settings["refresh_lead_seconds"] = refresh_lead_seconds
    changed = dataclasses.replace(
        profile.settings,
        google_issuer=server.google_issuer,
        google_client_id=config.google_client_id,
        google_client_secret=config.google_client_secret,
        **settings,
    )
    return dataclasses.replace(
        profile,
        settings=changed,
        mcp_url=server.mcp_url,
        refresh_lead_seconds=changed.refresh_lead_seconds,
    )


def open_window(
    qtbot: QtBot,
    server: EmulatorServer,
    profile: Profile,
    *,
    vault: VaultLike | None = None,
) -> tuple[MainWindow, Services]:
    """Build the window, show it, load the services and attach them.

    ``vault`` replaces the keyring's vault (a slow or failing backend).
    """
    context = WindowContext(StartOptions(profile=profile.name))
    # Not qtbot.addWidget: pytest-qt would delete the window before the
    # fixture's own teardown could detach it and close the engine.
    window = MainWindow(context)
    window.show()
    qtbot.waitExposed(window)
    services = run(qtbot, load_services(profile, vault=vault))
    window.attach(services)
    return window, services


def close_window(qtbot: QtBot, window: MainWindow, services: Services) -> None:
    """Undo :func:`open_window`: clipboard, tasks, session, engine, window."""
    window.context.clipboard.clear_now()
    run(qtbot, window.context.tasks.cancel_all())
    window.detach()
    if services.engine.session is not None:
        run(qtbot, services.engine.sign_out())
    run(qtbot, services.aclose())
    window.prepare_quit()
    window.close()
    window.deleteLater()
    qtbot.wait(10)


def sign_in_with_password(
    ui: Ui, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD
) -> None:
    """Type the credentials into the form and press Sign in."""
    page = ui.window.account.sign_in_page
    page.email.clear()
    page.password.clear()
    ui.qtbot.keyClicks(page.email, email)
    ui.qtbot.keyClicks(page.password, password)
    ui.qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)


def wait_signed_in(ui: Ui) -> None:
    """Wait until the session panel shows."""
    session = ui.window.account.session_page
    ui.wait_until(lambda: ui.window.account.layers.currentWidget() is session)


def wait_signed_out(ui: Ui) -> None:
    """Wait until the sign-in form shows."""
    form = ui.window.account.sign_in_page
    ui.wait_until(lambda: ui.window.account.layers.currentWidget() is form)


def sign_in(ui: Ui) -> None:
    """Sign in with the demo account through the form."""
    sign_in_with_password(ui)
    wait_signed_in(ui)


D = TypeVar("D", bound=QDialog)


def visible_dialog(kind: type[D], name: str) -> D | None:
    """The visible top-level dialog of ``kind`` named ``name``, if one is open."""
    for widget in QApplication.topLevelWidgets():
        visible = widget.isVisible()
        if isinstance(widget, kind) and widget.objectName() == name and visible:
            return widget
    return None


def wait_for_dialog(ui: Ui, kind: type[D], name: str) -> D:
    """Wait until :func:`visible_dialog` finds the dialog; return it."""
    ui.wait_until(lambda: visible_dialog(kind, name) is not None)
    found = visible_dialog(kind, name)
    assert found is not None
    return found
