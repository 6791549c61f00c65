"""The fault matrix through the window: real widgets, real HTTP, real keyring.

Each row signs in through the form, arms the fault on the emulator and lets
the window meet it the way it would on a desk: the refresh timer fires at
the lead time (the row jumps the wall clock instead of waiting), the panel
shows what happened, and the person's next action works or the sign-in form
says why it cannot. Expected outcomes come from ``fault_table``; the two
global checks close each row (``server_view.Injector.finish``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import keyring.backends.fail
import pytest
from cli_driver import CliSession, aged_copy
from cli_helpers import Cli
from fault_table import Fault, by_key, rows
from keyring_lock import locked_keyring
from ledger import Facts
from pytestqt.qtbot import QtBot
from server_view import Injector, outcomes
from slow_keyrings import SlowSecretService
from ui_harness import run, sign_in, wait_signed_out
from window_driver import Heartbeat, WindowRow, WindowRows, default_engine, each_row

from a7desktop.core.engine import VaultLike
from a7desktop.core.vault import Vault
from a7desktop.emulator import DEMO_EMAIL, EmulatorServer
from a7desktop.ui.context import StartOptions
from a7desktop.ui.shell import Shell

pytestmark = pytest.mark.keyring

EXPIRED_TEXT = "The session expired; sign in again."


@pytest.fixture
def windows(
    qloop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    emulator: EmulatorServer,
    a7home: Path,
    no_policy: Path,
) -> Iterator[WindowRows]:
    yield from each_row(qtbot, emulator)


@pytest.fixture
def inject(
    request: pytest.FixtureRequest, emulator: EmulatorServer, fault_facts: Facts
) -> Injector:
    fault: Fault = request.param
    fault_facts.note(front_end="window")
    return Injector(emulator, fault, fault_facts)


def signed_in_row(
    windows: WindowRows,
    *,
    vault: VaultLike | None = None,
    timeouts: httpx.Timeout | None = None,
) -> WindowRow:
    row = windows.open(factory=default_engine(vault=vault, timeouts=timeouts))
    sign_in(row)
    return row


def refresh_failure(row: WindowRow) -> str:
    """Wait for the panel to report a failed refresh; its text."""
    row.wait_until(lambda: row.panel.notice.text().startswith("Refresh failed"))
    return str(row.panel.notice.text())


@pytest.mark.parametrize("inject", rows("window", "kept"), indirect=True, ids=str)
def test_a_passing_failure_keeps_the_session_and_retries(
    windows: WindowRows, inject: Injector
) -> None:
    """R15, R30, R33: kept, "retrying" shown, Retry-After honoured, then refreshed."""
    row = signed_in_row(windows)
    before = row.engine.session
    inject.arm()

    row.jump_to_due()

    assert refresh_failure(row).endswith("Retrying.")
    assert row.engine.session.refresh_token == before.refresh_token
    retry_at = row.engine.next_refresh_at
    waits = retry_at - row.engine.last_refresh.at
    inject.facts.note(retry_in=round(waits))
    asked = inject.fault.retry_after
    assert (asked / 2 if asked else 2.0) <= waits <= 3600  # R30: honoured, capped
    inject.disarm()
    row.jump_past(retry_at)
    row.wait_until(row.refreshed)
    assert outcomes(inject.server) == ["rotated"]
    assert row.signed_out == []
    inject.finish("kept; retried after the wait", lost=row.agents_status() != 200)


@pytest.mark.parametrize("inject", rows("window", "retired"), indirect=True, ids=str)
def test_a_refresh_whose_answer_may_be_lost_retires_the_token(
    windows: WindowRows, inject: Injector
) -> None:
    """R16, R18, R32, R33: never presented again; usable until expiry; one prompt."""
    short = httpx.Timeout(connect=5, read=1, write=5, pool=5)
    stalls = inject.fault.key == "stall_timeout"
    row = signed_in_row(windows, timeouts=short if stalls else None)
    inject.arm()
    beat = Heartbeat()

    row.jump_to_due()

    assert "was lost" in refresh_failure(row)
    beat.stop()
    if stalls:
        assert beat.ticks > 10  # R32: the window kept running through the stall
    session = row.engine.session
    assert session is not None
    assert session.refresh_token is None
    usable = row.agents_status() == 200
    row.jump_past(session.expires_at)
    wait_signed_out(row)
    assert row.form.reason.text() == EXPIRED_TEXT
    assert [reason for reason, _ in row.signed_out] == ["expired"]
    assert outcomes(inject.server) == (
        [] if inject.fault.kind == "drop" else ["rotated"]
    )
    inject.facts.note(ended="answer lost (R16)")
    inject.finish(
        "token retired; usable until expiry, then one prompt", lost=not usable
    )


@pytest.mark.parametrize("inject", [by_key("stall")], indirect=True, ids=str)
def test_a_stalled_answer_is_waited_out_without_freezing(
    windows: WindowRows, inject: Injector
) -> None:
    """R32: the window stays live while a slow answer arrives."""
    row = signed_in_row(windows)
    inject.arm()
    beat = Heartbeat()

    row.jump_to_due()

    row.wait_until(row.refreshed)
    beat.stop()
    assert beat.ticks > 10
    assert outcomes(inject.server) == ["rotated"]
    inject.finish("waited out, window live", lost=row.agents_status() != 200)


@pytest.mark.parametrize("inject", rows("window", "no_refresh"), indirect=True, ids=str)
def test_a_clock_far_from_the_servers_causes_no_refresh_loop(
    windows: WindowRows, inject: Injector
) -> None:
    """R10: no refresh before the lead time, one at it, none after."""
    inject.server.state.clock.set_offset(float(inject.fault.key.removeprefix("clock")))
    row = signed_in_row(windows)

    row.qtbot.wait(300)  # the timer checks the clock every 50 ms meanwhile

    assert outcomes(inject.server) == []
    assert row.panel.badge.text() == "Active"
    row.jump_to_due()
    row.wait_until(row.refreshed)
    row.qtbot.wait(300)
    assert outcomes(inject.server) == ["rotated"]
    assert row.signed_out == []
    inject.finish("no refresh until due, then one", lost=row.agents_status() != 200)


@pytest.mark.parametrize("inject", [by_key("suspend")], indirect=True, ids=str)
def test_a_suspend_longer_than_the_token_refreshes_once_on_waking(
    windows: WindowRows, inject: Injector
) -> None:
    """R37: the wall clock jumps nine hours, the monotonic clock does not."""
    row = signed_in_row(windows)

    row.clock.jump(9 * 3600)
    inject.server.state.clock.advance(9 * 3600)

    row.wait_until(row.refreshed)
    row.qtbot.wait(200)
    assert outcomes(inject.server) == ["rotated"]
    assert row.panel.badge.text() == "Active"
    inject.finish("refreshed once on waking", lost=row.agents_status() != 200)


@pytest.mark.parametrize("inject", [by_key("revoked")], indirect=True, ids=str)
def test_a_session_revoked_on_the_server_gives_one_sign_in_prompt(
    windows: WindowRows, inject: Injector
) -> None:
    """R38, R14: the next refresh (and a page's call at once) end it; one prompt."""
    row = signed_in_row(windows)
    inject.server.state.revoke_sessions(DEMO_EMAIL)

    row.panel.refresh_now()
    tasks = row.window.context.tasks
    calls = [
        tasks.start(row.engine.request("GET", "/agents"), name="page call")
        for _ in range(3)
    ]

    wait_signed_out(row)
    row.wait_until(lambda: all(call.done() for call in calls))
    assert (
        row.form.reason.text()
        == "The session was revoked on the server; sign in again."
    )
    assert [reason for reason, _ in row.signed_out] == ["revoked"]
    assert run(row.qtbot, Vault().load_session(row.services.profile.name)) is None
    assert outcomes(inject.server) == ["revoked"]
    inject.facts.note(ended="revoked by the server")
    inject.finish("one clear sign-in prompt", lost=False)


@pytest.mark.parametrize("inject", [by_key("parallel_20")], indirect=True, ids=str)
def test_twenty_concurrent_calls_refused_with_401_refresh_once(
    windows: WindowRows, inject: Injector
) -> None:
    """R11 in the window's engine: the server saw the token expire; one refresh."""
    row = signed_in_row(windows)
    inject.server.state.clock.advance(28800 + 1)

    async def twenty() -> list[int]:
        calls = [row.engine.request("GET", "/agents") for _ in range(20)]
        return [response.status_code for response in await asyncio.gather(*calls)]

    statuses = row.run(twenty())

    assert statuses == [200] * 20
    assert outcomes(inject.server) == ["rotated"]
    inject.finish("20 calls, one refresh", lost=row.agents_status() != 200)


@pytest.mark.parametrize("inject", [by_key("two_windows")], indirect=True, ids=str)
def test_two_windows_sharing_a_session_refresh_it_once(
    windows: WindowRows, inject: Injector
) -> None:
    """R35, R36: both timers fire; one refreshes, the other adopts the result."""
    first = signed_in_row(windows)
    second = windows.open(first.services.profile)
    assert second.engine.session == first.engine.session

    first.jump_to_due()
    second.jump_to_due()

    first.wait_until(first.refreshed)
    second.wait_until(second.refreshed)
    assert outcomes(inject.server) == ["rotated"]
    assert first.engine.session == second.engine.session
    lost = first.agents_status() != 200 or second.agents_status() != 200
    inject.finish("one refresh, the other adopted it", lost=lost)


@pytest.mark.parametrize("inject", [by_key("keyring_missing")], indirect=True, ids=str)
def test_without_a_keyring_the_session_lives_in_memory_and_the_panel_says_so(
    windows: WindowRows, inject: Injector
) -> None:
    """R24: nothing persisted; "Memory only" with the reason."""
    failing = keyring.backends.fail.Keyring()  # type: ignore[no-untyped-call]
    row = signed_in_row(windows, vault=Vault(backend=failing))

    storage = row.panel.fields["storage"].text()

    assert storage.startswith("Memory only: no secure keyring")
    assert run(row.qtbot, Vault().load_session(row.services.profile.name)) is None
    inject.finish("memory only, said so", lost=row.agents_status() != 200)


@pytest.mark.parametrize("inject", [by_key("keyring_locked")], indirect=True, ids=str)
def test_a_locked_keyring_is_reported_and_nothing_is_deleted(
    windows: WindowRows, inject: Injector, qtbot: QtBot
) -> None:
    """R24: the program says the keyring is locked; the stored session survives."""
    row = signed_in_row(windows)
    profile = row.services.profile
    stored = row.engine.session

    with locked_keyring():
        shell = Shell(StartOptions(profile=profile.name, server=profile.server))
        shell.window.show()
        run(qtbot, shell.open_services(profile.name, profile.server))
        account = shell.window.account
        offered = account.layers.currentWidget() is account.sign_in_page
        said = account.sign_in_page.notice.text()
        run(qtbot, shell.shutdown())

    assert offered  # a sign-in kept in memory is still possible
    assert "keyring is locked" in said
    assert "nothing was deleted" in said
    assert "memory only" in said
    after = windows.open(profile)
    assert after.engine.session == stored
    inject.finish("said locked; nothing deleted", lost=after.agents_status() != 200)


@pytest.mark.parametrize("inject", [by_key("keyring_slow")], indirect=True, ids=str)
def test_a_keyring_that_takes_five_seconds_never_freezes_the_window(
    windows: WindowRows, inject: Injector, qtbot: QtBot
) -> None:
    """R29: the window paints and answers while the keyring thinks."""
    profile = windows.profile()
    window = windows.window()
    beat = Heartbeat()
    backend = SlowSecretService()  # type: ignore[no-untyped-call]
    slow = default_engine(vault=Vault(backend=backend))

    row = windows.open(profile, slow, window)

    beat.stop()
    assert beat.ticks > 50  # about 5 s of 20 ms ticks went by during the read
    sign_in(row)
    assert row.panel.fields["storage"].text().startswith("OS keyring")
    inject.finish(
        "window live while the keyring waited", lost=row.agents_status() != 200
    )


@pytest.mark.parametrize("inject", [by_key("window_and_cli")], indirect=True, ids=str)
def test_the_window_and_a_token_command_at_once_refresh_once(
    windows: WindowRows, inject: Injector, a7home: Path
) -> None:
    """R35, R19: one process refreshes, the other adopts; same fingerprint."""
    inject.facts.note(front_end="window+cli")
    row = signed_in_row(windows)
    command = CliSession(Cli(inject.server, row.services.profile.name, a7home))
    stored = aged_copy(row.engine.session, 100)  # due for the command, too
    run(row.qtbot, Vault().save_session(stored))

    process = command.start("token")
    row.jump_to_due()

    # The window must keep running while the command waits for its lock.
    row.wait_until(lambda: process.poll() is not None, timeout=90_000)
    out, err = process.communicate()
    row.wait_until(row.refreshed)
    assert process.returncode == 0, err.decode()
    assert outcomes(inject.server) == ["rotated"]
    assert out.decode().strip() == row.engine.session.access_token
    inject.finish("one refresh between them", lost=row.agents_status() != 200)
