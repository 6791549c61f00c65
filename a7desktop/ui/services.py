"""The service layer as the window uses it, loaded after the first paint.

The window paints before the network stack and the keyring are imported:
:func:`load_services` imports them on a worker thread (so the event loop
keeps painting while Python reads those modules), then opens the session
engine for the profile on the loop. Nothing in this module imports httpx or
keyring at module level.
"""

from __future__ import annotations

import asyncio
import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from a7desktop.core.log import get_logger

if TYPE_CHECKING:
    from a7desktop.core.app_passwords import AppPasswords
    from a7desktop.core.audit import AuditLog
    from a7desktop.core.config import Profile
    from a7desktop.core.engine import SessionEngine, VaultLike
    from a7desktop.core.mcp import McpKey
    from a7desktop.ui.adapter import SessionAdapter

log = get_logger("ui")

# Imported off the event loop thread before the engine is opened.
_HEAVY_MODULES = (
    "httpx",
    # httpcore loads anyio's asyncio backend on the first connection; loading
    # it here keeps that first request from stalling the window.
    "anyio._backends._asyncio",
    "keyring",
    "a7desktop.core.engine",
    "a7desktop.core.app_passwords",
    "a7desktop.core.mcp",
    "a7desktop.core.audit",
    "a7desktop.ui.adapter",
)


@dataclass
class Services:
    """What the pages need from the service layer for one profile.

    Attributes:
        profile: the resolved profile (server, settings, policy).
        engine: the session engine, started; the only writer of the session.
        adapter: the engine's events as Qt signals.
        app_passwords: list, create, keep, copy, test and revoke.
        mcp: the MCP API key kept in the vault.
        audit: the local security log.
        start_notice: why the engine started without the stored session
            (a locked keyring), for the sign-in page; ``None`` normally.
    """

    profile: Profile
    engine: SessionEngine
    adapter: SessionAdapter
    app_passwords: AppPasswords
    mcp: McpKey
    audit: AuditLog
    start_notice: str | None = None

    async def aclose(self) -> None:
        """Stop listening to the engine and close it (and its HTTP client)."""
        self.adapter.detach()
        await self.engine.aclose()


def _import_heavy() -> None:
    for name in _HEAVY_MODULES:
        importlib.import_module(name)


async def import_service_layer() -> None:
    """Import httpx, keyring and the engine on a worker thread."""
    await asyncio.get_running_loop().run_in_executor(None, _import_heavy)


def screen_resolution() -> str | None:
    """The primary screen's size in device-independent pixels, ``WIDTHxHEIGHT``."""
    from PySide6.QtGui import QGuiApplication

    # The first screen is the primary one; there may be none at all.
    screens = QGuiApplication.screens()
    if not screens:
        return None
    size = screens[0].size()
    if size.width() < 10 or size.height() < 10:
        return None
    return f"{size.width()}x{size.height()}"


async def record_screen(profile: Profile) -> None:
    """Record the screen size once, so every process sends the same fingerprint.

    The device fingerprint includes the screen resolution; the command line
    cannot see the screen, so the window writes it into the profile's
    settings the first time and never changes it afterwards (a new monitor
    alone is tolerated by the server's rule).
    """
    if profile.settings.screen_resolution is not None:
        return
    resolution = screen_resolution()
    if resolution is None:
        return
    from a7desktop.core.config import save_settings
    from a7desktop.core.errors import A7Error

    profile.settings.screen_resolution = resolution
    try:
        await asyncio.to_thread(save_settings, profile.name, profile.settings)
    except A7Error as error:
        log.warning("could not record the screen size: %s", error)


async def load_services(
    profile: Profile, *, vault: VaultLike | None = None
) -> Services:
    """Import the service layer and open a started engine for ``profile``.

    ``vault`` replaces the OS keyring's vault (tests, a sandbox).

    A locked keyring does not stop the window: the engine is then ready,
    signed out and keeping any new session in memory only (nothing stored is
    touched), and ``start_notice`` says so.

    Raises:
        A7Error: the engine could not start; the message is for the person.
    """
    await import_service_layer()

    from a7desktop.core.app_passwords import AppPasswords
    from a7desktop.core.audit import AuditLog
    from a7desktop.core.engine import open_engine
    from a7desktop.core.errors import VaultLocked
    from a7desktop.core.mcp import McpKey
    from a7desktop.ui.adapter import SessionAdapter

    await record_screen(profile)
    engine = open_engine(profile, vault=vault)
    adapter = SessionAdapter(engine)
    notice: str | None = None
    try:
        await engine.start()
    except VaultLocked as locked:
        notice = (
            f"{locked}. You can still sign in: the session will be kept in "
            "memory only, until you quit."
        )
        log.warning("keyring locked at start; offering a memory-only sign-in")
    except BaseException:
        adapter.detach()
        await engine.aclose()
        raise
    log.info("service layer ready for profile %s", profile.name)
    return Services(
        profile=profile,
        engine=engine,
        adapter=adapter,
        app_passwords=AppPasswords(engine),
        mcp=McpKey(engine),
        audit=AuditLog(profile.audit_path),
        start_notice=notice,
    )
