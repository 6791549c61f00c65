"""Render the application icon for installers: PNG sizes, a Windows .ico, a macOS .icns.

    python packaging/icons.py OUT_DIR

writes ``OUT_DIR/png/<size>.png`` for every size in :data:`PNG_SIZES`,
``OUT_DIR/a7desktop.ico`` and ``OUT_DIR/a7desktop.icns``. Qt (already in the
build environment) draws the SVG; both container formats hold PNG images
directly, so no imaging library is needed. Runs on the offscreen platform,
so it needs no screen.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

SOURCE = (
    Path(__file__).resolve().parent.parent / "resources" / "ai.agent700.a7desktop.svg"
)
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# The icns element type for each PNG size (the Retina variants reuse sizes).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)


def render_png(svg: bytes, size: int, path: Path) -> bytes:
    """Draw ``svg`` on a transparent square of ``size`` pixels into ``path``.

    Returns the PNG file's bytes.
    """
    from PySide6.QtCore import QByteArray, QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise ValueError("the application icon is not valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()

    if not image.save(str(path)):
        raise ValueError(f"could not write the {size} px icon to {path}")
    return path.read_bytes()


def ico(images: dict[int, bytes]) -> bytes:
    """A Windows icon file holding PNG images (read by Windows Vista and later)."""
    sizes = [size for size in ICO_SIZES if size in images]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        blob = images[size]
        side = 0 if size >= 256 else size  # 0 means 256 in the directory
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset)
        blobs += blob
        offset += len(blob)
    return header + entries + blobs


def icns(images: dict[int, bytes]) -> bytes:
    """A macOS icon file holding PNG images (read by OS X 10.7 and later)."""
    body = b"".join(
        kind + struct.pack(">I", 8 + len(images[size])) + images[size]
        for kind, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python packaging/icons.py OUT_DIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication([sys.argv[0]])
    svg = SOURCE.read_bytes()
    (out / "png").mkdir(parents=True, exist_ok=True)
    images = {
        size: render_png(svg, size, out / "png" / f"{size}.png") for size in PNG_SIZES
    }
    (out / "a7desktop.ico").write_bytes(ico(images))
    (out / "a7desktop.icns").write_bytes(icns(images))
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
