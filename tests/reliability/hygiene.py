"""What the secret-hygiene tests share: marker secrets, a tapped emulator, the sweep.

Markers are fresh for every run, so a hit can only come from this run. The
tokens the server issues are not planted (the emulator makes them), but the
wiretap records every one, so they are looked for just the same.

The sweep covers the files a run can write: the test's home (``a7home``:
configuration, state, the security log), the temporary folder the program
was given, and the session's ``$HOME`` apart from gnome-keyring's own
folder, where the tokens legitimately live, encrypted.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from secret_search import SecretSearch
from wiretap import Wiretap

from a7desktop.emulator import EmulatorConfig, EmulatorServer


@dataclass(frozen=True)
class Markers:
    """Secrets planted for one run, with the kind each one is."""

    email: str = field(default_factory=lambda: f"m{secrets.token_hex(4)}@example.com")
    password: str = field(default_factory=lambda: f"Pw-{secrets.token_hex(12)}")
    wrong_password: str = field(default_factory=lambda: f"Wr-{secrets.token_hex(12)}")
    wrong_app_password: str = field(
        default_factory=lambda: f"app_a7_{secrets.token_hex(16)}"
    )
    mcp_key: str = field(default_factory=lambda: f"mcp-{secrets.token_hex(16)}")

    def planted(self) -> dict[str, str]:
        return {
            self.password: "password",
            self.wrong_password: "mistyped password",
            self.wrong_app_password: "mistyped app password",
            self.mcp_key: "MCP key",
        }


@contextmanager
def tapped_emulator(markers: Markers) -> Iterator[tuple[EmulatorServer, Wiretap]]:
    """An emulator that knows the marker account and key, with a wiretap on it."""
    server = EmulatorServer(
        EmulatorConfig(auto_approve=True, mcp_api_key=markers.mcp_key)
    )
    tap = Wiretap(server.app)
    server.app = tap  # type: ignore[assignment]
    server.state.add_user(markers.email, markers.password)
    with server:
        yield server, tap


def search_for(markers: Markers, tap: Wiretap) -> SecretSearch:
    """A search for the markers and every secret the wiretap saw."""
    return SecretSearch({**tap.secrets, **markers.planted()})


def sweep_files(
    search: SecretSearch, home: Path, temporary: Path, since: float
) -> None:
    """Search every file the run could have written outside the keyring."""
    search.tree(home, "files in the test home")
    search.tree(temporary, "temporary files")
    session_home = Path(os.environ["HOME"])
    keyrings = session_home / ".local" / "share" / "keyrings"
    skip = (keyrings, home, temporary)
    search.tree(session_home, "files in $HOME", since=since, skip=skip)
