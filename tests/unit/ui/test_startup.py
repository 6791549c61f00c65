"""Starting the window: the first paint comes before the network stack and keyring."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from a7desktop.ui.app import parse_options


def _run(*args: str, script: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, "-c", script] if script else [sys.executable, *args]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=60, env=env, check=False
    )


def test_the_window_paints_before_httpx_and_keyring_are_imported() -> None:
    script = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from a7desktop.ui.app import create_application\n"
        "from a7desktop.ui.context import StartOptions, WindowContext\n"
        "from a7desktop.ui.shell import Shell\n"
        "create_application([])\n"
        "from a7desktop.ui.window import MainWindow\n"
        "window = MainWindow(WindowContext(StartOptions()))\n"
        "painted = []\n"
        "window.first_painted.connect(lambda: painted.append(1))\n"
        "window.show()\n"
        "while not painted:\n"
        "    QApplication.processEvents()\n"
        "heavy = ('httpx', 'httpcore', 'keyring', 'secretstorage', 'jwt')\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
        "print('a7desktop.core.engine' in sys.modules)\n"
    )

    result = _run(script=script)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["", "False"]


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
