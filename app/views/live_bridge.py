"""Carries database notifications from a listener thread to the GUI thread, reconnecting on its own.

Signals:
    changed(object): a ChangeNotice.
    presence(object): a PresenceNotice.
    connection_changed(bool): true when listening, false while reconnecting.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal

from app.services.platform.live_notices import Listen

log = logging.getLogger(__name__)
RETRY_SECONDS = 2.0


class LiveBridge(QObject):
    changed = Signal(object)
    presence = Signal(object)
    connection_changed = Signal(bool)

    def __init__(self, listen: Listen, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._listen = listen
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="switchboard-live", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.connection_changed.emit(True)
                self._listen(self.changed.emit, self.presence.emit, self._stop.is_set)
            except Exception as error:  # the server went away: say so, wait, try again
                log.info("live updates interrupted: %s", type(error).__name__)
                self.connection_changed.emit(False)
                self._stop.wait(RETRY_SECONDS)
