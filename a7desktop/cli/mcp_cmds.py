"""``a7desktop mcp-key``: keep, print and test the MCP service API key."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from a7desktop.cli import term
from a7desktop.cli.runtime import with_engine

if TYPE_CHECKING:
    from a7desktop.core.engine import SessionEngine
    from a7desktop.core.mcp import McpKey


def register(commands: Any) -> None:
    """Add ``mcp-key`` and its sub-commands."""
    group = commands.add_parser(
        "mcp-key",
        help="keep and test the MCP service API key",
        description="The MCP service authenticates with an X-API-Key header.",
    )
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    setter = actions.add_parser("set", help="keep the key read from standard input")
    setter.set_defaults(func=cmd_set)
    getter = actions.add_parser("get", help="print the kept key")
    getter.set_defaults(func=cmd_get)
    tester = actions.add_parser("test", help="call the MCP service with the kept key")
    tester.set_defaults(func=cmd_test)


def _service(engine: SessionEngine) -> McpKey:
    from a7desktop.core.mcp import McpKey

    return McpKey(engine)


def cmd_set(args: argparse.Namespace) -> int:
    """Read the key from stdin and keep it in the keyring."""
    key = term.read_secret_from_stdin("MCP API key").strip()

    async def action(engine: SessionEngine) -> int:
        await _service(engine).set(key)
        term.say("Kept the MCP API key in the OS keyring.")
        return 0

    return with_engine(args, action)


def cmd_get(args: argparse.Namespace) -> int:
    """Print the kept key."""

    async def action(engine: SessionEngine) -> int:
        sys.stdout.write(await _service(engine).get() + "\n")
        return 0

    return with_engine(args, action)


def cmd_test(args: argparse.Namespace) -> int:
    """Call the MCP service's server list with the kept key."""

    async def action(engine: SessionEngine) -> int:
        count = await _service(engine).test()
        term.say(f"The MCP service accepted the key ({count} servers listed).")
        return 0

    return with_engine(args, action)
