"""What the frozen build may hold, checked against the program's own imports.

The real build is too slow for the test suite; scripts/smoke-frozen checks
the built bundle. These tests catch the cheap mistakes first: a Qt module the
window starts using but the spec would leave out, a shipped module that
imports the emulator or a test tool when it loads, a version that would be
stamped wrong.
"""

from __future__ import annotations

import ast
from pathlib import Path
from types import ModuleType

import pytest

import a7desktop

PACKAGE_DIR = Path(a7desktop.__file__).parent


def _shipped_sources(bundle: ModuleType) -> list[Path]:
    """Every module of the package that the frozen build ships."""
    shipped = set(bundle.shipped_modules())
    return [
        path
        for path in sorted(PACKAGE_DIR.rglob("*.py"))
        if _module_name(path) in shipped
    ]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _load_time_imports(tree: ast.Module) -> set[str]:
    """Imports that run when the module loads (not in functions or TYPE_CHECKING)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        names |= _imports(node)
    return names


def test_bundled_qt_modules_are_exactly_the_ones_the_program_imports(
    bundle: ModuleType,
) -> None:
    used = set()
    for path in _shipped_sources(bundle):
        for name in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            parts = name.split(".")
            if parts[0] == "PySide6" and len(parts) > 1:
                used.add(parts[1])

    assert used == set(bundle.QT_MODULES)


def test_no_shipped_module_imports_an_excluded_package_when_it_loads(
    bundle: ModuleType,
) -> None:
    offenders = []
    for path in _shipped_sources(bundle):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        excluded = sorted(
            name for name in _load_time_imports(tree) if bundle.is_excluded(name)
        )
        if excluded:
            offenders.append(f"{path.relative_to(PACKAGE_DIR)}: {excluded}")

    assert offenders == []


@pytest.mark.parametrize(
    "module",
    ["a7desktop.emulator", "a7desktop.emulator.server", "starlette.routing", "pytest"],
)
def test_the_emulator_and_test_tools_are_excluded(
    bundle: ModuleType, module: str
) -> None:
    assert bundle.is_excluded(module)


@pytest.mark.parametrize(
    "module", ["a7desktop", "a7desktop.ui.window", "keyring.backends", "httpx"]
)
def test_the_program_and_its_runtime_dependencies_are_not_excluded(
    bundle: ModuleType, module: str
) -> None:
    assert not bundle.is_excluded(module)


def test_every_module_but_the_emulator_and_the_tour_ships(bundle: ModuleType) -> None:
    shipped = bundle.shipped_modules()

    assert "a7desktop.cli.main" in shipped
    assert "a7desktop.ui.window" in shipped
    assert not [name for name in shipped if name.startswith("a7desktop.emulator")]
    assert "a7desktop.ui.tour" not in shipped


def test_the_stamped_version_is_the_package_version(bundle: ModuleType) -> None:
    assert bundle.project_version() == a7desktop.__version__


def test_a_version_windows_and_macos_cannot_take_is_refused(
    bundle: ModuleType, tmp_path: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nversion = "0.2.0rc1"\n')

    with pytest.raises(ValueError, match="plain dotted version"):
        bundle.project_version(tmp_path)


@pytest.mark.parametrize(
    "destination",
    [
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/imageformats/libqsvg.so",
        "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
        "PySide6/Qt/plugins/tls/libqopensslbackend.so",
        "PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so",
        "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
        "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
        "PySide6/Qt/lib/libQt6XcbQpa.so.6",
        "PySide6/plugins/platforms/qwindows.dll",
        "PySide6/plugins/imageformats/qsvg.dll",
        "PySide6/Qt/plugins/platforms/libqcocoa.dylib",
        "libQt6WaylandClient.so.6",
    ],
)
def test_qt_files_a_desktop_needs_are_kept(
    bundle: ModuleType, destination: str
) -> None:
    assert not bundle.is_dropped(destination)


@pytest.mark.parametrize(
    "destination",
    [
        "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6/translations/qtbase_de.qm",
        "PySide6/opengl32sw.dll",
        "PySide6/plugins/imageformats/qjpeg.dll",
        "PySide6/Qt/plugins/imageformats/libqtiff.dylib",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6",
        "libQt6EglFSDeviceIntegration.so.6",
    ],
)
def test_qt_files_the_program_never_loads_are_dropped(
    bundle: ModuleType, destination: str
) -> None:
    assert bundle.is_dropped(destination)


def test_distribution_libraries_are_left_to_the_package_dependencies(
    bundle: ModuleType,
) -> None:
    python_dirs = ("/usr/lib/python3.11/", "/opt/venv/lib/python3.11/site-packages/")

    assert bundle.is_system_library(
        "/usr/lib/x86_64-linux-gnu/libglib-2.0.so.0", python_dirs
    )
    assert bundle.is_system_library("/lib/x86_64-linux-gnu/libxcb.so.1", python_dirs)
    # Python itself and everything from its folders ship.
    assert not bundle.is_system_library(
        "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", python_dirs
    )
    assert not bundle.is_system_library(
        "/usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so",
        python_dirs,
    )
    assert not bundle.is_system_library(
        "/opt/venv/lib/python3.11/site-packages/PySide6/Qt/lib/libQt6Core.so.6",
        python_dirs,
    )
