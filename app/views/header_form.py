"""The ticket's header edited in place: number and customer, who else is here, subject, status, priority,
queue, assignee and tags, saved together as one gesture (Save changes, Ctrl+S).

Signals:
    save_requested(): the agent asked to save the header (button or Ctrl+S).
    assign_requested(): the agent asked to take the ticket (Assign to me).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.services.navigation.dto import Vocabulary
from app.services.tickets.dto import FieldChanges, TicketSummary
from app.views.labels import plain_label
from app.vocabulary import Priority


class HeaderForm(QWidget):
    """Attributes:
    number, presence, assignee: labels (plain text: they show customer and agent names).
    subject, tags: line edits; status, priority, queue: combo boxes; assign_me, save_button: buttons.
    """

    save_requested = Signal()
    assign_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.number = plain_label()
        self.number.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.presence = plain_label()
        self.presence.setStyleSheet("color: #6a1b9a;")
        self.subject = QLineEdit()
        self.status, self.priority, self.queue = QComboBox(), QComboBox(), QComboBox()
        self.priority.addItems([p.label for p in Priority])
        self.assignee = plain_label()
        self.assign_me = QPushButton("Assign to me")
        self.assign_me.clicked.connect(self.assign_requested)
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("tags, comma separated")
        self.save_button = QPushButton("Save changes")
        self.save_button.clicked.connect(self.save_requested)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save_requested.emit)
        top = QHBoxLayout()
        top.addWidget(self.number)
        top.addStretch()
        top.addWidget(self.presence)
        assignee_row = QHBoxLayout()
        assignee_row.addWidget(self.assignee)
        assignee_row.addWidget(self.assign_me)
        form = QFormLayout()
        form.addRow("Subject", self.subject)
        row = QHBoxLayout()
        for label, widget in (("Status", self.status), ("Priority", self.priority), ("Queue", self.queue)):
            row.addWidget(plain_label(label))
            row.addWidget(widget, 1)
        form.addRow(row)
        form.addRow("Assignee", assignee_row)
        form.addRow("Tags", self.tags)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(self.save_button, alignment=Qt.AlignmentFlag.AlignRight)

    def set_vocabulary(self, vocabulary: Vocabulary) -> None:
        self.status.clear()
        for key, label, _category in vocabulary.statuses:
            self.status.addItem(label, key)
        self.queue.clear()
        for choice in vocabulary.queues:
            self.queue.addItem(choice.label, int(choice.key))

    def show_ticket(self, ticket: TicketSummary) -> None:
        self.number.setText(f"#{ticket.number}  ·  {ticket.customer_name}")
        self.subject.setText(ticket.subject)
        _select(self.status, ticket.status)
        self.priority.setCurrentText(ticket.priority.label)
        _select(self.queue, ticket.queue_id)
        self.assignee.setText(ticket.assignee_name or "Unassigned")
        self.tags.setText(", ".join(ticket.tags))

    def edits(self, ticket: TicketSummary) -> tuple[str | None, FieldChanges]:
        """What the agent changed against `ticket`: the new status (None if unchanged) and the fields."""
        status = self.status.currentData()
        tags = tuple(tag.strip() for tag in self.tags.text().split(",") if tag.strip())
        changes = FieldChanges(
            subject=self.subject.text() if self.subject.text() != ticket.subject else None,
            priority=Priority.parse(self.priority.currentText())
            if self.priority.currentText() != ticket.priority.label
            else None,
            queue_id=self.queue.currentData() if self.queue.currentData() != ticket.queue_id else None,
            tags=tags if tags != ticket.tags else None,
        )
        return (status if status != ticket.status else None), changes

    def show_presence(self, people: dict[str, str]) -> None:
        """{name: state} of colleagues on this ticket."""
        parts = [f"{name} is typing…" if state == "typing" else f"{name} is viewing" for name, state in people.items()]
        self.presence.setText("   ".join(parts))
        self.presence.setToolTip(html.escape(", ".join(people)))

    def set_writable(self, writable: bool) -> None:
        for widget in (
            self.subject,
            self.status,
            self.priority,
            self.queue,
            self.tags,
            self.save_button,
            self.assign_me,
        ):
            widget.setEnabled(writable)


def _select(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)
