"""Starting the window at login, in the tray.

Linux (and other XDG desktops): a desktop entry in ``$XDG_CONFIG_HOME/autostart``.
Windows: a value under ``HKCU\\...\\CurrentVersion\\Run``. macOS: a launch
agent in ``~/Library/LaunchAgents``. Each starts ``a7desktop --minimized``.
"""

from __future__ import annotations

import contextlib
import os
import plistlib
import shlex
import shutil
import sys
from pathlib import Path

ENTRY_ID = "ai.agent700.a7desktop"
_RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
_RUN_VALUE = "Agent700 Desktop"


def command() -> list[str]:
    """The command that starts the window in the tray."""
    if getattr(sys, "frozen", False):
        # An installed bundle: its own executable, and on Windows the one
        # built without a console, so no console window opens at login.
        program = Path(sys.executable)
        windowed = program.with_name("a7desktopw.exe")
        if sys.platform == "win32" and windowed.exists():
            program = windowed
        return [str(program), "--minimized"]
    installed = shutil.which("a7desktop")
    if installed:
        return [installed, "--minimized"]
    return [sys.executable, "-m", "a7desktop", "--minimized"]


def autostart_path() -> Path:
    """Where the XDG autostart entry goes."""
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "autostart" / f"{ENTRY_ID}.desktop"


def _launch_agent_path() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{ENTRY_ID}.plist"


def desktop_entry(argv: list[str]) -> str:
    """The autostart desktop entry for ``argv``."""
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=Agent700 Desktop\n"
        "Comment=Keep the Agent700 session alive\n"
        f"Exec={shlex.join(argv)}\n"
        f"Icon={ENTRY_ID}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def is_enabled() -> bool:
    """Whether the window is set to start at login."""
    if sys.platform == "win32":
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, _RUN_KEY) as key:
                winreg.QueryValueEx(key, _RUN_VALUE)
        except OSError:
            return False
        return True
    if sys.platform == "darwin":
        return _launch_agent_path().exists()
    return autostart_path().exists()


def set_enabled(enabled: bool) -> None:
    """Turn starting at login on or off.

    Raises:
        OSError: the entry could not be written or removed.
    """
    argv = command()
    if sys.platform == "win32":
        import subprocess
        import winreg

        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, _RUN_KEY) as key:
            if enabled:
                line = subprocess.list2cmdline(argv)
                winreg.SetValueEx(key, _RUN_VALUE, 0, winreg.REG_SZ, line)
            else:
                with contextlib.suppress(FileNotFoundError):
                    winreg.DeleteValue(key, _RUN_VALUE)
        return
    path = _launch_agent_path() if sys.platform == "darwin" else autostart_path()
    if not enabled:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if sys.platform == "darwin":
        agent = {"Label": ENTRY_ID, "ProgramArguments": argv, "RunAtLoad": True}
        path.write_bytes(plistlib.dumps(agent))
    else:
        path.write_text(desktop_entry(argv), encoding="utf-8")
