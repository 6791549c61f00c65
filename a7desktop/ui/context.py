"""What the window shares with its pages, tray and dialogs.

One object, made at start-up before anything is painted: it holds no
service-layer object (those arrive later in :class:`~a7desktop.ui.services.Services`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from a7desktop.ui.clipboard import SecretClipboard
from a7desktop.ui.tasks import TaskRunner


@dataclass(frozen=True)
class StartOptions:
    """The window's command-line options.

    Attributes:
        profile: the profile to open.
        server: an explicit API base URL (over the environment and settings).
        demo: run against the emulator started in this process.
        minimized: start in the tray, without showing the window.
        self_test: paint once, check resources and the keyring, exit.
    """

    profile: str = "default"
    server: str | None = None
    demo: bool = False
    minimized: bool = False
    self_test: bool = False
    demo_email: str | None = None
    demo_password: str | None = field(default=None, repr=False)


class StatusBus(QObject):
    """Short messages for the status bar, from anywhere in the window.

    Signals:
        message(str): a line to show for a few seconds.
    """

    message = Signal(str)


@dataclass
class WindowContext:
    """Shared by every part of the window.

    Attributes:
        options: how the program was started.
        tasks: runs and keeps every coroutine a slot starts.
        clipboard: copies secrets, marked and cleared after a timeout.
        status: one-line status bar messages.
    """

    options: StartOptions
    tasks: TaskRunner = field(default_factory=TaskRunner)
    clipboard: SecretClipboard = field(default_factory=SecretClipboard)
    status: StatusBus = field(default_factory=StatusBus)
