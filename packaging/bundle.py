"""What goes into the frozen a7desktop, and what must stay out.

The PyInstaller spec (``a7desktop.spec`` beside this file) reads these lists,
and the packaging tests check them against the program's own imports, so a
new Qt module or a new dependency cannot slip in or out unnoticed. Plain
data and small pure functions only: this module is loaded by PyInstaller and
by pytest, and imports nothing from the program.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "a7desktop"
DISPLAY_NAME = "Agent700 Desktop"
APP_ID = "ai.agent700.a7desktop"
PUBLISHER = "Agent700"

# The Qt modules the window imports (``a7desktop/ui``). Anything else from
# PySide6 is left out, with its libraries and plugins.
QT_MODULES = ("QtCore", "QtGui", "QtWidgets", "QtSvg", "QtNetwork")

# Packages that would find their way in through lazy imports, but must not
# ship: the emulator (a developer sandbox, with its web server stack), the
# test tools, and standard-library parts nothing in the program uses.
EXCLUDED_MODULES = (
    "a7desktop.emulator",
    "a7desktop.ui.tour",  # the screenshot walk-through, which drives the emulator
    "starlette",
    "uvicorn",
    "trustme",
    "pytest",
    "_pytest",
    "pytestqt",
    "pytest_asyncio",
    "pytest_timeout",
    "hypothesis",
    "mypy",
    "ruff",
    "setuptools",
    "pkg_resources",
    "pip",
    "tkinter",
    "_tkinter",
    "pydoc_data",
    "lib2to3",
    "idlelib",
    "ensurepip",
    "distutils",
    "sqlite3",
    "xmlrpc",
)

# Modules that keyring loads through entry points, which PyInstaller cannot
# see by following imports. Their distribution metadata carries those entry
# points: without it keyring finds no backend and quietly uses "fail".
KEYRING_HIDDEN_IMPORTS = (
    "keyring.backends.SecretService",
    "keyring.backends.libsecret",
    "keyring.backends.kwallet",
    "keyring.backends.chainer",
    "keyring.backends.macOS",
    "keyring.backends.Windows",
    "secretstorage",
    "jeepney",
    "jeepney.io.blocking",
)
METADATA_PACKAGES = ("a7desktop", "keyring", "secretstorage", "jeepney")

# Files PyInstaller's Qt hooks collect that the program never loads. Matched
# against the destination path inside the bundle (forward slashes).
QT_FILES_DROPPED = (
    # Qt's own translations: the window is English only.
    r"PySide6/(Qt/)?translations/",
    # Image formats the program never reads: it loads SVG and PNG only.
    r"/imageformats/(lib)?q(gif|ico|jpeg|tga|tiff|wbmp|webp|icns|pdf|macheif|macjp2)"
    r"\.(so|dll|dylib)$",
    # Windows: Mesa's software OpenGL, for programs that draw with OpenGL.
    r"(^|/)opengl32sw\.dll$",
    # Platforms for kiosks and embedded boards, not desktops: a workstation
    # runs X11 or Wayland, and the self-test uses offscreen.
    r"/platforms/libq(eglfs|linuxfb|minimalegl|vnc|vkkhrdisplay)\.so$",
    r"/plugins/(egldeviceintegrations|generic|networkinformation)/",
    r"(^|/)libQt6(EglFSDeviceIntegration|EglFsKmsSupport|WlShellIntegration)\.so",
    # Wayland: desktops use xdg-shell; server buffers are for compositors.
    r"/wayland-shell-integration/lib(fullscreen-shell-v1|ivi-shell|qt-shell|wl-shell-plugin)\.so$",
    r"/wayland-graphics-integration-client/lib(dmabuf-server|drm-egl-server|"
    r"shm-emulation-server|vulkan-server)\.so$",
    # The GTK 3 theme plugin would drag GTK and its stack into the bundle;
    # Qt's built-in GNOME theme and the desktop portal cover light and dark.
    r"/platformthemes/libqgtk3\.so$",
    r"/platforminputcontexts/libqtvirtualkeyboardplugin\.so$",
)

# Where a Linux distribution keeps its shared libraries. The .deb depends on
# the distribution's packages for these instead of carrying copies, which
# would be stale beside the system's own GLib, D-Bus and X libraries.
SYSTEM_LIBRARY_DIRS = ("/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/")

VERSION_PATTERN = re.compile(r"^\d+(\.\d+){1,3}$")


def project_version(root: Path = ROOT) -> str:
    """The version in ``pyproject.toml``, the single source every build stamps.

    Raises ``ValueError`` when it is missing or not plain dotted numbers
    (Windows and macOS version fields take nothing else).
    """
    with (root / "pyproject.toml").open("rb") as file:
        version = tomllib.load(file).get("project", {}).get("version")
    if not isinstance(version, str) or not VERSION_PATTERN.match(version):
        raise ValueError(f"pyproject.toml has no plain dotted version: {version!r}")
    return version


def is_dropped(destination: str) -> bool:
    """True for a collected Qt file the program never loads."""
    path = destination.replace("\\", "/")
    return any(re.search(pattern, path) for pattern in QT_FILES_DROPPED)


def is_excluded(module: str) -> bool:
    """True for a module name that is, or sits under, an excluded package."""
    return any(
        module == excluded or module.startswith(excluded + ".")
        for excluded in EXCLUDED_MODULES
    )


def is_system_library(source: str, python_dirs: tuple[str, ...]) -> bool:
    """True for a shared library that comes from the distribution.

    ``source`` is where PyInstaller found the file; ``python_dirs`` are the
    standard library and site-packages folders, whose files always ship, as
    does the Python library itself wherever it lives.
    """
    if Path(source).name.startswith("libpython"):
        return False
    if any(source.startswith(folder) for folder in python_dirs):
        return False
    return source.startswith(SYSTEM_LIBRARY_DIRS)


def shipped_modules(root: Path = ROOT) -> list[str]:
    """Every module of the a7desktop package that the frozen build must hold."""
    names = []
    for path in sorted((root / NAME).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        name = ".".join(parts)
        if not is_excluded(name):
            names.append(name)
    return names
