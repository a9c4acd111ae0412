"""Whether the person at the computer is still there: no key, click, wheel or mouse movement reaching this
application for a configurable time (QSettings `availability/away_after_idle_minutes`, 15 by default;
0 switches it off).

An event filter on the application notes the time of the last input event; a timer looks every so often
whether that is longer ago than the limit. It sees only this application's input: a person typing in another
program counts as idle here, which for a help desk is the right answer (they are not answering tickets).

Signals:
    went_idle(): no input for the whole limit (once, until input comes again).
    came_back(): the first input after going idle.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, QTimer, Signal

IDLE_MINUTES_KEY = "availability/away_after_idle_minutes"
DEFAULT_IDLE_MINUTES = 15.0
LONGEST_CHECK_MS = 30_000
INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.ShortcutOverride,  # a key that is a shortcut (J, R, G …) reaches no widget as a KeyPress
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


def idle_limit_seconds() -> float:
    """The configured limit in seconds (0: never idle); a value that is not a number is the default."""
    value = QSettings().value(IDLE_MINUTES_KEY, DEFAULT_IDLE_MINUTES)
    try:
        minutes = float(str(value))
    except ValueError:
        minutes = DEFAULT_IDLE_MINUTES
    return max(0.0, minutes * 60)


class IdleWatch(QObject):
    """Attributes:
    limit: seconds without input that make the person idle (0: never).
    idle: true from went_idle until came_back.
    """

    went_idle = Signal()
    came_back = Signal()

    def __init__(self, parent: QObject | None = None, limit: float | None = None) -> None:
        super().__init__(parent)
        self.limit = idle_limit_seconds() if limit is None else limit
        self.idle = False
        self._last_input = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setObjectName("idle check")
        self._timer.setInterval(min(LONGEST_CHECK_MS, max(100, int(self.limit * 1000 / 4))))
        self._timer.timeout.connect(self._check)
        self._app = QCoreApplication.instance()
        if self.limit > 0 and self._app is not None:
            self._app.installEventFilter(self)
            self._timer.start()

    def seconds_since_input(self) -> float:
        return time.monotonic() - self._last_input

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self._last_input = time.monotonic()
            if self.idle:
                self.idle = False
                self.came_back.emit()
        return False  # only watching: every event goes on to where it was going

    def _check(self) -> None:
        if not self.idle and self.seconds_since_input() >= self.limit:
            self.idle = True
            self.went_idle.emit()

    def stop(self) -> None:
        self._timer.stop()
        if self._app is not None:
            self._app.removeEventFilter(self)
