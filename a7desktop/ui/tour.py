"""A scripted walk through every page, against the emulator, saving screenshots.

``scripts/screenshots`` runs it under Xvfb with a private keyring:
``python -m a7desktop.ui.tour OUT_DIR``. It starts the program as
``--demo`` does, signs in with the demo account, creates a few app
passwords, keeps an MCP key, and saves one PNG per page (plus the show-once
dialog, and the session panel in the dark theme) into ``OUT_DIR``.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from a7desktop.ui.context import StartOptions

if TYPE_CHECKING:
    from a7desktop.ui.shell import Shell

WINDOW_SIZE = (980, 660)
SETTLE = 0.4


def dark_palette() -> QPalette:
    """A dark palette like the ones desktops use in dark mode."""
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#202124",
        QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#17181a",
        QPalette.ColorRole.AlternateBase: "#26282b",
        QPalette.ColorRole.Text: "#e8eaed",
        QPalette.ColorRole.Button: "#2d2f33",
        QPalette.ColorRole.ButtonText: "#e8eaed",
        QPalette.ColorRole.Highlight: "#3b73c4",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#9aa0a6",
        QPalette.ColorRole.ToolTipBase: "#2d2f33",
        QPalette.ColorRole.ToolTipText: "#e8eaed",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    return palette


async def _settle(seconds: float = SETTLE) -> None:
    """Let Qt lay out and paint before a picture is taken."""
    await asyncio.sleep(seconds)
    QApplication.processEvents()


def _save(widget: QWidget, path: Path) -> None:
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    print(f"saved {path}")


async def _wait(condition: Callable[[], object]) -> None:
    """Poll ``condition`` until true; TimeoutError after 20 s."""
    async with asyncio.timeout(20):
        while not condition():  # noqa: ASYNC110 (widget state has no event)
            await asyncio.sleep(0.05)


async def tour(shell: Shell, out: Path) -> None:
    """Walk the pages of ``shell``'s window and save a picture of each."""
    window = shell.window
    window.resize(*WINDOW_SIZE)
    window.show()
    await shell.open_services("default", None)
    services = shell.services
    assert services is not None
    account = window.account

    await _wait(lambda: account.layers.currentWidget() is account.sign_in_page)
    await _settle()
    _save(window, out / "sign-in.png")

    account.sign_in_page.sign_in_button.click()
    await _wait(lambda: account.layers.currentWidget() is account.session_page)
    await _wait(
        lambda: account.session_page.fields["heartbeat"].text().startswith("OK")
    )
    await _settle()
    _save(window, out / "session.png")

    for name in ("CI pipeline", "Deploy bot", "Laptop scripts"):
        await services.app_passwords.create(name, keep=name != "Deploy bot")
    window.show_page(1)
    page = window.app_passwords
    await _wait(lambda: page.model.rowCount() == 3)
    page.select_id(page.model.rows[0].info.id)
    await _settle()
    _save(window, out / "app-passwords.png")

    created = await services.app_passwords.create("New integration", keep=True)
    page._show_once(created)
    dialog = page._dialog
    assert dialog is not None
    await _settle()
    _save(dialog, out / "new-app-password.png")
    dialog.reject()
    await services.app_passwords.revoke(created.info.id)

    mcp_key = getattr(shell.emulator.state.config, "mcp_api_key", "")
    await services.mcp.set(mcp_key)
    window.show_page(2)
    window.mcp.on_attached(services)
    await _wait(lambda: window.mcp.has_key)
    window.mcp.test_button.click()
    await _wait(lambda: "accepted" in window.mcp.notice.text())
    await _settle()
    _save(window, out / "mcp-key.png")

    window.show_page(3)
    await _wait(lambda: window.activity.tree.topLevelItemCount() > 2)
    await _settle()
    _save(window, out / "activity.png")

    window.show_page(4)
    await _settle()
    _save(window, out / "settings.png")

    # Xvfb has no desktop theme to follow, so the dark theme is set by hand,
    # as a desktop does when it switches theme; the icons follow the palette.
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    light = app.palette()
    app.setPalette(dark_palette())
    window.show_page(0)
    await _settle(0.8)
    _save(window, out / "session-dark.png")
    app.setPalette(light)


def main(argv: list[str]) -> int:
    """Run the tour; ``argv[0]`` is the folder for the pictures."""
    import qasync

    from a7desktop.ui.app import create_application
    from a7desktop.ui.shell import Shell

    out = Path(argv[0] if argv else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = create_application([])
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    shell = Shell(StartOptions(demo=True))

    async def run() -> None:
        try:
            await tour(shell, out)
        finally:
            await shell.shutdown()

    with loop:
        loop.run_until_complete(run())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
