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
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QVBoxLayout, QWidget

from app.services.desk_api import NavigationArea, TicketArea
from app.services.navigation.dto import Choice
from app.services.tickets.dto import TicketChanged, TicketSummary
from app.views.errors import explain_failure
from app.views.labels import plain_label
from app.views.tasks import TaskRunner
from app.views.type_ahead import TypeAhead

FIND_LIMIT = 10
Mode = Literal["merge", "link"]


class RelateDialog(QDialog):
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
        super().__init__(parent)
        self.mode, self.ticket, self.tickets, self.runner = mode, ticket, tickets, runner
        self._writing = False
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
        self.problem = plain_label()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        go_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert go_button is not None
        self.go_button = go_button
        self.go_button.setText("Merge" if merging else "Link")
        self.go_button.setDefault(True)
        buttons.accepted.connect(self.relate)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (explanation, self.other, self.problem, buttons):
            layout.addWidget(widget)

    def relate(self) -> None:
        other = self.others.choice()
        if other is None:
            self.problem.setText("Choose the other ticket from those offered as you type.")
            return
        self.problem.setText("")
        self._writing = True
        self.go_button.setEnabled(False)
        t, other_id = self.ticket, int(other.key)
        if self.mode == "merge":
            self.runner.run(lambda: self.tickets.merge(t.id, other_id, t.version), self._done, self._failed)
        else:
            self.runner.run(lambda: self.tickets.link(t.id, other_id), self._done, self._failed)

    def _done(self, result: TicketChanged) -> None:
        self._writing = False
        self.related.emit(result)
        self.accept()

    def _failed(self, error: Exception) -> None:
        self._writing = False
        self.go_button.setEnabled(True)
        self.problem.setText(explain_failure(error))

    def reject(self) -> None:
        if not self._writing:  # Esc while the write is under way: it lands, and the dialog says so then
            super().reject()

    def done(self, result: int) -> None:
        self.others.stop()
        super().done(result)
