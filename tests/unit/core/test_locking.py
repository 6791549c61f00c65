"""The cross-process session lock and the record of presented tokens."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from a7desktop.core.locking import LockBusy, ProfileLock
from a7desktop.core.presented import KEEP, PresentedTokens


async def test_two_locks_on_one_file_exclude_each_other(tmp_path: Path) -> None:
    path = tmp_path / "profiles" / "default" / "session.lock"
    first, second = ProfileLock(path), ProfileLock(path, poll=0.01)
    order: list[str] = []

    async with first:
        waiting = asyncio.create_task(second.__aenter__())
        await asyncio.sleep(0.05)
        assert not waiting.done()
        order.append("first done")
    await waiting
    order.append("second in")
    await second.__aexit__(None, None, None)
    assert order == ["first done", "second in"]


async def test_a_lock_held_too_long_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "session.lock"
    async with ProfileLock(path):
        with pytest.raises(LockBusy, match="another a7desktop process"):
            async with ProfileLock(path, timeout=0.1, poll=0.01):
                pass


async def test_cancelling_a_wait_leaves_the_lock_free(tmp_path: Path) -> None:
    path = tmp_path / "session.lock"
    holder = ProfileLock(path)
    await holder.__aenter__()
    waiting = asyncio.create_task(ProfileLock(path, poll=0.01).__aenter__())
    await asyncio.sleep(0.03)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await holder.__aexit__(None, None, None)
    async with ProfileLock(path, timeout=1):
        pass


def test_presented_tokens_are_remembered_as_digests(tmp_path: Path) -> None:
    record = PresentedTokens(tmp_path / "presented.json")
    token = "refresh-token-marker-abcdef"
    assert token not in record
    record.add(token)
    assert token in record
    assert token not in (tmp_path / "presented.json").read_text()
    record.discard(token)
    assert token not in record


def test_presented_tokens_keep_only_the_newest(tmp_path: Path) -> None:
    record = PresentedTokens(tmp_path / "presented.json")
    for number in range(KEEP + 5):
        record.add(f"token-{number}")
    assert "token-0" not in record
    assert f"token-{KEEP + 4}" in record


def test_an_unreadable_record_is_treated_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "presented.json"
    path.write_text("{oops")
    record = PresentedTokens(path)
    assert "x" not in record
    record.add("x")
    assert "x" in record
