"""What the window shares with its pages, tray and dialogs.

One object, made at start-up before anything is painted: it holds no
service-layer object (those arrive later in
:class:`~a7desktop.ui.services.Services`), and nothing it holds is made
before it is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QObject, Signal

from a7desktop.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from a7desktop.ui.clipboard import SecretClipboard


class StartOptions(NamedTuple):
    """The window's command-line options (``_replace`` gives a changed copy).

    Attributes:
        profile: the profile to open.
        server: an explicit API base URL (over the environment and settings).
        demo: run against the emulator started in this process.
        minimized: start in the tray, without showing the window.
        self_test: paint once, check resources and the keyring, exit.
        demo_email: the demo account to fill into the sign-in form.
        demo_password: its password (the emulator's, never a real one; still
            left out of the ``repr``).
    """

    profile: str = "default"
    server: str | None = None
    demo: bool = False
    minimized: bool = False
    self_test: bool = False
    demo_email: str | None = None
    demo_password: str | None = None

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={value!r}"
            for name, value in zip(self._fields, self, strict=True)
            if name != "demo_password"
        )
        return f"StartOptions({shown})"


class StatusBus(QObject):
    """Short messages for the status bar, from anywhere in the window.

    Signals:
        message(str): a line to show for a few seconds.
    """

    message = Signal(str)


class WindowContext:
    """Shared by every part of the window.

    Attributes:
        options: how the program was started.
        tasks: runs and keeps every coroutine a slot starts.
        status: one-line status bar messages.
    """

    def __init__(self, options: StartOptions) -> None:
        self.options = options
        self.tasks = TaskRunner()
        self.status = StatusBus()
        self._clipboard: SecretClipboard | None = None

    @property
    def clipboard(self) -> SecretClipboard:
        """Copies secrets, marked and cleared after a timeout (made on first use)."""
        if self._clipboard is None:
            from a7desktop.ui.clipboard import SecretClipboard

            self._clipboard = SecretClipboard()
        return self._clipboard
