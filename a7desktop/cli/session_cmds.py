"""Commands about the session: ``login``, ``status``, ``token``, ``logout``."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any

from a7desktop.cli import term
from a7desktop.cli.runtime import profile_for, with_engine
from a7desktop.core.errors import NotSignedIn, UsageError

if TYPE_CHECKING:
    from a7desktop.core.config import Profile
    from a7desktop.core.engine import SessionEngine
    from a7desktop.core.models import StoredSession
    from a7desktop.core.vault import Vault

DEFAULT_MIN_TTL = 300.0

METHOD_NAMES = {
    "password": "email and password",
    "google_oauth": "Google",
    "app_password": "app password",
}


def register(commands: Any) -> None:
    """Add the session commands to the parser's sub-commands."""
    login = commands.add_parser(
        "login",
        help="sign in (email and password, app password, or Google)",
        description="Sign in and keep the session in the OS keyring.",
    )
    login.add_argument("--email", metavar="ADDR", help="account email")
    how = login.add_mutually_exclusive_group()
    how.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the account password from standard input",
    )
    how.add_argument(
        "--app-password-stdin",
        action="store_true",
        help="sign in with an app password read from standard input",
    )
    how.add_argument(
        "--google",
        action="store_true",
        help="sign in with Google in the system browser",
    )
    login.add_argument(
        "--no-browser",
        action="store_true",
        help="with --google: only print the address to open",
    )
    login.set_defaults(func=cmd_login)

    status = commands.add_parser(
        "status",
        help="show who is signed in and how long the token lives",
        description="Exit 0 when signed in, 4 when not.",
    )
    status.add_argument("--json", action="store_true", help="print a JSON object")
    status.set_defaults(func=cmd_status)

    token = commands.add_parser(
        "token",
        help="print a valid access token for a tool",
        description=(
            "Print a valid access token, refreshing first when it expires within "
            "the margin. Exit 4 when not signed in."
        ),
    )
    token.add_argument(
        "--min-ttl",
        metavar="SECONDS",
        type=_seconds,
        default=DEFAULT_MIN_TTL,
        help="refresh when the token lives less than this "
        f"(default {DEFAULT_MIN_TTL:g})",
    )
    token.set_defaults(func=cmd_token)

    logout = commands.add_parser(
        "logout",
        help="sign out and wipe the stored session",
        description=(
            "Tell the server, and wipe local secrets even if it cannot be reached."
        ),
    )
    logout.set_defaults(func=cmd_logout)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= value <= 24 * 3600:
        raise argparse.ArgumentTypeError("seconds must be between 0 and 86400")
    return value


def cmd_login(args: argparse.Namespace) -> int:
    """Sign in with the method the options name."""
    if args.google:
        from a7desktop.cli.google_login import login_with_google

        return login_with_google(args)
    if args.app_password_stdin:
        if args.email:
            raise UsageError("--email does not go with --app-password-stdin")
        secret = term.read_secret_from_stdin("app password")

        async def app_password(engine: SessionEngine) -> int:
            session = await engine.sign_in_app_password(secret)
            _report_signed_in(engine, session)
            return 0

        return with_engine(args, app_password)

    email = args.email or term.prompt_text("email", "--email")
    if args.password_stdin:
        password = term.read_secret_from_stdin("password")
    else:
        password = term.prompt_secret("password", "--password-stdin")

    async def email_password(engine: SessionEngine) -> int:
        session = await engine.sign_in_password(email, password)
        _report_signed_in(engine, session)
        return 0

    return with_engine(args, email_password)


def _report_signed_in(engine: SessionEngine, session: StoredSession) -> None:
    method = METHOD_NAMES.get(session.auth_type, session.auth_type)
    term.say(f"Signed in to {session.server} as {session.email} ({method}).")
    storage = engine.storage
    if not storage.persistent:
        term.say(
            f"Warning: the session is kept in memory only ({storage.reason}); "
            "it ends with this command."
        )


def cmd_status(args: argparse.Namespace) -> int:
    """Show the stored session without contacting the server."""
    from a7desktop.core.vault import Vault

    profile = profile_for(args)
    vault = Vault()
    session = _stored_session(vault, profile)
    storage = vault.storage()
    now = time.time()
    signed_in = session is not None

    if args.json:
        report: dict[str, Any] = {
            "signed_in": signed_in,
            "server": profile.server,
            "profile": profile.name,
            "email": session.email if session else None,
            "auth_type": session.auth_type if session else None,
            "expires_at": term.iso_utc(session.expires_at) if session else None,
            "expires_in": int(session.expires_in(now)) if session else None,
            "organization": (
                {
                    "id": session.organization.id,
                    "name": session.organization.name,
                    "role": session.organization.role,
                }
                if session and session.organization
                else None
            ),
            "storage": {"backend": storage.backend, "persistent": storage.persistent},
        }
        term.print_json(report)
        return 0 if signed_in else NotSignedIn.exit_code

    print(f"{profile.server} (profile {profile.name})")
    if session is None:
        print("  Not signed in. Run: a7desktop login")
        return NotSignedIn.exit_code
    method = METHOD_NAMES.get(session.auth_type, session.auth_type)
    print(f"  Signed in as {session.email} with {method}")
    if session.app_password_name:
        print(f"  App password: {session.app_password_name}")
    if session.organization:
        org = session.organization
        print(f"  Organization: {org.name} ({org.role})")
    left = session.expires_in(now)
    when = term.local_time(session.expires_at)
    if left > 0:
        print(f"  Access token expires in {term.duration(left)} ({when})")
    else:
        refresh_note = (
            "a refresh runs on next use" if session.refreshable else "sign in again"
        )
        print(f"  Access token expired {when}; {refresh_note}")
    where = storage.backend if storage.persistent else f"memory only ({storage.reason})"
    print(f"  Stored in: {where}")
    return 0


def _stored_session(vault: Vault, profile: Profile) -> StoredSession | None:
    """The profile's stored session, if it belongs to the profile's server."""
    session = vault.load_session_sync(profile.name)
    if session is None or session.server != profile.server:
        return None
    return session


def cmd_token(args: argparse.Namespace) -> int:
    """Print a valid access token; one keyring read when the stored one is good."""
    from a7desktop.core.vault import Vault

    profile = profile_for(args)
    session = _stored_session(Vault(), profile)
    if session is None:
        raise NotSignedIn(f"not signed in to {profile.server} (profile {profile.name})")
    # The engine's rule: a margin is capped at half the token's lifetime, so a
    # margin longer than the server grants does not refresh on every call.
    need = min(args.min_ttl, session.lifetime / 2)
    if session.expires_in(time.time()) > need:
        sys.stdout.write(session.access_token + "\n")
        return 0

    async def fresh_token(engine: SessionEngine) -> int:
        token = await engine.access_token(min_ttl=args.min_ttl)
        sys.stdout.write(token + "\n")
        return 0

    return with_engine(args, fresh_token)


def cmd_logout(args: argparse.Namespace) -> int:
    """Sign out at the server and wipe the stored session either way."""

    async def sign_out(engine: SessionEngine) -> int:
        session = engine.session
        if session is None:
            term.say(f"Not signed in to {engine.profile.server}; nothing to do.")
            return 0
        told_server = await engine.sign_out()
        term.say(f"Signed out of {session.server} ({session.email}).")
        if told_server is False:
            term.say(
                "Warning: the server could not be told; local secrets were "
                "wiped anyway."
            )
        return 0

    return with_engine(args, sign_out)
