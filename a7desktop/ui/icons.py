"""SVG icons shipped with the window, tinted to follow the light or dark theme.

The icons live in ``a7desktop/ui/resources/icons`` as package data, so they
load the same from a checkout, a wheel or a frozen build. Monochrome icons
draw in ``currentColor``, which is replaced by the application palette's text
colour each time the icon is drawn: when the desktop switches between light
and dark, every icon follows on its next paint, and a selected item's icon
takes the selection's text colour. Each size is rendered from the SVG when
first asked for, so icons stay sharp on high-DPI screens. Coloured icons (the
application icon, the tray states, the Google mark) keep their colours.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPixmap,
)
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


def _render(svg: str, size: QSize) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    if not renderer.isValid():
        raise ValueError("icon is not valid SVG")
    pixmap = QPixmap(size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size.width(), size.height()))
    painter.end()
    return pixmap


class _SvgEngine(QIconEngine):
    """Draws an SVG at whatever size is asked, when it is first asked.

    Rendering only the sizes that are painted keeps start-up cheap, and a
    size asked for at a high pixel ratio is drawn sharp instead of scaled.
    An SVG that draws in ``currentColor`` takes the palette's colour for the
    mode it is drawn in, looked up at that moment.
    """

    def __init__(self, svg: str) -> None:
        super().__init__()
        self._svg = svg
        self._follows_palette = "currentColor" in svg
        self._cache: dict[tuple[int, int, str], QPixmap] = {}

    def _colour(self, mode: QIcon.Mode) -> str:
        if not self._follows_palette:
            return ""
        role = (
            QPalette.ColorRole.HighlightedText
            if mode == QIcon.Mode.Selected
            else QPalette.ColorRole.WindowText
        )
        return QGuiApplication.palette().color(role).name()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        colour = self._colour(mode)
        key = (size.width(), size.height(), colour)
        cached = self._cache.get(key)
        if cached is None:
            svg = self._svg.replace("currentColor", colour) if colour else self._svg
            cached = _render(svg, size)
            self._cache[key] = cached
        if mode == QIcon.Mode.Disabled:
            return _faded(cached)
        return cached

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        pixels = QSize(
            max(1, round(size.width() * scale)), max(1, round(size.height() * scale))
        )
        pixmap = QPixmap(self.pixmap(pixels, mode, state))
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def paint(
        self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State
    ) -> None:
        ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        pixmap = self.scaledPixmap(rect.size(), mode, state, ratio)
        painter.drawPixmap(rect, pixmap)

    def availableSizes(
        self, mode: QIcon.Mode = QIcon.Mode.Normal, state: QIcon.State = QIcon.State.Off
    ) -> list[QSize]:
        return [QSize(size, size) for size in _SIZES]

    def clone(self) -> QIconEngine:
        return _SvgEngine(self._svg)


def _faded(pixmap: QPixmap) -> QPixmap:
    faded = QPixmap(pixmap.size())
    faded.fill(Qt.GlobalColor.transparent)
    painter = QPainter(faded)
    painter.setOpacity(0.4)
    painter.drawPixmap(0, 0, pixmap)
    painter.end()
    return faded


def icon(name: str, color: QColor | None = None) -> QIcon:
    """Return the icon ``name``; monochrome ones drawn in ``color``.

    Without ``color`` a monochrome icon follows the application palette (see
    the module's description). Raises ``FileNotFoundError`` for an unknown
    name; an invalid file raises ``ValueError`` when the icon is first drawn.
    """
    svg = _svg_source(name)
    if color is not None:
        svg = svg.replace("currentColor", color.name())
    return QIcon(_SvgEngine(svg))


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
        svg = _svg_source(name).replace("currentColor", "#000000")
        try:
            pixmap = _render(svg, QSize(16, 16))
        except ValueError as error:
            raise ValueError(f"icon {name!r} does not render: {error}") from None
        if pixmap.isNull():
            raise ValueError(f"icon {name!r} does not render")
    return len(names)
