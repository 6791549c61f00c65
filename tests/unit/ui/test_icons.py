"""Icons ship inside the package and render, tinted for the theme."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from a7desktop.ui import icons


def test_every_shipped_icon_renders(qtbot: QtBot) -> None:
    assert icons.check_all() == len(icons.icon_names())
    assert {"app", "copy", "key", "session"} <= set(icons.icon_names())


def test_there_is_a_tray_icon_for_every_state(qtbot: QtBot) -> None:
    for state in icons.TRAY_STATES:
        assert not icons.tray_icon(state).isNull()


def test_monochrome_icons_take_the_theme_colour(qtbot: QtBot) -> None:
    light = icons.icon("copy", QColor("#000000")).pixmap(QSize(24, 24)).toImage()
    dark = icons.icon("copy", QColor("#ffffff")).pixmap(QSize(24, 24)).toImage()

    def darkest(image: object) -> int:
        values = [
            image.pixelColor(x, y).lightness()  # type: ignore[attr-defined]
            for x in range(image.width())  # type: ignore[attr-defined]
            for y in range(image.height())  # type: ignore[attr-defined]
            if image.pixelColor(x, y).alpha() > 200  # type: ignore[attr-defined]
        ]
        return min(values)

    assert darkest(light) < 60
    assert darkest(dark) > 200


def test_the_application_icon_for_installers_matches_the_packaged_one() -> None:
    from pathlib import Path

    installer_copy = (
        Path(__file__).parents[3] / "resources" / "ai.agent700.a7desktop.svg"
    )

    assert installer_copy.read_bytes() == (icons.icon_dir() / "app.svg").read_bytes()
