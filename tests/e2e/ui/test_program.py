"""The program as a person starts it: one window per user, a clean quit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "a7desktop", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the window never opened its socket"
        time.sleep(0.05)


@pytest.mark.keyring
def test_a_second_start_raises_the_first_and_quit_is_clean(
    a7home: Path, tmp_path: Path
) -> None:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(runtime))
    first = _start(env, "--demo")
    try:
        _wait_for(runtime / "a7desktop.sock", first)

        second = subprocess.run(
            [sys.executable, "-m", "a7desktop"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

        assert second.returncode == 0
        assert "already running" in second.stderr
        assert first.poll() is None
    finally:
        first.send_signal(signal.SIGTERM)
        _out, err = first.communicate(timeout=60)

    assert first.returncode == 0, err
    assert "Traceback" not in err
