"""Icons ship inside the package and render, tinted for the theme."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon, QImage, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from a7desktop.ui import icons


def test_every_shipped_icon_renders(qtbot: QtBot) -> None:
    assert icons.check_all() == len(icons.icon_names())
    assert {"app", "copy", "key", "session"} <= set(icons.icon_names())


def test_there_is_a_tray_icon_for_every_state(qtbot: QtBot) -> None:
    for state in icons.TRAY_STATES:
        assert not icons.tray_icon(state).isNull()


def _lightness(image: QImage) -> tuple[int, int]:
    """Darkest and lightest lightness of the icon's opaque pixels."""
    values = [
        image.pixelColor(x, y).lightness()
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() > 200
    ]
    return min(values), max(values)


def _drawn(icon: QIcon, mode: QIcon.Mode = QIcon.Mode.Normal) -> QImage:
    return icon.pixmap(QSize(24, 24), mode).toImage()


def test_monochrome_icons_take_a_given_colour(qtbot: QtBot) -> None:
    assert _lightness(_drawn(icons.icon("copy", QColor("#000000"))))[1] < 60
    assert _lightness(_drawn(icons.icon("copy", QColor("#ffffff"))))[0] > 200


def test_monochrome_icons_follow_the_theme_when_it_switches(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.palette()
    icon = icons.icon("copy")
    light, dark = QPalette(before), QPalette(before)
    light.setColor(QPalette.ColorRole.WindowText, QColor("#000000"))
    light.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#ffffff"))
    try:
        app.setPalette(light)
        on_light = _lightness(_drawn(icon))
        selected = _lightness(_drawn(icon, QIcon.Mode.Selected))
        app.setPalette(dark)
        on_dark = _lightness(_drawn(icon))
    finally:
        app.setPalette(before)

    assert on_light[1] < 60
    assert selected[0] > 200
    assert on_dark[0] > 200


def test_the_application_icon_for_installers_matches_the_packaged_one() -> None:
    from pathlib import Path

    installer_copy = (
        Path(__file__).parents[3] / "resources" / "ai.agent700.a7desktop.svg"
    )

    assert installer_copy.read_bytes() == (icons.icon_dir() / "app.svg").read_bytes()
