"""The one way views do slow work: `op` runs on a pool thread and never touches widgets; its result or
its error comes back on the GUI thread (in the spirit of Anki's QueryOp).

Attributes of TaskRunner:
    in_flight: how many tasks are running; tests wait for it to reach zero.
Signals of TaskRunner:
    busy_changed(bool): true while any task runs (the status bar shows a spinner).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from app.views.errors import explain_failure

T = TypeVar("T")
log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives on the GUI thread; its signals, emitted from a pool thread, are queued back to it."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, op: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.op = op
        self.relay = relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.op()
        except Exception as error:  # every failure goes back to the GUI thread, none is lost
            self._emit(self.relay.failed, error)
        else:
            self._emit(self.relay.succeeded, result)

    @staticmethod
    def _emit(signal: Any, value: object) -> None:
        with contextlib.suppress(RuntimeError):  # shutting down, the relay is gone: nobody left to tell
            signal.emit(value)


class TaskRunner(QObject):
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._relays: set[_Relay] = set()

    @property
    def in_flight(self) -> int:
        return len(self._relays)

    def run(
        self,
        op: Callable[[], T],
        on_success: Callable[[T], None],
        on_failure: Callable[[Exception], None] | None = None,
    ) -> None:
        relay = _Relay()
        relay.succeeded.connect(lambda result: self._finish(relay, on_success, result))
        relay.failed.connect(lambda error: self._finish(relay, on_failure or self._unhandled, error))
        self._relays.add(relay)
        if len(self._relays) == 1:
            self.busy_changed.emit(True)
        self.pool.start(_Task(op, relay))

    def _finish(self, relay: _Relay, callback: Callable[[Any], None], value: Any) -> None:
        self._relays.discard(relay)
        relay.deleteLater()
        if not self._relays:
            self.busy_changed.emit(False)
        callback(value)

    @Slot(object)
    def _unhandled(self, error: Exception) -> None:
        """A task run without `on_failure`: nobody is waiting to show the failure, so the log has it (a
        bug with its traceback); raising here would only reach Qt's event loop."""
        log.warning("a background task failed and nobody was waiting for it: %s", explain_failure(error))
