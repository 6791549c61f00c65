"""Workarounds for bugs in the Qt bindings, each detected before it is applied.

WORKAROUND(PySide6 6.12.0, no upstream report found): ``SignalInstance.emit``
returns ``True`` without taking a new reference to it, so every signal
emitted from Python code (ours, and qasync's ``call_soon_threadsafe``) drops
one reference that ``True`` never had. On Python 3.11, where ``True`` is not
immortal, the program aborts with "bool_dealloc: deallocating True or False"
once enough signals were emitted (a few hundred in a short session). The fix
detects the leak with ten emits and gives ``True`` a large reserve of
references; ``True`` is never freed anyway, so the extra count changes
nothing else. Remove once a release of PySide6 that fixes it is required.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

# Enough for a billion emits; far below the largest reference count.
_RESERVE = 1 << 30
_PROBE_EMITS = 10

_applied = False


class _Probe(QObject):
    fired = Signal()


def emit_leaks_true() -> bool:
    """Whether emitting a signal from Python loses a reference to ``True``."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBE_EMITS):
        probe.fired.emit()
    after = sys.getrefcount(True)
    probe.deleteLater()
    return before - after >= _PROBE_EMITS


def apply() -> bool:
    """Apply the workaround if this PySide6 needs it; True if it was applied."""
    global _applied
    if _applied or sys.version_info >= (3, 12):
        # From Python 3.12 on, True is immortal and cannot be freed.
        return _applied
    if not emit_leaks_true():
        return False
    # CPython keeps an object's reference count in its first machine word.
    count = ctypes.c_ssize_t.from_address(id(True))
    count.value += _RESERVE
    _applied = True
    return True
