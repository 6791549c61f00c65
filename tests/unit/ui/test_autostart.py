"""Start at login writes (and removes) the XDG autostart entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from a7desktop.ui import autostart


def test_autostart_entry_is_written_and_removed(a7home: Path) -> None:
    path = autostart.autostart_path()
    assert not autostart.is_enabled()

    autostart.set_enabled(True)

    assert autostart.is_enabled()
    text = path.read_text(encoding="utf-8")
    assert "Exec=" in text
    assert "--minimized" in text
    assert "Icon=ai.agent700.a7desktop" in text
    autostart.set_enabled(False)
    assert not path.exists()


def test_autostart_lives_under_the_config_home(
    a7home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert autostart.autostart_path().is_relative_to(a7home)


def test_a_frozen_program_starts_its_own_executable_at_login(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from a7desktop.ui import autostart

    program = tmp_path / "a7desktop"
    monkeypatch.setattr(autostart.sys, "frozen", True, raising=False)
    monkeypatch.setattr(autostart.sys, "executable", str(program))

    assert autostart.command() == [str(program), "--minimized"]
