"""App passwords through the engine, kept tokens in the vault (R27 core side)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from core_unit_helpers import Emulator

from a7desktop.core.app_passwords import AppPasswords
from a7desktop.core.engine import SessionEngine
from a7desktop.core.errors import (
    InvalidInput,
    NotFound,
    ServerUnavailable,
    UsageError,
    VaultLocked,
)
from a7desktop.core.vault import MemoryVault
from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD

MakeEngine = Callable[..., SessionEngine]


@pytest.fixture
async def service(make_engine: MakeEngine) -> AppPasswords:
    engine = make_engine()
    await engine.start(schedule_refresh=False)
    await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)
    return AppPasswords(engine)


async def test_create_keeps_the_token_and_get_finds_it_by_name_or_id(
    service: AppPasswords,
) -> None:
    created = await service.create("  CI pipeline ")
    assert created.kept is True
    assert created.info.name == "CI pipeline"
    assert created.token.startswith("app_a7_")

    assert await service.get_kept("CI pipeline") == created.token
    assert await service.get_kept(created.info.id) == created.token
    assert await service.kept_ids() == {created.info.id}
    assert [i.id for i in await service.list()] == [created.info.id]


async def test_create_without_keeping(service: AppPasswords) -> None:
    created = await service.create("one-off", keep=False)
    assert created.kept is False
    assert await service.kept_ids() == set()
    with pytest.raises(NotFound):
        await service.get_kept("one-off")


async def test_a_failed_keep_still_returns_the_token(
    make_engine: MakeEngine,
) -> None:
    """The server shows the token once: a locked keyring must not lose it."""

    class NoKeeping(MemoryVault):
        async def set_secret(self, kind: str, name: str, value: str) -> None:
            raise VaultLocked("the keyring is locked (test)")

    engine = make_engine(vault=NoKeeping())
    await engine.start(schedule_refresh=False)
    await engine.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)
    created = await AppPasswords(engine).create("CI")
    assert created.kept is False
    assert created.keep_error is not None
    assert "locked" in created.keep_error
    assert created.token.startswith("app_a7_")


async def test_revoke_by_name_forgets_the_kept_token(
    service: AppPasswords, emulator: Emulator
) -> None:
    created = await service.create("CI")
    revoked = await service.revoke("CI")
    assert revoked.id == created.info.id
    assert await service.list() == []
    assert await service.kept_ids() == set()
    assert await service.test(created.token) is False


async def test_an_ambiguous_name_asks_for_the_id(service: AppPasswords) -> None:
    await service.create("twin")
    await service.create("twin")
    with pytest.raises(UsageError, match="use the id"):
        await service.revoke("twin")
    with pytest.raises(UsageError, match="use the id"):
        await service.get_kept("twin")


async def test_unknown_names_are_not_found(service: AppPasswords) -> None:
    with pytest.raises(NotFound, match="no app password"):
        await service.revoke("nope")


async def test_test_says_whether_a_token_works(service: AppPasswords) -> None:
    created = await service.create("probe", keep=False)
    assert await service.test(f" {created.token} ") is True
    assert await service.test("app_a7_" + "0" * 32) is False
    with pytest.raises(InvalidInput):
        await service.test("not-a-token")


async def test_keep_and_forget_a_token_obtained_elsewhere(
    service: AppPasswords,
) -> None:
    created = await service.create("elsewhere", keep=False)
    await service.keep("elsewhere", created.token)
    assert await service.get_kept("elsewhere") == created.token
    assert await service.forget("elsewhere") is True
    assert await service.forget("elsewhere") is False
    with pytest.raises(InvalidInput):
        await service.keep("elsewhere", "garbage")


async def test_kept_tokens_are_per_profile(
    make_engine: MakeEngine, profile: object
) -> None:
    from a7desktop.core.config import resolve_profile

    vault = MemoryVault()
    default = make_engine(vault=vault)
    await default.start(schedule_refresh=False)
    await default.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)
    await AppPasswords(default).create("mine")

    work = make_engine(
        vault=vault, the_profile=resolve_profile("work", default.profile.server)
    )
    await work.start(schedule_refresh=False)
    await work.sign_in_password(DEMO_EMAIL, DEMO_PASSWORD)
    assert await AppPasswords(work).kept_ids() == set()


async def test_create_is_not_retried_after_a_server_error(
    service: AppPasswords, emulator: Emulator
) -> None:
    """R31: creating twice would leave a stray app password."""
    emulator.state.faults.add("app-passwords-create", "status", status=503)
    with pytest.raises(ServerUnavailable):
        await service.create("CI")
    creates = [
        r
        for r in emulator.state.requests
        if r.method == "POST" and r.path == "/api/auth/app-passwords"
    ]
    assert len(creates) == 1


async def test_names_are_checked_before_any_request(service: AppPasswords) -> None:
    with pytest.raises(InvalidInput, match="1 to 100"):
        await service.create("   ")
    with pytest.raises(InvalidInput):
        await service.create("x" * 101)
