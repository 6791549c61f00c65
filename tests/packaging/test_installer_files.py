"""The files the installers are made from: dependencies, icons, metadata."""

from __future__ import annotations

import plistlib
import re
import struct
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_depends_accepts_every_alternative_and_drops_versions(
    libraries: ModuleType,
) -> None:
    field = "libc6 (>= 2.35), libssl3 | libssl3t64, libfoo:any, dbus-x11 | dbus-user"

    assert libraries.depends_names(field) == {
        "libc6",
        "libssl3",
        "libssl3t64",
        "libfoo",
        "dbus-x11",
        "dbus-user",
    }


def test_the_debian_depends_list_is_one_relation_per_line() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "installer/linux/depends").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    relation = re.compile(r"^[a-z0-9][a-z0-9.+-]+( \| [a-z0-9][a-z0-9.+-]+)*$")

    assert [line for line in lines if not relation.match(line)] == []
    assert len(lines) == len(set(lines))
    assert lines[0] == "libc6"  # build-deb.sh adds its minimum version


def test_the_installer_icons_hold_every_size_as_png(
    icon_files: ModuleType, qapp: object, tmp_path: Path
) -> None:
    svg = icon_files.SOURCE.read_bytes()
    images = {
        size: icon_files.render_png(svg, size, tmp_path / f"{size}.png")
        for size in icon_files.PNG_SIZES
    }

    ico = icon_files.ico(images)
    icns = icon_files.icns(images)

    reserved, kind, count = struct.unpack_from("<HHH", ico)
    assert (reserved, kind, count) == (0, 1, len(icon_files.ICO_SIZES))
    width, _, _, _, _, _, length, offset = struct.unpack_from("<BBBBHHII", ico, 6)
    assert width == 16
    assert ico[offset : offset + length] == images[16]
    assert icns[:4] == b"icns"
    assert struct.unpack_from(">I", icns, 4)[0] == len(icns)
    assert all(image.startswith(PNG_MAGIC) for image in images.values())
    assert icns.count(PNG_MAGIC) == len(icon_files.ICNS_TYPES)


def test_the_macos_info_plist_leaves_the_version_to_the_build() -> None:
    with (ROOT / "installer/macos/Info.plist").open("rb") as file:
        info = plistlib.load(file)

    assert info["CFBundleIdentifier"] == "ai.agent700.a7desktop"
    assert info["CFBundleExecutable"] == "a7desktop"
    assert info["NSHighResolutionCapable"] is True
    assert "CFBundleShortVersionString" not in info


@pytest.mark.parametrize(
    "flag", ["/VERYSILENT", "/SUPPRESSMSGBOXES", "/ALLUSERS", "/CURRENTUSER", "/TASKS"]
)
def test_the_windows_fleet_flags_are_documented(flag: str) -> None:
    script = (ROOT / "installer/windows/a7desktop.iss").read_text(encoding="utf-8")

    assert flag in script
