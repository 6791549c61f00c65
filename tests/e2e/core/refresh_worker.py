"""A second process for the cross-process refresh test: one ``token`` caller.

Usage: python refresh_worker.py PROFILE SERVER GO_FILE MIN_TTL

Opens the profile's engine on the real keyring, waits until GO_FILE exists
(so several workers start together), asks for an access token valid for
MIN_TTL seconds and prints it.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from a7desktop.core.config import resolve_profile
from a7desktop.core.engine import open_engine


async def main(profile_name: str, server: str, go_file: str, min_ttl: float) -> None:
    engine = open_engine(resolve_profile(profile_name, server))
    try:
        await engine.start(schedule_refresh=False)
        deadline = time.monotonic() + 60
        while not await asyncio.to_thread(Path(go_file).exists):
            if time.monotonic() > deadline:
                raise SystemExit("never told to go")
            await asyncio.sleep(0.005)
        print(await engine.access_token(min_ttl=min_ttl), flush=True)
    finally:
        await engine.aclose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])))
