"""Running the real ``a7desktop`` command as tools do, and watching it from outside.

Every command runs as its own process through ``cli_helpers.Cli`` (the
command line's end-to-end helper). While it runs, :class:`ProcessWatch`
reads ``/proc/<pid>/cmdline`` of it and of every process it starts (a
browser launcher, for one), which is what any user of the machine can see:
the secret-hygiene tests search those arguments.

The command line has no clock to inject: "time passed" is made by moving
the stored session's issue and expiry times back in the keyring, which is
what the wall clock moving forward looks like to the next process.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cli_helpers import Cli

from a7desktop.core.models import StoredSession
from a7desktop.core.vault import Vault
from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD

RELIABILITY_DIR = Path(__file__).resolve().parent


def _children(parents: set[int]) -> set[int]:
    """Processes whose parent is in ``parents`` (one scan of /proc)."""
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid in parents:
            found.add(int(entry.name))
    return found


class ProcessWatch:
    """Collects the argument lists of a process and its descendants while it runs."""

    def __init__(self, pid: int, interval: float = 0.003) -> None:
        self.pid = pid
        self.interval = interval
        self.argv: set[tuple[str, ...]] = set()
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        family = {self.pid}
        rounds = 0
        while not self._stop.is_set():
            if rounds % 10 == 0:
                family |= _children(family)
            for pid in list(family):
                try:
                    raw = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue
                if raw:
                    parts = raw.rstrip(b"\0").split(b"\0")
                    self.argv.add(tuple(p.decode("utf-8", "replace") for p in parts))
            self.samples += 1
            rounds += 1
            time.sleep(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@dataclass
class Ran:
    """A finished command: what it printed and what the system saw of it."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    argv_seen: set[tuple[str, ...]] = field(default_factory=set)


@dataclass
class CliSession:
    """One profile on one emulator, driven through the real command."""

    cli: Cli
    env: dict[str, str] = field(default_factory=dict)
    history: list[Ran] = field(default_factory=list)
    watch: bool = False

    @property
    def profile(self) -> str:
        return self.cli.profile

    def run(
        self,
        *args: str,
        input: str | bytes | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 90,
    ) -> Ran:
        """Run ``a7desktop <args>`` to its end (watching its process tree if asked)."""
        process = self.start(*args, env=env, stdin=input is not None)
        watch = ProcessWatch(process.pid) if self.watch else None
        data = input.encode() if isinstance(input, str) else input
        try:
            out, err = process.communicate(data, timeout=timeout)
        finally:
            if watch is not None:
                watch.stop()
        ran = Ran(
            args,
            process.returncode,
            out.decode("utf-8", "replace"),
            err.decode("utf-8", "replace"),
            set() if watch is None else watch.argv,
        )
        self.history.append(ran)
        return ran

    def start(
        self, *args: str, env: dict[str, str] | None = None, stdin: bool = False
    ) -> subprocess.Popen[bytes]:
        """Start ``a7desktop <args>`` and return at once."""
        return subprocess.Popen(
            self.cli.command(*args),
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **self.env, **(env or {})},
        )

    def login(self, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD) -> Ran:
        ran = self.run("login", "--email", email, "--password-stdin", input=password)
        assert ran.returncode == 0, ran.stderr
        return ran

    def token(self, *extra: str) -> Ran:
        return self.run("token", *extra)

    def status(self) -> dict[str, Any]:
        """``status --json``, parsed."""
        ran = self.run("status", "--json")
        report: dict[str, Any] = json.loads(ran.stdout)
        return report

    # -- the stored session, read and aged from outside ------------------------

    def stored(self) -> StoredSession | None:
        vault = Vault()
        try:
            return vault.load_session_sync(self.profile)
        finally:
            vault.close()

    def age(self, seconds_left: float) -> StoredSession:
        """Make the stored access token expire in ``seconds_left`` (may be < 0)."""
        session = self.stored()
        assert session is not None, "no stored session to age"
        aged = aged_copy(session, seconds_left)
        vault = Vault()
        try:
            asyncio.run(vault.save_session(aged))
        finally:
            vault.close()
        return aged


def aged_copy(session: StoredSession, seconds_left: float) -> StoredSession:
    """``session`` as if its access token had ``seconds_left`` by the wall clock."""
    now = time.time()
    return dataclasses.replace(
        session,
        issued_at=now + seconds_left - session.lifetime,
        expires_at=now + seconds_left,
    )


def keyring_env(backend: str) -> dict[str, str]:
    """Environment that makes the command use keyring backend ``module.Class``.

    Backends from this folder (``keyrings.py``) become importable through
    ``PYTHONPATH``; keyring reads ``PYTHON_KEYRING_BACKEND`` itself.
    """
    paths = [str(RELIABILITY_DIR), os.environ.get("PYTHONPATH", "")]
    return {
        "PYTHON_KEYRING_BACKEND": backend,
        "PYTHONPATH": os.pathsep.join(p for p in paths if p),
    }
