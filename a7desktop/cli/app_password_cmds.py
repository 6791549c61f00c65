"""``a7desktop app-passwords``: list, create, get, revoke."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from a7desktop.cli import term
from a7desktop.cli.runtime import with_engine
from a7desktop.core.errors import UsageError

if TYPE_CHECKING:
    from a7desktop.core.app_passwords import AppPasswords
    from a7desktop.core.engine import SessionEngine
    from a7desktop.core.models import AppPasswordInfo


def register(commands: Any) -> None:
    """Add ``app-passwords`` and its sub-commands."""
    group = commands.add_parser(
        "app-passwords",
        help="create, list, copy and revoke app passwords",
        description="App passwords let tools sign in without your account password.",
    )
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list app passwords (never their tokens)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=cmd_list)

    create = actions.add_parser(
        "create",
        help="create one; its token is printed once",
        description=(
            "Create an app password. The server shows its token only once: it is "
            "printed on stdout and kept in the OS keyring unless --no-save is given."
        ),
    )
    create.add_argument("name", help="a name that says which tool uses it")
    create.add_argument(
        "--no-save", action="store_true", help="do not keep the token in the keyring"
    )
    create.add_argument("--json", action="store_true", help="print JSON")
    create.set_defaults(func=cmd_create)

    get = actions.add_parser("get", help="print a token kept in the keyring")
    get.add_argument("name_or_id", metavar="NAME_OR_ID")
    get.set_defaults(func=cmd_get)

    revoke = actions.add_parser("revoke", help="revoke one at the server")
    revoke.add_argument("name_or_id", metavar="NAME_OR_ID")
    revoke.add_argument("--yes", action="store_true", help="do not ask to confirm")
    revoke.set_defaults(func=cmd_revoke)


def _service(engine: SessionEngine) -> AppPasswords:
    from a7desktop.core.app_passwords import AppPasswords

    return AppPasswords(engine)


def _info_json(info: AppPasswordInfo, kept: bool) -> dict[str, Any]:
    return {
        "id": info.id,
        "name": info.name,
        "created_at": info.created_at,
        "expires_at": info.expires_at,
        "is_active": info.is_active,
        "last_used_at": info.last_used_at,
        "kept": kept,
    }


def cmd_list(args: argparse.Namespace) -> int:
    """Print the account's app passwords."""

    async def action(engine: SessionEngine) -> int:
        service = _service(engine)
        infos = await service.list()
        kept = await service.kept_ids()
        if args.json:
            term.print_json([_info_json(i, i.id in kept) for i in infos])
            return 0
        if not infos:
            term.say(
                "No app passwords. Create one: a7desktop app-passwords create NAME"
            )
            return 0
        rows = [
            [
                i.id,
                i.name,
                i.created_at or "",
                i.expires_at or "",
                "active" if i.is_active else "inactive",
                "yes" if i.id in kept else "no",
            ]
            for i in infos
        ]
        print(term.table(["ID", "NAME", "CREATED", "EXPIRES", "STATUS", "KEPT"], rows))
        return 0

    return with_engine(args, action)


def cmd_create(args: argparse.Namespace) -> int:
    """Create an app password and print its token once."""
    name = args.name.strip()
    if not name:
        raise UsageError("an app password needs a name")

    async def action(engine: SessionEngine) -> int:
        created = await _service(engine).create(name, keep=not args.no_save)
        if args.json:
            term.print_json(
                {**_info_json(created.info, not args.no_save), "token": created.token}
            )
        else:
            sys.stdout.write(created.token + "\n")
        kept = "not kept" if args.no_save else "kept in the OS keyring"
        term.say(
            f"Created app password {created.info.name!r} ({kept}). "
            "The server will not show this token again."
        )
        return 0

    return with_engine(args, action)


def cmd_get(args: argparse.Namespace) -> int:
    """Print a kept token."""

    async def action(engine: SessionEngine) -> int:
        token = await _service(engine).get_kept(args.name_or_id)
        sys.stdout.write(token + "\n")
        return 0

    return with_engine(args, action)


def cmd_revoke(args: argparse.Namespace) -> int:
    """Revoke an app password at the server and forget its kept token."""
    asks = not args.yes and sys.stdin.isatty()
    if asks and not term.confirm(f"Revoke app password {args.name_or_id!r}?"):
        term.say("Nothing revoked.")
        return 1

    async def action(engine: SessionEngine) -> int:
        info = await _service(engine).revoke(args.name_or_id)
        term.say(f"Revoked app password {info.name!r} ({info.id}).")
        return 0

    return with_engine(args, action)
