"""SVG icons shipped with the window, tinted to follow the light or dark theme.

The icons live in ``a7desktop/ui/resources/icons`` as package data, so they
load the same from a checkout, a wheel or a frozen build. Monochrome icons
draw in ``currentColor``; :func:`icon` replaces it with the palette's text
colour and renders each icon at several sizes, so it stays sharp on high-DPI
screens and readable on a dark theme. Coloured icons (the application icon,
the tray states, the Google mark) keep their colours.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

# Sizes in device-independent pixels, rendered at the screen's pixel ratio.
_SIZES = (16, 20, 24, 32, 48, 64)

APP_ICON = "app"
TRAY_STATES = (
    "active",
    "refreshing",
    "expiring",
    "expired",
    "signed-out",
    "offline",
)


def icon_dir() -> Path:
    """The folder holding the SVG files (inside the installed package)."""
    return Path(str(resources.files("a7desktop.ui") / "resources" / "icons"))


def icon_names() -> list[str]:
    """Every icon shipped, by name (the file name without ``.svg``)."""
    return sorted(path.stem for path in icon_dir().glob("*.svg"))


@cache
def _svg_source(name: str) -> str:
    return (icon_dir() / f"{name}.svg").read_text(encoding="utf-8")


def _render(svg: str, size: int, ratio: float) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    if not renderer.isValid():
        raise ValueError("icon is not valid SVG")
    pixels = max(1, round(size * ratio))
    pixmap = QPixmap(pixels, pixels)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, pixels, pixels))
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def _pixel_ratio() -> float:
    app = QGuiApplication.instance()
    if isinstance(app, QGuiApplication):
        return max(1.0, app.devicePixelRatio())
    return 1.0


def icon(name: str, color: QColor | None = None) -> QIcon:
    """Return the icon ``name``, monochrome ones drawn in ``color``.

    ``color`` defaults to the application palette's window text colour, so a
    call after a theme change gives icons that suit the new theme. Raises
    ``FileNotFoundError`` for an unknown name and ``ValueError`` for a file
    that is not valid SVG.
    """
    svg = _svg_source(name)
    if "currentColor" in svg:
        if color is None:
            color = QGuiApplication.palette().color(QPalette.ColorRole.WindowText)
        svg = svg.replace("currentColor", color.name())

    ratio = _pixel_ratio()
    result = QIcon()
    for size in _SIZES:
        result.addPixmap(_render(svg, size, ratio))
    return result


def tray_icon(state: str) -> QIcon:
    """The tray icon for a state name in :data:`TRAY_STATES`."""
    return icon(f"tray-{state}")


def check_all() -> int:
    """Render every shipped icon once; return how many loaded.

    Used by ``--self-test``: raises ``ValueError`` naming the first icon that
    does not render, so a broken package is caught before a user sees it.
    """
    names = icon_names()
    if not names:
        raise ValueError(f"no icons found in {icon_dir()}")
    for name in names:
        try:
            loaded = icon(name)
        except ValueError as error:
            raise ValueError(f"icon {name!r} does not render: {error}") from None
        if loaded.isNull() or loaded.pixmap(QSize(16, 16)).isNull():
            raise ValueError(f"icon {name!r} does not render")
    return len(names)
