"""``python -m a7desktop.emulator``: run the emulator as a local sandbox.

Exit status: 0 after Ctrl+C or SIGTERM, 2 for a bad argument (a host that is
not loopback, a malformed ``--user``), 1 when the port cannot be bound.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from a7desktop.emulator.config import DEMO_EMAIL, DEMO_PASSWORD, EmulatorConfig
from a7desktop.emulator.server import EmulatorServer, loopback_address

DEFAULT_PORT = 8700


def _user(value: str) -> tuple[str, str]:
    email, separator, password = value.partition(":")
    if not separator or "@" not in email or not password:
        raise argparse.ArgumentTypeError("expected EMAIL:PASSWORD")
    return email, password


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError("expected a port number from 0 to 65535")
    return port


def _host(value: str) -> str:
    try:
        loopback_address(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return value


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m a7desktop.emulator",
        description="Serve a local emulator of the Agent700 authentication API.",
    )
    parser.add_argument(
        "--host",
        type=_host,
        default="127.0.0.1",
        help="loopback address to listen on (default 127.0.0.1)",
    )
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help="port (0: any free one)"
    )
    parser.add_argument(
        "--user",
        type=_user,
        action="append",
        default=[],
        metavar="EMAIL:PASSWORD",
        help="seed an extra account (repeatable)",
    )
    parser.add_argument(
        "--tls", action="store_true", help="serve https with a throwaway test CA"
    )
    parser.add_argument(
        "--auto-approve",
        action="store_true",
        help="the Google consent page approves without a click",
    )
    return parser.parse_args(argv)


def _announce(
    server: EmulatorServer, users: list[tuple[str, str]], key_from_env: bool
) -> None:
    # A generated MCP key is shown, else nobody could use it; one from the
    # environment is the caller's own secret and is not echoed.
    key = "from MCP_API_KEY" if key_from_env else server.state.config.mcp_api_key
    lines = [
        f"Agent700 emulator: {server.url}",
        f"  Google stand-in: {server.google_issuer}",
        f"  MCP:             {server.mcp_url}/servers  (X-API-Key: {key})",
        f"  Demo account:    {DEMO_EMAIL} / {DEMO_PASSWORD}",
    ]
    lines += [f"  Account:         {email}" for email, _ in users]
    if server.ca_pem is not None:
        ca_file = Path(tempfile.mkdtemp(prefix="a7-emulator-")) / "ca.pem"
        ca_file.write_bytes(server.ca_pem)
        lines.append(f"  Test CA:         {ca_file}")
    lines.append("Press Ctrl+C to stop.")
    print("\n".join(lines), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    config = EmulatorConfig.from_env(users=args.user, auto_approve=args.auto_approve)
    server = EmulatorServer(config, host=args.host, port=args.port, tls=args.tls)
    try:
        server.start()
    except OSError as error:
        print(
            f"cannot listen on {args.host}:{args.port}: {error.strerror}",
            file=sys.stderr,
        )
        return 1

    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        _announce(server, args.user, bool(os.environ.get("MCP_API_KEY")))
        while not stopping.wait(1.0):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
