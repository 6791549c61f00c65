"""One window per user: a second start reaches the first and raises it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtNetwork import QLocalServer
from pytestqt.qtbot import QtBot

from a7desktop.ui.instance import InstanceGuard, ask_running_instance, may_be_running


def test_second_start_asks_the_first_to_raise(qtbot: QtBot, tmp_path: Path) -> None:
    name = str(tmp_path / "instance.sock")
    first = InstanceGuard(name)
    assert first.listen() is True

    second = InstanceGuard(name)
    with qtbot.waitSignal(first.raise_requested, timeout=5000):
        assert second.listen() is False

    first.close()
    qtbot.wait(50)


def test_a_socket_left_by_a_crashed_process_is_replaced(
    qtbot: QtBot, tmp_path: Path
) -> None:
    name = str(tmp_path / "instance.sock")
    # A socket file with nobody listening, as a killed process leaves it.
    stale = QLocalServer()
    stale.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
    assert stale.listen(name)
    stale.close()
    Path(name).touch()

    guard = InstanceGuard(name)

    assert guard.listen() is True
    assert ask_running_instance(name) is True
    guard.close()


def test_nobody_answers_when_no_instance_runs(tmp_path: Path) -> None:
    assert ask_running_instance(str(tmp_path / "none.sock")) is False


def test_without_a_socket_file_no_window_can_be_running(
    qtbot: QtBot, tmp_path: Path
) -> None:
    name = str(tmp_path / "instance.sock")
    assert may_be_running(name) is False

    guard = InstanceGuard(name)
    assert guard.listen() is True

    assert may_be_running(name) is True
    guard.close()
