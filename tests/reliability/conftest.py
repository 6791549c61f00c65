"""Set-up for the reliability suite: fault matrix, secret hygiene, bad input.

- Hypothesis profiles: ``ci`` (the default, about 200 examples a property,
  so the folder stays within a couple of minutes) and ``report`` (10,000 a
  property, for ``scripts/reliability-report``); ``A7_HYPOTHESIS_PROFILE``
  picks one.
- The ledger's hooks (see ``ledger.py``) count what every test tried.
- The window's end-to-end fixtures (``qloop``, ``ui``, the check that fails
  a test on any Qt warning, and ``emulator``: a fresh one per test) come
  from ``tests/e2e/ui/conftest.py``.
- The command line's helper (``cli_helpers.Cli``) and the window's harness
  (``ui_harness``) are imported from their folders the same way.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

_TESTS = Path(__file__).resolve().parents[1]
for _folder in ("e2e/ui", "e2e/cli", "reliability"):
    if str(_TESTS / _folder) not in sys.path:
        sys.path.insert(0, str(_TESTS / _folder))

from hygiene import Markers, tapped_emulator  # noqa: E402
from ledger import (  # noqa: E402
    PROFILE_VARIABLE,
    Facts,
    facts_of,
    pytest_configure,
    pytest_runtest_makereport,
    pytest_runtest_setup,
    pytest_sessionfinish,
    pytest_terminal_summary,
)
from wiretap import Wiretap  # noqa: E402

from a7desktop.emulator import EmulatorServer  # noqa: E402

__all__ = [
    "pytest_configure",
    "pytest_runtest_makereport",
    "pytest_runtest_setup",
    "pytest_sessionfinish",
    "pytest_terminal_summary",
]

_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=_SLOW_IS_FINE
)
settings.register_profile(
    "report",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=_SLOW_IS_FINE,
    print_blob=True,
)
settings.load_profile(os.environ.get(PROFILE_VARIABLE, "ci"))


def _load_window_fixtures() -> Any:
    """The window suite's conftest, loaded as a plain module to share its fixtures."""
    path = _TESTS / "e2e" / "ui" / "conftest.py"
    spec = importlib.util.spec_from_file_location("a7_window_e2e_fixtures", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_window = _load_window_fixtures()
qloop = _window.qloop
ui = _window.ui
_fail_on_qt_warnings = _window._fail_on_qt_warnings
# The emulator every test here runs against (a module may override its config).
emulator_config = _window.emulator_config
emulator = _window.emulator
profile_settings = _window.profile_settings


@pytest.fixture
def no_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No system policy applies: the policy file points at nothing."""
    path = tmp_path / "no-policy.json"
    monkeypatch.setenv("A7DESKTOP_POLICY_FILE", str(path))
    return path


@pytest.fixture
def fault_facts(request: pytest.FixtureRequest) -> Facts:
    """Where a fault row records what it injected and what it saw."""
    return facts_of(request.node, "fault")


@pytest.fixture
def hygiene_facts(request: pytest.FixtureRequest) -> Facts:
    """Where a secret-hygiene test records what it searched and found."""
    return facts_of(request.node, "hygiene")


@pytest.fixture
def markers() -> Markers:
    """Marker secrets, fresh for each test."""
    return Markers()


@pytest.fixture
def tapped(markers: Markers) -> Iterator[tuple[EmulatorServer, Wiretap]]:
    """An emulator with the marker account and key, and a wiretap on its traffic."""
    with tapped_emulator(markers) as running:
        yield running
