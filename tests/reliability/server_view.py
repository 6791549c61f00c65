"""What the emulator saw: faults served, refresh tokens presented, tokens accepted.

These are the two global checks of every fault row, read from the server's
side so they hold whatever the client believes: no refresh token was
presented twice, and the session still works (or ended because the server
ended it).
"""

from __future__ import annotations

import httpx
from fault_table import ORDER, Fault
from ledger import Facts

from a7desktop.emulator import EmulatorServer


def refresh_reuse(server: EmulatorServer) -> int:
    """How often a refresh token reached the server a second time."""
    attempts = server.state.refresh_log
    reused = sum(1 for attempt in attempts if attempt.outcome == "reused")
    ids = [attempt.token_id for attempt in attempts if attempt.token_id is not None]
    return reused + len(ids) - len(set(ids))


def outcomes(server: EmulatorServer) -> list[str]:
    """The server's verdict on each refresh request, oldest first."""
    return [attempt.outcome for attempt in server.state.refresh_log]


def accepts(server: EmulatorServer, access_token: str) -> bool:
    """Whether the API takes ``access_token`` (a plain request, as a tool makes)."""
    response = httpx.get(
        f"{server.url}/agents",
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=10,
    )
    return response.status_code == 200


class Injector:
    """Arms a row's fault and counts how many answers it spoiled."""

    def __init__(self, server: EmulatorServer, fault: Fault, facts: Facts) -> None:
        self.server = server
        self.fault = fault
        self.facts = facts
        self._armed = 0
        facts.note(
            fault=fault.key,
            title=fault.title,
            rules=list(fault.rules),
            expected=fault.expected,
            order=ORDER[fault.key],
        )

    def arm(self, times: int = 1, *, wait: float | None = None) -> None:
        self.fault.arm(self.server.state, times=times, wait=wait)
        self._armed += times if self.fault.kind else 0

    def refresh_requests(self) -> int:
        """How many refresh requests reached the server so far."""
        return sum(1 for r in self.server.state.requests if r.path.endswith("/refresh"))

    def disarm(self) -> None:
        """Clear what is left and count what was served."""
        left = sum(
            int(item["times"] or 0)
            for item in self.server.state.faults.armed()
            if item["kind"] == self.fault.kind
        )
        self.facts.add("answers_faulted", self._armed - left)
        self._armed = 0
        self.server.state.faults.clear()

    def finish(self, observed: str, *, lost: bool) -> None:
        """Record the row's outcome and check the two global rules."""
        self.disarm()
        reuse = refresh_reuse(self.server)
        self.facts.note(
            observed=observed,
            session_lost=lost,
            reuse=reuse,
            refresh_attempts=len(self.server.state.refresh_log),
        )
        assert reuse == 0, (
            f"a refresh token was presented twice: {outcomes(self.server)}"
        )
        assert not lost, f"{self.fault.key}: the session was lost ({observed})"
