"""Many tools asking for a token at once, as a build farm does."""

from __future__ import annotations

import time

import pytest
from cli_helpers import Cli

from a7desktop.emulator import EmulatorConfig


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    # Sign-in tokens that are expired two seconds later; refreshed ones live long.
    return EmulatorConfig(login_ttl=2)


def test_token_after_expiry_refreshes_once_and_stores_the_result(cli: Cli) -> None:
    cli.login()
    first = cli.run("token", "--min-ttl", "0").stdout.strip()
    time.sleep(2.5)

    refreshed = cli.run("token")

    assert refreshed.returncode == 0, refreshed.stderr
    assert refreshed.stdout.strip() != first
    assert [a.outcome for a in cli.server.state.refresh_log] == ["rotated"]
    # The refreshed session was stored: the next call needs no refresh.
    assert cli.run("token").stdout.strip() == refreshed.stdout.strip()
    assert len(cli.server.state.refresh_log) == 1


def test_twenty_parallel_token_calls_cause_exactly_one_refresh(cli: Cli) -> None:
    """R35, R36: twenty processes share one expired session; one refresh."""
    cli.login()
    time.sleep(2.5)

    processes = [cli.start("token") for _ in range(20)]
    results = [(p.wait(timeout=90), *p.communicate(timeout=90)) for p in processes]

    assert [code for code, _, _ in results] == [0] * 20, [e for _, _, e in results]
    tokens = {out.strip() for _, out, _ in results}
    assert len(tokens) == 1
    outcomes = [attempt.outcome for attempt in cli.server.state.refresh_log]
    assert outcomes == ["rotated"]
    presented = [attempt.token_id for attempt in cli.server.state.refresh_log]
    assert len(presented) == len(set(presented))
