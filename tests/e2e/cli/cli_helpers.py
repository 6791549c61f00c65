"""Running the real ``a7desktop`` command as its own process, as a tool would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD, EmulatorServer


@dataclass
class Cli:
    """Runs ``a7desktop`` with a server and a profile of its own."""

    server: EmulatorServer
    profile: str
    home: Path

    def command(self, *args: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "a7desktop",
            "--server",
            self.server.url,
            "--profile",
            self.profile,
            *args,
        ]

    def run(
        self,
        *args: str,
        input: str | None = None,
        timeout: float = 60,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **(env or {})},
            check=False,
        )

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )

    def login(self) -> subprocess.CompletedProcess[str]:
        result = self.run(
            "login", "--email", DEMO_EMAIL, "--password-stdin", input=DEMO_PASSWORD
        )
        assert result.returncode == 0, result.stderr
        return result
