"""Starting the window: the first paint comes before the network stack and keyring."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QDeadlineTimer

from a7desktop.ui.app import parse_options


def _run(*args: str, script: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, "-c", script] if script else [sys.executable, *args]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=60, env=env, check=False
    )


# Runs the program as ``a7desktop`` does and, at the main window's first
# paint, prints the modules loaded and what the window shows, then leaves.
_FIRST_FRAME_PROBE = """
import os, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from a7desktop.ui import launch, window

def report(shown):
    print(",".join(sorted(sys.modules)))
    print(shown.nav.count(), shown.stack.currentWidget() is not None)
    sys.stdout.flush()
    os._exit(0)

class Watch(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, lambda: report(watched))
        return False

watch = Watch()

class Watched(window.MainWindow):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.installEventFilter(watch)

launch.MainWindow = Watched
from a7desktop.__main__ import main
main(["--profile", "first-frame"])
"""

# Nothing the first frame does not show is loaded before it is painted.
_NOT_BEFORE_FIRST_PAINT = (
    "asyncio",
    "qasync",
    "httpx",
    "httpcore",
    "keyring",
    "secretstorage",
    "jwt",
    "PySide6.QtSvg",
    "PySide6.QtNetwork",
    "a7desktop.core.engine",
    "a7desktop.core.config",
    "a7desktop.ui.icons",
    "a7desktop.ui.clipboard",
    "a7desktop.ui.tray",
    "a7desktop.ui.pages.account",
    "a7desktop.ui.pages.app_passwords",
)


def test_the_first_frame_is_painted_before_anything_it_does_not_show(
    a7home: Path, tmp_path: Path
) -> None:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(runtime))

    result = subprocess.run(
        [sys.executable, "-c", _FIRST_FRAME_PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    modules_line, frame_line = result.stdout.splitlines()
    loaded = set(modules_line.split(","))
    assert [name for name in _NOT_BEFORE_FIRST_PAINT if name in loaded] == []
    assert frame_line == "5 True"


def test_the_window_builds_its_pages_after_the_first_paint(qapp: object) -> None:
    """The first frame holds the page list; every page exists soon after."""
    from a7desktop.ui.context import StartOptions, WindowContext
    from a7desktop.ui.launch import wait_for_first_paint
    from a7desktop.ui.window import MainWindow

    window = MainWindow(WindowContext(StartOptions()))
    built: list[bool] = []
    window.pages_built.connect(lambda: built.append(True))
    window.show()

    assert wait_for_first_paint(window, 10_000)
    deadline = QDeadlineTimer(10_000)
    while not built and not deadline.hasExpired():
        QCoreApplication.processEvents()

    assert built == [True]
    assert [page.title for page in window.pages] == [
        "Account",
        "App passwords",
        "MCP key",
        "Activity",
        "Settings",
    ]
    assert window.menu_actions is not None
    assert not window.menu_actions.copy_token_action.isEnabled()
    window.prepare_quit()
    window.close()
    window.deleteLater()


@pytest.mark.keyring
def test_self_test_prints_one_line_and_names_the_keyring() -> None:
    result = _run("-m", "a7desktop", "--self-test")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("a7desktop self-test: ok")
    assert "keyring SecretService" in lines[0]
    assert result.stderr == ""


def test_self_test_fails_with_the_reason(
    qapp: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from a7desktop.ui import icons, selftest
    from a7desktop.ui.context import StartOptions

    def broken() -> int:
        raise ValueError("icon 'copy' does not render")

    monkeypatch.setattr(icons, "check_all", broken)

    assert selftest.run_self_test(StartOptions(self_test=True)) == 1
    assert "FAILED: icon 'copy' does not render" in capsys.readouterr().err


def test_window_options_are_read_from_the_command_line() -> None:
    options = parse_options(
        ["--demo", "--profile", "work", "--server", "http://127.0.0.1:9/api"]
    )

    assert options.demo is True
    assert options.profile == "work"
    assert options.server == "http://127.0.0.1:9/api"
    assert parse_options(["--minimized"]).minimized is True
    assert parse_options([]).profile == "default"


def test_many_calls_into_qt_do_not_use_up_none_or_true(qapp: object) -> None:
    """WORKAROUND check: thousands of Qt calls must not free ``None`` or ``True``."""
    import sys

    from PySide6.QtCore import QCoreApplication

    from a7desktop.ui import qtfix

    qtfix.apply()
    probe = qtfix._Probe()
    for _ in range(20_000):
        probe.fired.emit()
        QCoreApplication.processEvents()

    assert sys.getrefcount(True) > 1000
    assert sys.getrefcount(None) > 1000
