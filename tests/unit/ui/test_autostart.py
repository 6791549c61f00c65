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
