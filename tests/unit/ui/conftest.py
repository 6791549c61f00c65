"""Shared set-up for the window's unit tests: any Qt warning fails a test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QtMsgType

from a7desktop.ui import qtfix

qtfix.apply()

_FAILING = (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
# The offscreen platform used in tests cannot do these (for dialogs, or to
# raise a window); a real desktop can. They say nothing about the program.
_PLATFORM_ONLY = (
    "This plugin does not support propagateSizeHints()",
    "This plugin does not support raise()",
)


@pytest.fixture(autouse=True)
def _fail_on_qt_warnings(qtlog: object) -> Iterator[None]:
    yield
    records = getattr(qtlog, "records", [])
    warnings = [
        record.message
        for record in records
        if record.type in _FAILING and record.message not in _PLATFORM_ONLY
    ]
    assert warnings == [], f"Qt warned: {warnings}"
