"""Running a command against the session engine.

Each command that talks to the server resolves the profile, opens one
engine (one HTTP client, one vault), runs, and closes everything before the
event loop ends, whatever happened.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from a7desktop.core.config import Profile
    from a7desktop.core.engine import SessionEngine


def profile_for(args: argparse.Namespace) -> Profile:
    """The profile named by ``--profile``, with ``--server`` applied."""
    from a7desktop.core.config import resolve_profile

    return resolve_profile(args.profile, args.server)


def with_engine(
    args: argparse.Namespace,
    action: Callable[[SessionEngine], Awaitable[int]],
    *,
    schedule_refresh: bool = False,
) -> int:
    """Run ``action`` with a started engine for the profile; return its code."""
    import asyncio

    from a7desktop.core.engine import open_engine

    profile = profile_for(args)

    async def main() -> int:
        engine = open_engine(profile)
        try:
            await engine.start(schedule_refresh=schedule_refresh)
            return await action(engine)
        finally:
            await engine.aclose()

    return asyncio.run(main())
