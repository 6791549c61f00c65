"""Several processes sharing one stored session near expiry (R35, R36)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from core_e2e_helpers import outcomes

from a7desktop.core.engine import SessionEngine
from a7desktop.core.vault import Vault
from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD, EmulatorServer

WORKER = Path(__file__).with_name("refresh_worker.py")


async def test_processes_sharing_a_session_near_expiry_refresh_once(
    make_engine: Callable[..., SessionEngine],
    server: EmulatorServer,
    tmp_path: Path,
) -> None:
    """R35: one refresh per refresh token; the other processes adopt it."""
    engine = make_engine()
    await engine.start(schedule_refresh=False)
    session = await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)
    name = engine.profile.name
    await engine.aclose()

    # The stored session has 10 s left by the local clock.
    now = time.time()
    vault = Vault()
    await vault.save_session(
        dataclasses.replace(session, issued_at=now - 28790, expires_at=now + 10)
    )

    go = tmp_path / "go"
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER),
            name,
            server.url,
            str(go),
            "300",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=os.environ.copy(),
        )
        for _ in range(3)
    ]
    await asyncio.sleep(1.0)  # let them import and load the vault
    go.touch()
    results = [await w.communicate() for w in workers]

    assert [w.returncode for w in workers] == [0, 0, 0], [err for _, err in results]
    tokens = {out.decode().strip() for out, _ in results}
    assert len(tokens) == 1
    assert outcomes(server) == ["rotated"]
    stored = await vault.load_session(name)
    assert stored is not None
    assert stored.access_token in tokens
    assert stored.refresh_token != session.refresh_token
    vault.close()
