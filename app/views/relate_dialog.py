"""Merge the shown ticket into another (M), or link it with another (L): the other ticket found by typing its
number, subject words or the customer (as "go to anything"), then Enter. A merge closes the shown ticket and
moves its messages to the other, so the dialog names both before it is done; the database refuses what the
login may not do, and the dialog shows its sentence.

Signals:
    related(object): the TicketChanged of the write.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit, QVBoxLayout, QWidget

from app.services.desk_api import NavigationArea, TicketArea
from app.services.navigation.dto import Choice
from app.services.tickets.dto import TicketChanged, TicketSummary
from app.views.labels import plain_label
from app.views.tasks import TaskRunner
from app.views.type_ahead import TypeAhead
from app.views.writing_dialog import WritingDialog

FIND_LIMIT = 10
Mode = Literal["merge", "link"]


class RelateDialog(WritingDialog):
    """Attributes:
    other: the line edit typed into; others: its TypeAhead (tickets found, the one picked).
    problem: why nothing was done (plain text); go_button: merges or links (the default button: Enter).
    """

    related = Signal(object)

    def __init__(
        self,
        mode: Mode,
        ticket: TicketSummary,
        navigation: NavigationArea,
        tickets: TicketArea,
        runner: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, parent)
        self.mode, self.ticket, self.tickets = mode, ticket, tickets
        merging = mode == "merge"
        self.setWindowTitle(f"Merge #{ticket.number} into another ticket" if merging else f"Link #{ticket.number}")
        self.setMinimumWidth(480)
        explanation = plain_label(
            f"#{ticket.number} will be closed and its messages moved to the ticket you choose."
            if merging
            else f"#{ticket.number} and the ticket you choose will be shown as related."
        )
        explanation.setWordWrap(True)
        self.other = QLineEdit()
        self.other.setPlaceholderText("the other ticket: its number, subject words or the customer")

        def find(text: str) -> list[Choice]:
            return [
                Choice(str(t.id), f"#{t.number}  {t.subject} — {t.customer_name}")
                for t in navigation.find(text, FIND_LIMIT)
                if t.id != ticket.id
            ]

        self.others = TypeAhead(self.other, find, runner, self._failed)
        problem = self._problem_line()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self._go_button(buttons, "Merge" if merging else "Link")
        buttons.accepted.connect(self.relate)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (explanation, self.other, problem, buttons):
            layout.addWidget(widget)

    def relate(self) -> None:
        other = self.others.choice()
        if other is None:
            self.problem.setText("Choose the other ticket from those offered as you type.")
            return
        t, other_id = self.ticket, int(other.key)
        if self.mode == "merge":
            self._write(lambda: self.tickets.merge(t.id, other_id, t.version))
        else:
            self._write(lambda: self.tickets.link(t.id, other_id))

    def _wrote(self, result: TicketChanged) -> None:
        self.related.emit(result)

    def done(self, result: int) -> None:
        self.others.stop()
        super().done(result)
