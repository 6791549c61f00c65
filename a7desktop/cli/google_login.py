"""``a7desktop login --google``: sign in through the system browser.

The consent page opens in the system browser (never an embedded view) and
comes back to a loopback listener; the address is printed too, for a
browser on another screen or a machine with no graphical session.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from a7desktop.cli import term
from a7desktop.cli.runtime import profile_for, with_engine
from a7desktop.core.errors import UsageError

if TYPE_CHECKING:
    from a7desktop.core.engine import SessionEngine
    from a7desktop.core.models import StoredSession


def login_with_google(args: argparse.Namespace) -> int:
    """Run the browser sign-in and hand the ID token to the session engine."""
    from a7desktop.core.oidc import (
        GOOGLE_ISSUER,
        OidcConfig,
        browser_sign_in,
        open_system_browser,
    )

    profile = profile_for(args)
    if args.email:
        raise UsageError("--email does not go with --google: Google asks for it")
    client_id = profile.google_client_id
    if not client_id:
        raise UsageError(
            "no Google client id for this profile; set one with: "
            "a7desktop config set google_client_id ID"
        )
    config = OidcConfig(
        profile.google_issuer or GOOGLE_ISSUER,
        client_id,
        profile.google_client_secret,
    )

    async def no_browser(url: str) -> bool:
        return False

    def show_url(url: str, opened: bool) -> None:
        if opened:
            term.say("Opened your browser to sign in with Google. If it did not open,")
            term.say("open this address in a browser on this machine:")
        else:
            term.say("Open this address in a browser on this machine to sign in:")
        term.say(f"  {url}")
        term.say("Waiting for Google… (Ctrl+C to cancel)")

    async def action(engine: SessionEngine) -> int:
        signed_in: list[StoredSession] = []

        async def accept(id_token: str) -> None:
            signed_in.append(await engine.sign_in_google(id_token))

        await browser_sign_in(
            config,
            no_browser if args.no_browser else open_system_browser,
            on_url=show_url,
            accept=accept,
        )
        session = signed_in[0]
        term.say(f"Signed in to {session.server} as {session.email} (Google).")
        return 0

    return with_engine(args, action)
