"""Who is on which ticket: this agent's own presence announced (viewing on open, typing as they type, kept
alive every 15 s), and colleagues' presence on the ticket shown, from the database's picture.

Signals:
    colleagues(object): {name: state} of the colleagues on the ticket shown (never the agent themselves).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from app.services.desk_api import Desk
from app.services.platform.live_notices import PresenceEntry, PresenceNotice
from app.views.errors import log_unless_known
from app.views.tasks import TaskRunner

HEARTBEAT_MS = 15_000
TYPING_FRESH_SECONDS = 10.0  # a keystroke this recent still counts as typing at the next heartbeat
TYPING_ANNOUNCED_EVERY_SECONDS = 3.0


class PresenceTracker(QObject):
    """Attributes:
    desk: where presence is announced (the window may hand in another).
    connected: false while the server is unreachable (nothing is announced then).
    """

    colleagues = Signal(object)

    def __init__(
        self, desk: Desk, runner: TaskRunner, shown_ticket: Callable[[], int | None], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.desk, self.runner = desk, runner
        self.connected = True
        self._shown_ticket = shown_ticket
        self._entries: tuple[PresenceEntry, ...] = ()
        self._last_typing = 0.0  # when 'typing' was last announced
        self._last_keystroke = -TYPING_FRESH_SECONDS  # when the agent last typed in the composer
        self._heartbeat_timer = QTimer(self)
        self._heartbeat_timer.setInterval(HEARTBEAT_MS)
        self._heartbeat_timer.timeout.connect(self.heartbeat)
        self._heartbeat_timer.start()

    def announce(self, ticket_id: int, state: str) -> None:
        if self.connected:
            self.runner.run(lambda: self.desk.presence.announce(ticket_id, state), lambda _r: None, log_unless_known)

    def typed(self, ticket_id: int) -> None:
        self._last_keystroke = time.monotonic()
        if self._last_keystroke - self._last_typing > TYPING_ANNOUNCED_EVERY_SECONDS:
            self._last_typing = self._last_keystroke
            self.announce(ticket_id, "typing")

    def heartbeat(self) -> None:
        """Keep this agent's presence alive; someone still typing stays 'typing' (a plain 'viewing' here would
        tell colleagues they stopped), someone who stopped a while ago goes back to 'viewing'."""
        ticket_id = self._shown_ticket()
        if ticket_id is not None:
            typing = time.monotonic() - self._last_keystroke < TYPING_FRESH_SECONDS
            self.announce(ticket_id, "typing" if typing else "viewing")
        self._show()

    def entries_arrived(self, notice: PresenceNotice) -> None:
        """The database's whole picture of who is where (read through row-level security, never forged)."""
        self._entries = notice.entries
        self._show()

    def stop(self) -> None:
        self._heartbeat_timer.stop()

    def _show(self) -> None:
        ticket_id = self._shown_ticket()
        if ticket_id is None:
            return
        me = self.desk.me.login
        here = {e.name: e.state for e in self._entries if e.ticket_id == ticket_id and e.login != me}
        self.colleagues.emit(here)
