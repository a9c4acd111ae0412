"""A stall watchdog for the GUI thread: the tests' proof that nothing blocks the event loop, and the
benchmarks' measure of how long anything did."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from PySide6.QtCore import QElapsedTimer, QTimer

STALL_LIMIT_MS = 100  # what a person notices as a stutter


class Watchdog:
    """Ticks every 5 ms on the GUI thread and remembers the longest gap between ticks."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.clock = QElapsedTimer()
        self.longest_ms = 0
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.clock.start()
        self.timer.start()

    def _tick(self) -> None:
        self.longest_ms = max(self.longest_ms, self.clock.restart())

    def stop(self) -> int:
        self.timer.stop()
        return self.longest_ms

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """The test's own blocking work (another process, a colleague's write) is not the window's."""
        self.timer.stop()
        yield
        self.start()
