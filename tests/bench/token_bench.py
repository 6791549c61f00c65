"""How long ``a7desktop token`` takes with a valid stored token.

Prints the wall time of ``a7desktop token`` as a ratio to the least any
program can do to hand out a stored secret: a Python process that imports
``keyring`` and reads one item. Both run in the same session, interleaved,
against the same keyring item. Target: a ratio of at most 1.5.

Run it inside a private keyring session (it signs in to a local emulator):

    scripts/with-test-keyring .venv/bin/python tests/bench/token_bench.py [ROUNDS]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid

from a7desktop.core.vault import SERVICE
from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD, EmulatorServer


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{command[:3]} failed: {result.stderr.strip()}")
    return elapsed


def main() -> None:
    if os.environ.get("A7_TEST_BUS") != "private":
        raise SystemExit("run through scripts/with-test-keyring (a private keyring)")
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    profile = f"bench{uuid.uuid4().hex[:8]}"
    script = shutil.which("a7desktop", path=os.path.dirname(sys.executable))
    program = [script] if script else [sys.executable, "-m", "a7desktop"]

    with EmulatorServer() as server:
        base = [*program, "--server", server.url, "--profile", profile]
        subprocess.run(
            [*base, "login", "--email", DEMO_EMAIL, "--password-stdin"],
            input=DEMO_PASSWORD,
            text=True,
            check=True,
            capture_output=True,
        )
        ours = [*base, "token"]
        baseline = [
            sys.executable,
            "-c",
            "import keyring; "
            f"assert keyring.get_password({SERVICE!r}, 'session:{profile}')",
        ]
        timed(ours), timed(baseline)  # warm the page cache and the keyring daemon
        ours_times, base_times = [], []
        for _ in range(rounds):
            ours_times.append(timed(ours))
            base_times.append(timed(baseline))
        subprocess.run([*base, "logout"], capture_output=True, check=False)

    ours_median = statistics.median(ours_times)
    base_median = statistics.median(base_times)
    print(f"rounds: {rounds}")
    print(f"python + keyring.get_password: median {base_median * 1000:.1f} ms")
    print(f"a7desktop token:              median {ours_median * 1000:.1f} ms")
    print(f"ratio (target <= 1.5):        {ours_median / base_median:.2f}")


if __name__ == "__main__":
    main()
