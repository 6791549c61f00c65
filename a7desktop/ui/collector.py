"""Python's cyclic garbage collection, run on the Qt thread only.

The collector normally runs in whichever thread happens to allocate when a
threshold is crossed: the keyring worker, the HTTP resolver, the demo
emulator. If it frees a Qt object there, Qt complains ("Timers cannot be
stopped from another thread") or crashes. So while the window runs,
automatic collection is off and a timer on the Qt thread collects instead,
as often as the thresholds would have asked for.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class MainThreadCollector(QObject):
    """Turns automatic collection off and collects from a Qt timer instead."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._was_enabled = gc.isenabled()

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Collect everything once, here, and restore automatic collection."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def _on_timer_timeout(self) -> None:
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        # The oldest generation whose count passed its threshold, as gc would.
        for generation in (2, 1, 0):
            if thresholds[generation] and counts[generation] > thresholds[generation]:
                gc.collect(generation)
                return
