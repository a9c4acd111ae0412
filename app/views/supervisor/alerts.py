"""SLA warnings and escalation steps on the agent's own tickets, as desktop notifications (the tray): the
sweep takes a step in the database; this asks, once a minute and off the UI thread, for the steps taken on
the agent's tickets since it last asked (a small indexed read, never the whole table), and tells each once.

Signals of SlaAlertWatcher:
    notification(str, str): a title and a plain-text line for the tray.
    failed(object): a read failed (the window reports it).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from app.services.desk_api import SupervisionArea
from app.views.tasks import TaskRunner

if TYPE_CHECKING:  # the SLA area's values arrive after the first page (issue 12)
    from app.services.sla.dto import SlaAlert, SlaAlerts

ASK_EVERY_MS = 60_000
REMEMBERED = 2000  # alerts already told, kept to drop repeats of the overlapping minute


def inert(text: str) -> str:
    """Some desktops render markup in notifications: angle brackets and ampersands become lookalikes."""
    return text.replace("<", "\u2039").replace(">", "\u203a").replace("&", "\uff06")


def alert_text(alert: SlaAlert) -> str:
    target = alert.target.replace("_", " ")
    if alert.level == 0:
        due = f", due {alert.due_at.astimezone():%H:%M}" if alert.due_at is not None else ""
        what = f"{target} about to breach{due}"
    else:
        what = f"{target} breached; {alert.action.replace('_', ' ')}"
    return f"#{alert.number} {inert(alert.subject)}: {what}"


class SlaAlertWatcher(QObject):
    """Attributes:
    after: the server time to ask from next (None before the first answer).
    """

    notification = Signal(str, str)
    failed = Signal(object)

    def __init__(self, area: SupervisionArea, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.area, self.runner = area, runner
        self.after: dt.datetime | None = None
        self._told: dict[tuple[int, str, int], None] = {}
        self._asking = False
        self._timer = QTimer(self)
        self._timer.setObjectName("SLA alerts")
        self._timer.setInterval(ASK_EVERY_MS)
        self._timer.timeout.connect(self.ask)

    def start(self) -> None:
        self._timer.start()
        self.ask()

    def stop(self) -> None:
        self._timer.stop()

    def ask(self) -> None:
        if self._asking:
            return
        self._asking = True
        area, after = self.area, self.after  # the pool thread holds no Qt object: none is freed there
        self.runner.run(lambda: area.alerts(after), self._arrived, self._failed)

    def _arrived(self, answer: SlaAlerts) -> None:
        self._asking = False
        self.after = answer.as_of
        for alert in answer.alerts:
            key = (alert.ticket_id, alert.target, alert.level)
            if key in self._told:
                continue
            self._told[key] = None
            if len(self._told) > REMEMBERED:
                self._told.pop(next(iter(self._told)))
            self.notification.emit(alert.title, alert_text(alert))

    def _failed(self, error: Exception) -> None:
        self._asking = False
        self.failed.emit(error)
