"""Carries database notifications from a listener thread to the GUI thread, reconnecting on its own.

"Connected" means listening: the listener reports it only once LISTEN has succeeded and it knows its place
in the change log, so a change committed after that moment is never missed (before it, a window that says
"connected" could miss one, and tests had to sleep and hope).

Signals:
    changed(object): a ChangeNotice.
    presence(object): a PresenceNotice.
    connection_changed(bool): true once listening (again), false while reconnecting.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal

from app.services.platform.live_notices import Listen

log = logging.getLogger(__name__)
RETRY_SECONDS = 2.0
JOIN_SECONDS = 10.0  # a listener blocked in connect gives up after its own 5 s connect timeout


class LiveBridge(QObject):
    """Attributes:
    listening: as the GUI thread last heard: true from the listener's "listening" until it drops.
    """

    changed = Signal(object)
    presence = Signal(object)
    connection_changed = Signal(bool)

    def __init__(self, listen: Listen, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._listen = listen
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = False
        self.connection_changed.connect(self._heard)  # queued: emitted on the listener thread

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="switchboard-live", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=JOIN_SECONDS)
            if self._thread.is_alive():
                log.warning("the live listener did not stop within %s s", JOIN_SECONDS)
            self._thread = None
        self.listening = False

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _heard(self, listening: bool) -> None:
        self.listening = listening and not self._stop.is_set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen(self.changed.emit, self.presence.emit, self._stop.is_set, self._listening)
            except Exception as error:  # the server went away: say so, wait, try again
                log.info("live updates interrupted: %s", type(error).__name__)
                self.connection_changed.emit(False)
                self._stop.wait(RETRY_SECONDS)

    def _listening(self) -> None:
        self.connection_changed.emit(True)
