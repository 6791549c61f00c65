"""The fault matrix through the command line: ``a7desktop`` as its own process.

Each row signs in with the real command, puts the stored session where the
fault bites (usually 100 s before expiry, inside ``token``'s 300 s margin),
arms the fault on the emulator and runs the commands a tool would run. The
expected outcome of every row comes from ``fault_table`` (and so from
../shared/RELIABILITY.md); two global checks close each row (see
``server_view.Injector.finish``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_driver import CliSession, Ran, keyring_env
from cli_helpers import Cli
from fault_table import Fault, by_key, rows
from keyring_lock import locked_keyring
from ledger import Facts
from server_view import Injector, accepts, outcomes

from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD, EmulatorServer

pytestmark = pytest.mark.keyring

DUE = 100.0  # seconds left: inside the default 300 s margin of ``token``


@pytest.fixture
def cli(
    emulator: EmulatorServer, a7home: Path, no_policy: Path
) -> Iterator[CliSession]:
    session = CliSession(Cli(emulator, f"rel-{uuid.uuid4().hex[:10]}", a7home))
    yield session
    session.run("logout")  # leave nothing in the shared test keyring


@pytest.fixture
def inject(
    request: pytest.FixtureRequest, emulator: EmulatorServer, fault_facts: Facts
) -> Injector:
    fault: Fault = request.param
    fault_facts.note(front_end="cli")
    return Injector(emulator, fault, fault_facts)


def one_line(ran: Ran) -> str:
    """The command's message to the person: one line, never a traceback."""
    lines = [line for line in ran.stderr.splitlines() if line.startswith("a7desktop:")]
    assert "Traceback" not in ran.stderr
    assert len(lines) == 1, ran.stderr
    return lines[0]


# The command line cannot jump its clock: its Retry-After rows ask for 2 s.
SHORT_WAIT = 2.0


@pytest.mark.parametrize("inject", rows("cli", "kept"), indirect=True, ids=str)
def test_a_passing_failure_keeps_the_session(cli: CliSession, inject: Injector) -> None:
    """R15, R30, R33: HTML 502, 429 and 503 keep it; every process honours the wait."""
    asks_to_wait = inject.fault.retry_after is not None
    cli.login()
    before = cli.age(DUE)
    inject.arm(wait=SHORT_WAIT)

    during = cli.token()

    assert during.returncode == 0, during.stderr
    assert during.stdout.strip() == before.access_token  # still valid: handed out
    assert "using the current access token" in during.stderr  # and says why
    kept = cli.stored()
    assert kept is not None
    assert kept.refresh_token == before.refresh_token  # nothing was spent
    inject.disarm()
    if asks_to_wait:
        sent = inject.refresh_requests()
        held = cli.token()  # another process, while the server's wait runs
        assert held.stdout.strip() == before.access_token
        assert inject.refresh_requests() == sent  # R30: not asked again
        time.sleep(SHORT_WAIT + 0.5)
    after = cli.token()
    fresh = after.stdout.strip()
    assert after.returncode == 0, after.stderr
    assert fresh != before.access_token
    assert outcomes(inject.server) == ["rotated"]
    held_back = "; the next process waited as asked" if asks_to_wait else ""
    inject.finish(
        f"kept{held_back}; refreshed after",
        lost=not accepts(cli.cli.server, fresh),
    )


@pytest.mark.parametrize("inject", rows("cli", "retired"), indirect=True, ids=str)
def test_a_refresh_whose_answer_may_be_lost_retires_the_token(
    cli: CliSession, inject: Injector
) -> None:
    """R16, R18, R33: the token is never presented again; sign in at expiry."""
    cli.login()
    before = cli.age(DUE)
    inject.arm()

    during = cli.token()

    # Either the still-valid token, or one clear line; never a traceback.
    if during.returncode == 0:
        assert during.stdout.strip() == before.access_token
    else:
        assert "the server's answer" in one_line(during)
    inject.disarm()
    again = cli.token()
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == before.access_token
    assert "cannot be renewed" in again.stderr
    stored = cli.stored()
    assert stored is not None
    assert stored.refresh_token is None  # retired, and never sent again
    usable = accepts(cli.cli.server, before.access_token)

    cli.age(-5)
    ended = cli.token()

    assert ended.returncode == 4
    assert "sign in again" in one_line(ended)
    assert "a7desktop login" in one_line(ended)
    assert cli.status()["signed_in"] is False
    assert outcomes(inject.server) == (
        [] if inject.fault.kind == "drop" else ["rotated"]
    )
    inject.facts.note(ended="answer lost (R16)")
    inject.finish("token retired; kept until expiry, then sign in", lost=not usable)


@pytest.mark.parametrize("inject", [by_key("stall")], indirect=True, ids=str)
def test_a_stalled_answer_is_waited_out(cli: CliSession, inject: Injector) -> None:
    """R32: a body that stalls for less than the read timeout completes."""
    cli.login()
    before = cli.age(DUE)
    inject.arm()

    ran = cli.token()

    fresh = ran.stdout.strip()
    assert ran.returncode == 0, ran.stderr
    assert fresh != before.access_token
    assert outcomes(inject.server) == ["rotated"]
    inject.finish("waited out; refreshed once", lost=not accepts(cli.cli.server, fresh))


@pytest.mark.parametrize("inject", rows("cli", "no_refresh"), indirect=True, ids=str)
def test_a_clock_far_from_the_servers_causes_no_refresh_loop(
    cli: CliSession, inject: Injector
) -> None:
    """R10: expiry counts from the send, so a wrong clock changes nothing."""
    offset = float(inject.fault.key.removeprefix("clock"))
    inject.server.state.clock.set_offset(offset)
    inject.facts.add("answers_faulted", 0)
    cli.login()

    tokens = {cli.token().stdout.strip() for _ in range(3)}
    status = cli.status()

    assert len(tokens) == 1
    assert outcomes(inject.server) == []
    assert status["signed_in"] is True
    assert status["expires_in"] > 28800 - 120  # no early sign-out
    cli.age(DUE)
    refreshed = {cli.token().stdout.strip() for _ in range(3)}
    assert len(refreshed) == 1
    assert outcomes(inject.server) == ["rotated"]  # once, not in a loop
    (fresh,) = refreshed
    inject.finish(
        "no refresh until due, then one", lost=not accepts(cli.cli.server, fresh)
    )


@pytest.mark.parametrize("inject", [by_key("suspend")], indirect=True, ids=str)
def test_a_suspend_longer_than_the_token_refreshes_once(
    cli: CliSession, inject: Injector
) -> None:
    """R37: nine hours pass on both clocks; the next ``token`` refreshes once."""
    cli.login()
    inject.server.state.clock.advance(9 * 3600)
    before = cli.age(-3600)

    ran = cli.token()

    fresh = ran.stdout.strip()
    assert ran.returncode == 0, ran.stderr
    assert fresh != before.access_token
    assert cli.token().stdout.strip() == fresh
    assert outcomes(inject.server) == ["rotated"]
    inject.finish("refreshed once on waking", lost=not accepts(cli.cli.server, fresh))


@pytest.mark.parametrize("inject", [by_key("revoked")], indirect=True, ids=str)
def test_a_session_revoked_on_the_server_ends_with_one_clear_message(
    cli: CliSession, inject: Injector
) -> None:
    """R38, R14: the next call to the server ends it and says why."""
    cli.login()
    inject.server.state.revoke_sessions(DEMO_EMAIL)

    ran = cli.run("app-passwords", "list")

    assert ran.returncode == 4
    message = one_line(ran)
    assert "ended on the server" in message
    assert "a7desktop login" in message
    assert cli.status()["signed_in"] is False
    assert cli.stored() is None
    assert outcomes(inject.server) == ["revoked"]
    inject.facts.note(ended="revoked by the server")
    inject.finish("one clear 'sign in again'", lost=False)


@pytest.mark.parametrize("inject", [by_key("parallel_20")], indirect=True, ids=str)
def test_twenty_parallel_token_calls_refresh_once(
    cli: CliSession, inject: Injector
) -> None:
    """R35, R11: twenty processes, one stored session due for refresh."""
    cli.login()
    before = cli.age(DUE)

    processes = [cli.start("token") for _ in range(20)]
    results = [process.communicate(timeout=90) for process in processes]

    failed = [
        err.decode()
        for process, (_, err) in zip(processes, results, strict=True)
        if process.returncode != 0
    ]
    assert failed == []
    tokens = {out.decode().strip() for out, _ in results}
    assert len(tokens) == 1
    assert tokens != {before.access_token}
    assert outcomes(inject.server) == ["rotated"]
    inject.facts.add("answers_faulted", 0)
    (fresh,) = tokens
    inject.finish("20 tokens, one refresh", lost=not accepts(cli.cli.server, fresh))


@pytest.mark.parametrize("inject", [by_key("keyring_missing")], indirect=True, ids=str)
def test_without_a_keyring_nothing_is_stored_and_the_command_says_so(
    cli: CliSession, inject: Injector
) -> None:
    """R24: memory only, said at sign-in and by ``status``; nothing persisted."""
    no_keyring = keyring_env("keyring.backends.fail.Keyring")

    login = cli.run(
        "login",
        "--email",
        DEMO_EMAIL,
        "--password-stdin",
        input=DEMO_PASSWORD,
        env=no_keyring,
    )
    status = cli.run("status", env=no_keyring)

    assert login.returncode == 0, login.stderr
    assert "kept in memory only" in login.stderr
    assert status.returncode == 4
    assert "memory only" in status.stderr
    assert cli.stored() is None  # nothing reached the real keyring either
    inject.finish("memory only, said so", lost=False)


@pytest.mark.parametrize("inject", [by_key("keyring_locked")], indirect=True, ids=str)
def test_a_locked_keyring_is_reported_and_nothing_is_deleted(
    cli: CliSession, inject: Injector
) -> None:
    """R24: locked is never "not signed in"; nothing is deleted because of it."""
    cli.login()
    token = cli.token().stdout.strip()

    with locked_keyring():
        while_locked = [cli.token(), cli.run("status"), cli.run("logout")]

    for ran in while_locked:
        assert ran.returncode == 1, ran.stderr
        assert "keyring is locked" in one_line(ran)
        assert "nothing was deleted" in one_line(ran)
    after = cli.token()
    assert after.returncode == 0, after.stderr
    assert after.stdout.strip() == token
    inject.finish(
        "said locked; nothing deleted", lost=not accepts(cli.cli.server, token)
    )


@pytest.mark.parametrize("inject", [by_key("keyring_slow")], indirect=True, ids=str)
def test_a_keyring_that_takes_five_seconds_is_waited_for(
    cli: CliSession, inject: Injector
) -> None:
    """R29 (for the command line: it waits, within the vault's 10 s deadline)."""
    cli.login()
    stored = cli.stored()
    assert stored is not None
    started = time.monotonic()

    ran = cli.run("token", env=keyring_env("slow_keyrings.SlowSecretService"))

    waited = time.monotonic() - started
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == stored.access_token
    inject.facts.note(waited_seconds=round(waited, 1))
    inject.finish("waited for the keyring", lost=False)
