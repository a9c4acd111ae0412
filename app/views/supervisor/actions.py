"""Acting on an escalation from the board: reassign with a reason (R) and comment (C) as small dialogs that
write in the background and say the database's refusal in their own words; acknowledging (A) needs no
dialog. Both dialogs are window-modal and never block the GUI thread (`open()`, not `exec()`). The same
dialog assigns a ticket routing found nobody for (R on the "No eligible agent" list).

Signals:
    written(object): the TicketChanged of the write, after which the dialog closes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.services.desk_api import SupervisionArea
from app.services.sla.dto import AgentLoad
from app.services.tickets.dto import TicketChanged
from app.views.labels import plain_label
from app.views.tasks import TaskRunner
from app.views.unsaved import AsksBeforeDiscarding
from app.views.writing_dialog import WritingDialog

Mode = Literal["reassign", "comment"]
NOBODY = -1


class OnTicket(Protocol):
    """What the dialog needs of a row: a board row or a ticket routing found nobody for."""

    @property
    def ticket_id(self) -> int: ...
    @property
    def number(self) -> int: ...
    @property
    def subject(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def assignee_id(self) -> int | None: ...


class BoardActionDialog(WritingDialog, AsksBeforeDiscarding):
    """Esc (or Cancel) with a note or a reason typed asks before dropping it: Esc threw a lead's comment away
    without a word, where the policy and routing editors ask (usability probe, 2026-12-07).

    Attributes:
    assignee: who gets the ticket (reassign only; filled in the background); reason: why (reassign).
    body: the internal note (comment; Ctrl+Enter writes it); problem: why nothing was written.
    go_button: writes (the default button: Enter in the reason).
    """

    written = Signal(object)

    def __init__(
        self,
        mode: Mode,
        row: OnTicket,
        supervision: SupervisionArea,
        runner: TaskRunner,
        parent: QWidget | None = None,
        team: Sequence[AgentLoad] = (),
    ) -> None:
        super().__init__(runner, parent)
        self.mode, self.row, self.supervision = mode, row, supervision
        self.team = {agent.agent_id: agent for agent in team}  # the team load tab's figures, as read
        reassigning = mode == "reassign"
        verb = "Reassign" if row.assignee_id is not None else "Assign"
        self.setWindowTitle(f"{verb} #{row.number}" if reassigning else f"Comment on #{row.number}")
        self.discard_what = (
            f"this {verb.lower()}ment of #{row.number}" if reassigning else f"this note on #{row.number}"
        )
        self.setMinimumWidth(460)
        heading = plain_label(f"#{row.number} {row.subject}")
        heading.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        self.assignee = QComboBox()
        self.reason = QLineEdit()
        self.body = QPlainTextEdit()
        if reassigning:
            self.assignee.setEnabled(False)
            self.assignee.addItem("Reading who works the queue…", None)
            self.reason.setPlaceholderText("why (kept as an internal note)")
            for caption, widget in (("&To", self.assignee), ("&Reason", self.reason)):
                label = QLabel(caption)
                label.setBuddy(widget)
                layout.addWidget(label)
                layout.addWidget(widget)
            ticket_id = row.ticket_id
            self.runner.run(lambda: self.supervision.assignees(ticket_id), self._assignees, self._failed)
        else:
            self.body.setPlaceholderText("an internal note (agents only); Ctrl+Enter adds it")
            self.body.setTabChangesFocus(True)
            layout.addWidget(self.body)
            for keys in ("Ctrl+Return", "Ctrl+Enter"):
                QShortcut(QKeySequence(keys), self, self.write)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self._go_button(buttons, verb if reassigning else "Add note")
        buttons.accepted.connect(self.write)
        buttons.rejected.connect(self.close_asked)
        layout.addWidget(self._problem_line())
        layout.addWidget(buttons)

    def _assignees(self, people: list[tuple[int, str]]) -> None:
        """Who works the queue, after a "Choose…" that is the first choice: the first name (often the lead
        themselves) was chosen, and one Enter after the reason gave the ticket to them."""
        self.assignee.clear()
        self.assignee.addItem("Choose who gets it…", None)
        for agent_id, name in people:
            if agent_id != self.row.assignee_id:
                self.assignee.addItem(load_words(name, self.team.get(agent_id)), agent_id)
        if self.row.assignee_id is not None:
            self.assignee.addItem("Nobody (back to the queue)", NOBODY)
        self.assignee.setEnabled(True)
        if not self.reason.text():
            self.assignee.setFocus()  # the reason had the keyboard while the names were read: To comes first

    def write(self) -> None:
        if self._writing:
            return
        row = self.row
        if self.mode == "comment":
            body = self.body.toPlainText()
            if not body.strip():
                self.problem.setText("Write the note first.")
                self.body.setFocus()
                return
            op = lambda: self.supervision.comment(row.ticket_id, body)  # noqa: E731
        else:
            chosen = self.assignee.currentData()
            reason = self.reason.text()
            if chosen is None:
                self.problem.setText("Choose who gets the ticket.")
                self.assignee.setFocus()
                return
            if not reason.strip():  # the keyboard goes where the answer is typed: it stayed on To, and the
                self.problem.setText("Say why: the reason goes into an internal note.")  # reason chose a name
                self.reason.setFocus()
                return
            assignee = None if chosen == NOBODY else int(chosen)
            op = lambda: self.supervision.reassign(row.ticket_id, assignee, reason, row.version)  # noqa: E731
        self._write(op)

    def has_unsaved_edits(self) -> bool:
        typed = self.body.toPlainText() if self.mode == "comment" else self.reason.text()
        return bool(typed.strip())

    def _wrote(self, changed: TicketChanged) -> None:
        self.written.emit(changed)


def load_words(name: str, load: AgentLoad | None) -> str:
    """A name as the Reassign list offers it: with the load against capacity as routing counts it, the open
    tickets and where the person stands for routing ("Julia Rossi — load 35 of 25 (140%), 38 open,
    available"). The names alone let a lead give an urgent ticket to someone out of office, or to the
    busiest of the team."""
    if load is None:
        return name
    return f"{name} — {load.load_words()}, {load.open_tickets} open, {load.availability}"
