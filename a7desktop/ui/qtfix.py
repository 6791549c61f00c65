"""Workarounds for bugs in the Qt bindings, each detected before it is applied.

WORKAROUND(PySide6 6.12.0 on Python 3.11, no upstream report found): the
bindings hand back ``None`` (from every void method, ``processEvents``,
``QModelIndex.data`` ...) and ``True`` (from ``SignalInstance.emit``)
without taking a new reference, as if these objects were immortal, which
they are only from Python 3.12 on. Each such call drops one reference the
object never had, and after a few thousand calls the interpreter aborts
with "none_dealloc: deallocating None" or "bool_dealloc". The fix probes
for the leak and gives ``None``, ``True`` and ``False`` a large reserve of
references, which is what Python 3.12 does for them anyway: they are never
freed, so the extra count changes nothing else. Remove once a PySide6
release that fixes it (or Python 3.12) is required.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QModelIndex, QObject, Signal

# Enough for a billion leaked references; far below the largest count.
_RESERVE = 1 << 30
_PROBES = 10

_applied = False


class _Probe(QObject):
    fired = Signal()


def leaks() -> dict[str, bool]:
    """Which singletons the bindings drop references to, probed by calling them."""
    probe = _Probe()
    index = QModelIndex()
    before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(_PROBES):
        probe.fired.emit()
        index.data()
    after = sys.getrefcount(True), sys.getrefcount(None)
    probe.deleteLater()
    return {
        "True": before[0] - after[0] >= _PROBES,
        "None": before[1] - after[1] >= _PROBES,
    }


def apply() -> bool:
    """Apply the workaround if these bindings need it; True if it was applied."""
    global _applied
    if _applied or sys.version_info >= (3, 12):
        # From Python 3.12 on these objects are immortal and cannot be freed.
        return _applied
    if not any(leaks().values()):
        return False
    for singleton in (None, True, False):
        # CPython keeps an object's reference count in its first machine word.
        count = ctypes.c_ssize_t.from_address(id(singleton))
        count.value += _RESERVE
    _applied = True
    return True
