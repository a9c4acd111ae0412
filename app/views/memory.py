"""Keep Python's garbage collector from freezing the window, and from deleting Qt objects on a pool thread.

A full (generation 2) collection walks every object the process holds — SQLAlchemy, Qt wrappers, the
loaded rows — and took 50 to 90 ms here, long enough to stall typing. Once the client is up, everything
alive is long-lived: `gc.freeze()` moves it out of the collector's reach, so later full collections only
walk what was made since and stay short.

The collector also runs on whichever thread happens to allocate when a threshold is crossed: often a pool
thread in the middle of a database read. A reference cycle holding a Qt object (a widget and a lambda
connected to its signal, say) collected there deletes that object off the GUI thread; Qt then warns
"Timers cannot be stopped from another thread", or crashes. So while the window lives, automatic collection
is off and `GuiThreadCollector` collects on the GUI thread by the same thresholds, looked at once a second
(the approach Anki's main window takes for the same reason).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_EVERY_MS = 1000


def settle_memory() -> None:
    gc.collect()
    gc.freeze()


def collect_due(threshold: tuple[int, ...]) -> int | None:
    """The oldest generation whose count is past its threshold, collected; None when none is due."""
    counts = gc.get_count()
    for generation in (2, 1, 0):
        if counts[generation] > threshold[generation]:
            gc.collect(generation)
            return generation
    return None


class GuiThreadCollector(QObject):
    """Automatic collection off between `start()` and `stop()`; collections on the GUI thread instead."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        self._timer = QTimer(self)
        self._timer.setObjectName("garbage collection on the GUI thread")
        self._timer.setInterval(CHECK_EVERY_MS)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()

    def check(self) -> None:
        collect_due(self.threshold)
