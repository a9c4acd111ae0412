""" "Why then?" behind the ticket header's SLA line: the policy, the calendar, and per target the ledger in
words — what started, paused and resumed each clock and what that adds up to — as `switchboard sla explain N`
says it. Read in the background (`desk.tickets.sla_explanation`); every name is data, so all of it is plain
text, selectable, to be copied into a note."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout, QWidget

from app.services.desk_api import TicketArea
from app.services.sla.dto import SlaExplanation
from app.views.errors import explain_failure
from app.views.labels import plain_label
from app.views.sizing import resize_on_screen
from app.views.sla_line import CLOCK_NAMES, when_words
from app.views.tasks import TaskRunner


def due_words(due_at: dt.datetime, time_zone: str) -> str:
    """A due time in the viewer's time, and on the calendar's clock too when that reads otherwise: the ledger's
    lines below are on the calendar's clock, and "due Tue 01 Dec 09:00" above "10:00 CET" in them read as two
    different times to a lead (usability probe, 2026-12-07)."""
    mine = when_words(due_at)
    try:
        theirs = due_at.astimezone(ZoneInfo(time_zone))
    except (ValueError, ZoneInfoNotFoundError):
        return mine
    if theirs.strftime("%a %d %b %H:%M") == mine:
        return mine
    return f"{mine} your time ({theirs:%a %H:%M} {theirs.tzname() or time_zone}, the calendar's)"


def explanation_text(explained: SlaExplanation) -> str:
    """The ledger in words, per target, under the policy and calendar that made the due times."""
    policy = explained.policy or "no policy applies"
    lines = [f"#{explained.number}: {policy} ({explained.calendar}, {explained.time_zone})", ""]
    for target in explained.targets:
        minutes = f"{target.target_minutes} min" if target.target_minutes is not None else "no target"
        state = "met" if target.met else "running" if target.running else "not running"
        due = f", due {due_words(target.due_at, explained.time_zone)}" if target.due_at is not None else ""
        lines.append(f"{CLOCK_NAMES.get(target.target.value, target.target.label)}: {minutes}{due} ({state})")
        lines += [f"    {line}" for line in target.lines]
        lines.append("")
    if not explained.targets:
        lines.append("No SLA ledger: a ticket from before the SLA engine, or no policy applies to it.")
    return "\n".join(lines).rstrip()


class SlaExplainDialog(QDialog):
    """Attributes:
    text: the explanation (read-only, selectable, so it can be copied into a note).
    """

    def __init__(
        self, tickets: TicketArea, runner: TaskRunner, ticket_id: int, number: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Why is #{number} due then?")
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setPlainText("Reading the SLA ledger…")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label("Each due time is worked out from the ticket's SLA ledger, in business time:"))
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        resize_on_screen(self, 760, 520)
        runner.run(lambda: tickets.sla_explanation(ticket_id), self._arrived, self._failed)

    def _arrived(self, explained: SlaExplanation) -> None:
        self.text.setPlainText(explanation_text(explained))

    def _failed(self, error: Exception) -> None:
        self.text.setPlainText(f"The SLA ledger could not be read: {explain_failure(error)}")
