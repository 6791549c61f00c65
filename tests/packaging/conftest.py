"""Load the packaging helpers, which live outside the package, by path."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load(relative: str, name: str) -> ModuleType:
    """Import the file ``ROOT/relative`` as a module called ``name``."""
    spec = importlib.util.spec_from_file_location(name, ROOT / relative)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def bundle() -> ModuleType:
    """``packaging/bundle.py``: what the frozen build holds."""
    return load("packaging/bundle.py", "a7_packaging_bundle")


@pytest.fixture(scope="session")
def libraries() -> ModuleType:
    """``installer/linux/check_libraries.py``: the .deb's library check."""
    return load("installer/linux/check_libraries.py", "a7_check_libraries")


@pytest.fixture(scope="session")
def icon_files() -> ModuleType:
    """``packaging/icons.py``: the installers' icon renderer."""
    return load("packaging/icons.py", "a7_packaging_icons")
