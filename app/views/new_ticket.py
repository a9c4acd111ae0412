"""A new ticket opened in the client on behalf of a customer (Ctrl+N): the customer found by typing part of a
name or address (asked in the background, 150 ms after the last key), the queue, a subject and the
customer's words; Enter creates it (routed as any new ticket) and the window opens it.

Signals:
    created(object): the TicketChanged of the new ticket.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.services.desk_api import TicketArea
from app.services.navigation.dto import Vocabulary
from app.services.platform.actor import Actor
from app.services.tickets.dto import TicketChanged
from app.views.composer import SEND_KEYS
from app.views.errors import explain_failure
from app.views.labels import plain_label, problem_style
from app.views.tasks import TaskRunner
from app.views.type_ahead import TypeAhead
from app.vocabulary import AgentRole


class NewTicketDialog(QDialog):
    """Attributes:
    customer: the line edit typed into; customers: its TypeAhead (the customers found, the one picked).
    queue, subject, body: the rest of the ticket; problem: why it was not created (plain text).
    create_button: creates (the default button: Enter).
    """

    created = Signal(object)

    def __init__(
        self,
        tickets: TicketArea,
        runner: TaskRunner,
        vocabulary: Vocabulary,
        parent: QWidget | None = None,
        *,
        me: Actor | None = None,
    ) -> None:
        """`me`: the signed-in agent, whose queues are offered (every queue without one, or for an admin)."""
        super().__init__(parent)
        self.setWindowTitle("New ticket")
        self.setMinimumWidth(480)
        self.tickets, self.runner = tickets, runner
        self._creating = False
        self.customer = QLineEdit()
        self.customer.setPlaceholderText("type part of the customer's name or address")
        self.customers = TypeAhead(self.customer, tickets.customers, runner, self._failed)
        self.queue = QComboBox()
        offered = (
            vocabulary.queues
            if me is None
            else vocabulary.queues_of(str(me.agent_id), anywhere=me.role is AgentRole.ADMIN)
        )
        for choice in offered:
            self.queue.addItem(choice.label, int(choice.key))
        self.subject = QLineEdit()
        self.body = QPlainTextEdit()
        self.body.setPlaceholderText("what the customer asked (optional)")
        self.body.setTabChangesFocus(True)
        self.problem = plain_label()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(problem_style())  # what stops the ticket; news in ordinary ink
        self.customers.answered.connect(self._customers_found)
        self.customer.textEdited.connect(lambda _text: self.problem.clear())  # a stale refusal goes as she types
        form = QFormLayout()
        form.addRow("Customer", self.customer)
        form.addRow("Queue", self.queue)
        form.addRow("Subject", self.subject)
        form.addRow("Message", self.body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        create_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert create_button is not None
        self.create_button = create_button
        self.create_button.setText("Create ticket")
        self.create_button.setDefault(True)
        buttons.accepted.connect(self.create_ticket)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        for keys in SEND_KEYS:  # as a reply is sent: from the message box too, where Enter is a new line
            QShortcut(QKeySequence(keys), self, self.create_ticket).setAutoRepeat(False)

    def _customers_found(self, asked: str, count: int) -> None:
        typed = asked.strip()
        if count == 0 and typed and _is_address(typed):  # news, not a mistake: said in the ordinary ink
            self.problem.setStyleSheet("")
            self.problem.setText(f"No customer matches {typed!r}: Create ticket adds them as a new customer.")
        elif count == 0 and typed:
            self._refuse(
                f"No customer matches {typed!r}. Try part of the name or the address, or type a new "
                "customer's address (Nora New <nora@example.com>) to add them."
            )

    def _refuse(self, text: str) -> None:
        self.problem.setStyleSheet(problem_style())  # what stops the ticket; news in ordinary ink
        self.problem.setText(text)

    # --- creating ---------------------------------------------------------------------------------------

    def create_ticket(self) -> None:
        """For the customer chosen from the offers, or for a new one whose address was typed (a caller the
        desk has never heard from: the server finds them by that address first, so none is made twice)."""
        if self._creating:  # one ticket per gesture: a second Ctrl+Enter while the first is on its way
            return
        customer = self.customers.choice()
        typed = self.customer.text().strip()
        subject = self.subject.text().strip()
        if customer is None and not _is_address(typed):
            self._refuse("Choose the customer from the names offered as you type, or type a new customer's address.")
            self.customer.setFocus()  # where the answer is typed (Ctrl+Enter from the message left it there)
            return
        if not subject:
            self._refuse("The ticket needs a subject.")
            self.subject.setFocus()
            return
        self.problem.setText("")
        self._creating = True
        self.create_button.setEnabled(False)
        queue_id, body, tickets = int(self.queue.currentData()), self.body.toPlainText(), self.tickets
        if customer is not None:
            customer_id = int(customer.key)
            self.runner.run(
                lambda: tickets.create(subject=subject, customer_id=customer_id, queue_id=queue_id, body=body),
                self._created,
                self._failed,
            )
        else:
            self.runner.run(
                lambda: tickets.create_for_address(subject=subject, address=typed, queue_id=queue_id, body=body),
                self._created,
                self._failed,
            )

    def _created(self, result: TicketChanged) -> None:
        self._creating = False
        self.created.emit(result)
        self.accept()

    def _failed(self, error: Exception) -> None:
        self._creating = False
        self.create_button.setEnabled(True)
        self._refuse(explain_failure(error))

    def reject(self) -> None:
        if not self._creating:  # Esc while the ticket is being created: it is, and the dialog says so then
            super().reject()

    def done(self, result: int) -> None:
        self.customers.stop()  # nothing ticks after the dialog is gone, and no late answer fills it
        super().done(result)


def _is_address(typed: str) -> bool:
    """Whether the text reads as a mailbox ("nora@example.com", "Nora New <nora@example.com>"); the server
    checks it properly and says what is wrong."""
    return "@" in typed and "." in typed.rsplit("@", 1)[-1]
