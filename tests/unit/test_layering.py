"""Qt stays at the edge: the service layer and the command line never load it.

The command line is called by tools many times a second; loading a window
toolkit there would cost more than the work itself. The window is the only
part of the package allowed to import PySide6 or qasync.
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import a7desktop

PACKAGE_DIR = Path(a7desktop.__file__).parent
QT_MODULES = ("PySide6", "qasync", "shiboken6")
QT_FREE = ("core", "cli", "emulator")


def _imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_no_qt_import_in_the_service_layer_or_command_line_source() -> None:
    offenders = []
    for part in QT_FREE:
        for path in sorted((PACKAGE_DIR / part).rglob("*.py")):
            qt = [
                name
                for name in _imported_names(path)
                if name.split(".")[0] in QT_MODULES
            ]
            if qt:
                offenders.append(f"{path.relative_to(PACKAGE_DIR)}: {qt}")

    assert offenders == []


def test_importing_every_qt_free_module_loads_no_qt() -> None:
    modules = [
        info.name
        for part in QT_FREE
        for info in pkgutil.walk_packages(
            [str(PACKAGE_DIR / part)], prefix=f"a7desktop.{part}."
        )
        if not info.name.endswith("__main__")
    ]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"qt = {QT_MODULES!r}\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in qt)\n"
        "print(','.join(loaded))\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr
    assert len(modules) > 3
    assert result.stdout.strip() == ""


def test_the_token_command_path_does_not_load_the_http_stack() -> None:
    """``a7desktop token`` with a good stored token reads the keyring and prints."""
    script = (
        "import sys\n"
        "import a7desktop.__main__, a7desktop.cli.main, a7desktop.cli.session_cmds\n"
        "import a7desktop.core.config, a7desktop.core.vault, a7desktop.core.models\n"
        "heavy = ('httpx', 'httpcore', 'asyncio', 'jwt', 'cryptography', 'PySide6')\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
