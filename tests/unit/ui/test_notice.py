"""Inline messages: shown on the page and spoken by a running screen reader."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAccessible, QAccessibleEvent
from pytestqt.qtbot import QtBot

from a7desktop.ui.pages.base import Notice

Politeness = QAccessible.AnnouncementPoliteness


@pytest.fixture
def heard(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    """What a screen reader would be told (as if one were running)."""
    told: list[tuple[str, object]] = []

    def update(event: QAccessibleEvent) -> None:
        if event.type() == QAccessible.Event.Announcement:
            told.append((event.message(), event.politeness()))  # type: ignore[attr-defined]

    monkeypatch.setattr(QAccessible, "isActive", staticmethod(lambda: True))
    monkeypatch.setattr(QAccessible, "updateAccessibility", staticmethod(update))
    return told


def test_an_error_is_announced_at_once(
    qtbot: QtBot, heard: list[tuple[str, object]]
) -> None:
    notice = Notice()
    qtbot.addWidget(notice)

    notice.show_error("Wrong email or password.")

    assert notice.kind == "error"
    assert notice.text() == "Wrong email or password."
    assert heard == [("Wrong email or password.", Politeness.Assertive)]


def test_information_is_announced_when_the_reader_is_idle(
    qtbot: QtBot, heard: list[tuple[str, object]]
) -> None:
    notice = Notice()
    qtbot.addWidget(notice)

    notice.show_info("Refreshing…")
    notice.clear_message()

    assert heard == [("Refreshing…", Politeness.Polite)]
    assert notice.isHidden()
