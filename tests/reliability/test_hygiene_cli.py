"""No secret leaves the keyring through the command line (R3, R23, R26).

Every flow runs as its own ``a7desktop`` process with debug logging on:
password sign-in, status, token (and a refresh), app password create, list,
get and sign-in with it, the MCP key, doctor, Google sign-in through a
browser, sign-out, and the mistakes (a wrong password, a mistyped app
password). Then the run is searched for the planted markers and for every
secret the wiretap saw: each command's stdout and stderr, the arguments of
each process and of the processes it started, read from ``/proc`` while
they ran, and every file written. The only secret a command may print is
the one it exists to print, on stdout: ``token`` its access token,
``app-passwords create`` and ``get`` the app password, ``mcp-key get`` the
key.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx_browser
import pytest
from cli_driver import CliSession, Ran
from cli_helpers import Cli
from hygiene import Markers, search_for, sweep_files
from ledger import Facts
from secret_search import SecretSearch, started
from wiretap import Wiretap

from a7desktop.emulator import EmulatorServer

pytestmark = pytest.mark.keyring

# What must have been seen (and so searched for) for the run to mean anything.
EVERY_KIND = {
    "access token",
    "refresh token",
    "app password",
    "OAuth code",
    "PKCE verifier",
    "ID token",
    "password",
    "MCP key",
}


def _printed(ran: Ran, allowed: str | None) -> str:
    """stdout without the one secret the command exists to print."""
    if allowed is None:
        return ran.stdout
    assert ran.stdout.strip() == allowed, "it must print that and nothing else"
    return ran.stdout.replace(allowed, "")


def run_every_flow(
    cli: CliSession, markers: Markers, server: EmulatorServer
) -> dict[int, str]:
    """Drive every flow; return, per run, the one secret it may print."""
    allowed: dict[int, str] = {}

    def prints(ran: Ran) -> str:
        assert ran.returncode == 0, ran.stderr
        allowed[len(cli.history) - 1] = ran.stdout.strip()
        return ran.stdout.strip()

    cli.login(markers.email, markers.password)
    cli.run("status")
    cli.run("status", "--json")
    prints(cli.token())
    cli.age(100)
    prints(cli.token())  # a refresh
    app_password = prints(cli.run("app-passwords", "create", "hygiene tool"))
    cli.run("app-passwords", "list")
    prints(cli.run("app-passwords", "get", "hygiene tool"))
    assert cli.run("mcp-key", "set", input=markers.mcp_key).returncode == 0
    assert cli.run("mcp-key", "test").returncode == 0
    prints(cli.run("mcp-key", "get"))
    assert cli.run("doctor", "--json").returncode == 0
    assert cli.run("logout").returncode == 0

    signed = cli.run("login", "--app-password-stdin", input=app_password)
    assert signed.returncode == 0, signed.stderr
    prints(cli.token())
    cli.run("logout")
    wrong = cli.run(
        "login",
        "--email",
        markers.email,
        "--password-stdin",
        input=markers.wrong_password,
    )
    assert wrong.returncode == 1
    mistyped = cli.run(
        "login", "--app-password-stdin", input=markers.wrong_app_password
    )
    assert mistyped.returncode == 1

    for key, value in (
        ("google_issuer", server.google_issuer),
        ("google_client_id", server.state.config.google_client_id),
    ):
        assert cli.run("config", "set", key, value).returncode == 0
    google = cli.run("login", "--google")
    assert google.returncode == 0, google.stderr
    prints(cli.token())
    assert cli.run("logout").returncode == 0
    return allowed


def test_no_secret_leaves_the_keyring_through_the_command_line(
    tapped: tuple[EmulatorServer, Wiretap],
    markers: Markers,
    a7home: Path,
    no_policy: Path,
    tmp_path: Path,
    hygiene_facts: Facts,
) -> None:
    """R23, R26, R3: nothing in output, arguments, files; every flow, debug on."""
    server, tap = tapped
    since = started()
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {
        "A7DESKTOP_DEBUG": "1",
        "BROWSER": httpx_browser.command(),
        "TMPDIR": str(temporary),
    }
    cli = CliSession(
        Cli(server, f"hyg-{uuid.uuid4().hex[:8]}", a7home), env, watch=True
    )

    allowed = run_every_flow(cli, markers, server)

    search: SecretSearch = search_for(markers, tap)
    kinds = set(search.secrets.values())
    assert kinds >= EVERY_KIND
    for index, ran in enumerate(cli.history):
        name = " ".join(ran.args[:2])
        search.text(_printed(ran, allowed.get(index)), f"stdout of {name}", "stdout")
        search.text(ran.stderr, f"stderr of {name}", "stderr (debug log)")
        search.texts(
            (
                (f"arguments while running {name}", " ".join(argv))
                for argv in ran.argv_seen
            ),
            "process arguments",
        )
    sweep_files(search, a7home, temporary, since)

    hygiene_facts.note(front_end="cli", **search.report())
    assert search.hits == []
    assert search.places["process arguments"] >= len(cli.history)
