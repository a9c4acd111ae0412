"""One ticket: header fields edited in place, the conversation, a composer whose draft survives a crash,
the history, and who else is looking. Every read and write goes through the TaskRunner.

Signals:
    ticket_saved(object): a TicketChanged after any successful write.
    typing(int): the agent typed in the composer of this ticket (for presence).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.desk_api import Desk
from app.services.errors import TicketConflict
from app.services.navigation.dto import Vocabulary
from app.services.tickets.dto import FieldChanges, HistoryEntry, TicketChanged, TicketDetail
from app.views.conversation import ConversationView
from app.views.drafts import Draft, DraftStore
from app.views.errors import show_failure
from app.views.tasks import TaskRunner
from app.vocabulary import Priority

DRAFT_DELAY_MS = 400
CANNED_RESPONSES = {
    "Thanks, looking into it": "Hello,\n\nthank you for getting in touch. I'm looking into this now and will "
    "get back to you shortly.\n\nBest regards,",
    "Need more details": "Hello,\n\ncould you send the exact error message, the time it happened and a "
    "screenshot? That will let us find the cause quickly.\n\nBest regards,",
    "Resolved, please confirm": "Hello,\n\nthe issue should be resolved now. Could you confirm on your side? "
    "If we don't hear back, we'll close the ticket in a few days.\n\nBest regards,",
}


def plain_label(text: str = "") -> QLabel:
    """Customer data is never rich text: a subject like <b>x</b> shows as typed."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class ConflictDialog(QDialog):
    """Someone saved first. Show what they changed; the agent's own text stays in the composer."""

    def __init__(self, conflict: TicketConflict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Ticket #{conflict.number} changed while you were working")
        self.setMinimumWidth(520)
        heading = plain_label(
            f"{', '.join(conflict.changed_by) or 'Someone'} changed this ticket after you opened it. "
            "Nothing of yours was saved, and nothing was overwritten."
        )
        heading.setWordWrap(True)
        changes = QTableWidget(len(conflict.changes), 4)
        changes.setHorizontalHeaderLabels(["Who", "When", "What", "Change"])
        for row, change in enumerate(conflict.changes):
            when = dt.datetime.fromisoformat(change.occurred_at_iso).astimezone().strftime("%H:%M:%S")
            what = change.field or ""
            old_new = f"{_show(change.old_value)} → {_show(change.new_value)}"
            for column, value in enumerate((change.actor, when, what, old_new)):
                changes.setItem(row, column, QTableWidgetItem(value))
        changes.horizontalHeader().setStretchLastSection(True)
        changes.verticalHeader().hide()
        changes.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        note = plain_label(
            "Your reply or note is still in the composer. Reload to see their changes, then decide and save again."
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.reload_button = buttons.addButton("Reload ticket, keep my text", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Close", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (heading, changes, note, buttons):
            layout.addWidget(widget)


def _show(value: Any) -> str:
    if value is None or value == []:
        return "—"
    if isinstance(value, dict):
        return str(value.get("kind", json.dumps(value)))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


class TicketEditor(QWidget):
    ticket_saved = Signal(object)
    typing = Signal(int)

    def __init__(self, desk: Desk, runner: TaskRunner, drafts: DraftStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.runner, self.drafts = desk, runner, drafts
        self.detail: TicketDetail | None = None
        self._open_generation = 0  # which open_ticket() call the shown ticket must come from
        self._write_in_flight = False
        self.vocabulary: Vocabulary | None = None
        self.read_only = False
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        self._build()
        self.setEnabled(False)

    # --- layout --------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.number = plain_label()
        self.number.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.presence = plain_label()
        self.presence.setStyleSheet("color: #6a1b9a;")
        self.subject = QLineEdit()
        self.status, self.priority, self.queue = QComboBox(), QComboBox(), QComboBox()
        self.priority.addItems([p.label for p in Priority])
        self.assignee = plain_label()
        self.assign_me = QPushButton("Assign to me")
        self.assign_me.clicked.connect(self.assign_to_me)
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("tags, comma separated")
        self.save_button = QPushButton("Save changes")
        self.save_button.clicked.connect(self.save_header)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save_header)
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
        self.tabs = QTabWidget()
        self.tabs.addTab(self._conversation_tab(), "Conversation")
        self.history = QTableWidget(0, 4)
        self.history.setHorizontalHeaderLabels(["When", "Who", "What", "Change"])
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.verticalHeader().hide()
        self.history.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.tabs.addTab(self.history, "History")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(self.save_button, alignment=Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.tabs, 1)

    def _conversation_tab(self) -> QWidget:
        tab = QWidget()
        self.conversation = ConversationView()
        # Conversations read like mail: dark ink on light cards, in a dark desktop too.
        self.conversation.setStyleSheet("QTextBrowser { background: #ffffff; color: #1f2328; }")
        self.reply_mode, self.note_mode = QRadioButton("Reply to customer"), QRadioButton("Internal note")
        self.reply_mode.setChecked(True)
        self.note_mode.toggled.connect(self._mode_changed)
        self.canned = QComboBox()
        self.canned.addItem("Canned response…")
        self.canned.addItems(list(CANNED_RESPONSES))
        self.canned.activated.connect(self._insert_canned)
        self.composer = QPlainTextEdit()
        self.composer.setPlaceholderText("Write a reply… (Ctrl+Enter sends)")
        self.composer.textChanged.connect(self._composer_changed)
        self.then_status = QComboBox()
        self.send_button = QPushButton("Send")
        self.send_button.clicked.connect(self.send)
        QShortcut(QKeySequence("Ctrl+Return"), self.composer, self.send)
        modes = QHBoxLayout()
        for widget in (self.reply_mode, self.note_mode, self.canned):
            modes.addWidget(widget)
        modes.addStretch()
        actions = QHBoxLayout()
        actions.addStretch()
        actions.addWidget(plain_label("then set status"))
        actions.addWidget(self.then_status)
        actions.addWidget(self.send_button)
        layout = QVBoxLayout(tab)
        layout.addWidget(self.conversation, 3)
        layout.addLayout(modes)
        layout.addWidget(self.composer, 1)
        layout.addLayout(actions)
        return tab

    # --- showing a ticket -------------------------------------------------------------------------------

    def set_vocabulary(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.status.clear()
        self.then_status.clear()
        self.then_status.addItem("(unchanged)", None)
        for key, label, _category in vocabulary.statuses:
            self.status.addItem(label, key)
            self.then_status.addItem(label, key)
        self.queue.clear()
        for choice in vocabulary.queues:
            self.queue.addItem(choice.label, int(choice.key))

    def open_ticket(self, ticket_id: int) -> None:
        """Load in the background; the composer keeps (or restores) the draft of that ticket. Only the last
        ticket asked for is shown: a slower load of one asked for earlier must not arrive on top of it."""
        self.save_draft()
        self._open_generation += 1
        generation = self._open_generation
        self.runner.run(
            lambda: (self.desk.tickets.ticket(ticket_id), self.desk.tickets.history(ticket_id)),
            lambda loaded: self.show_ticket(*loaded) if generation == self._open_generation else None,
            self._failed,
        )

    def reload(self) -> None:
        if self.detail is not None:
            self.open_ticket(self.detail.ticket.id)

    def show_ticket(self, detail: TicketDetail, history: list[HistoryEntry]) -> None:
        switching = self.detail is None or self.detail.ticket.id != detail.ticket.id
        self.detail = detail
        t = detail.ticket
        self.number.setText(f"#{t.number}  ·  {t.customer_name}")
        self.subject.setText(t.subject)
        self._select(self.status, t.status)
        self.priority.setCurrentText(t.priority.label)
        self._select(self.queue, t.queue_id)
        self.assignee.setText(t.assignee_name or "Unassigned")
        self.tags.setText(", ".join(t.tags))
        self.conversation.show_messages(detail.messages)
        self._show_history(history)
        if switching:
            self._restore_draft(t.id)
        self.setEnabled(True)
        self._apply_read_only()

    def _show_history(self, history: list[HistoryEntry]) -> None:
        self.history.setRowCount(len(history))
        for row, entry in enumerate(history):
            when = entry.occurred_at.astimezone().strftime("%d %b %Y %H:%M")
            change = f"{_show(entry.old_value)} → {_show(entry.new_value)}"
            for column, value in enumerate((when, entry.actor, f"{entry.action}: {entry.field or ''}", change)):
                self.history.setItem(row, column, QTableWidgetItem(value))

    @staticmethod
    def _select(combo: QComboBox, value: object) -> None:
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)

    # --- drafts -------------------------------------------------------------------------------------------

    def _restore_draft(self, ticket_id: int) -> None:
        draft = self.drafts.load(ticket_id)
        self.composer.blockSignals(True)
        self.composer.setPlainText(draft.text if draft else "")
        self.composer.blockSignals(False)
        (self.note_mode if draft and draft.mode == "note" else self.reply_mode).setChecked(True)

    def _composer_changed(self) -> None:
        self._draft_timer.start()
        if self.detail is not None:
            self.typing.emit(self.detail.ticket.id)

    def save_draft(self) -> None:
        if self.detail is not None:
            mode = "note" if self.note_mode.isChecked() else "reply"
            self.drafts.save_soon(Draft(self.detail.ticket.id, mode, self.composer.toPlainText()))

    def _insert_canned(self, index: int) -> None:
        if index > 0:
            self.composer.insertPlainText(CANNED_RESPONSES[self.canned.itemText(index)])
        self.canned.setCurrentIndex(0)

    def _mode_changed(self, note: bool) -> None:
        self.composer.setPlaceholderText(
            "Write an internal note… (agents only)" if note else "Write a reply… (Ctrl+Enter sends)"
        )
        self.composer.setStyleSheet("QPlainTextEdit { background: #fff8e1; color: #3e2723; }" if note else "")
        self._draft_timer.start()

    # --- writing ----------------------------------------------------------------------------------------

    def start_reply(self) -> None:
        self.reply_mode.setChecked(True)
        self.tabs.setCurrentIndex(0)
        self.composer.setFocus()

    def start_note(self) -> None:
        self.note_mode.setChecked(True)
        self.tabs.setCurrentIndex(0)
        self.composer.setFocus()

    def send(self) -> None:
        if self.detail is None or self.read_only or not self.composer.toPlainText().strip():
            return
        ticket, body = self.detail.ticket, self.composer.toPlainText()
        then = self.then_status.currentData()
        if self.note_mode.isChecked():
            self._write(lambda: self.desk.tickets.note(ticket.id, body, ticket.version), sent=True)
        else:
            self._write(lambda: self.desk.tickets.reply(ticket.id, body, ticket.version, then), sent=True)

    def save_header(self) -> None:
        if self.detail is None or self.read_only:
            return
        t = self.detail.ticket
        status = self.status.currentData()
        tags = tuple(tag.strip() for tag in self.tags.text().split(",") if tag.strip())
        changes = FieldChanges(
            subject=self.subject.text() if self.subject.text() != t.subject else None,
            priority=Priority.parse(self.priority.currentText())
            if self.priority.currentText() != t.priority.label
            else None,
            queue_id=self.queue.currentData() if self.queue.currentData() != t.queue_id else None,
            tags=tags if tags != t.tags else None,
        )
        new_status = status if status != t.status else None
        self._write(lambda: self.desk.tickets.edit_ticket(t.id, new_status, changes, t.version))

    def assign_to_me(self) -> None:
        if self.detail is not None and not self.read_only:
            t = self.detail.ticket
            self._write(lambda: self.desk.tickets.take(t.id, t.version))

    def change_status_to(self, status: str) -> None:
        if self.detail is not None and not self.read_only:
            t = self.detail.ticket
            self._write(lambda: self.desk.tickets.change_status(t.id, status, t.version))

    def _write(self, op: Callable[[], TicketChanged], *, sent: bool = False) -> None:
        """One write at a time: a second gesture while the first is saving would carry the same version and
        conflict with the agent's own change, so write actions wait (disabled) until it is done."""
        if self._write_in_flight:
            return
        self._write_in_flight = True
        self._apply_read_only()
        self.runner.run(op, lambda result: self._written(result, sent), self._write_failed)

    def _written(self, result: TicketChanged, sent: bool) -> None:
        self._write_in_flight = False
        self._apply_read_only()
        if sent:
            self.composer.clear()
            self.drafts.discard_soon(result.ticket.id)
        self.ticket_saved.emit(result)
        self.open_ticket(result.ticket.id)

    def _write_failed(self, error: Exception) -> None:
        self._write_in_flight = False
        self._apply_read_only()
        if isinstance(error, TicketConflict):
            self.save_draft()
            dialog = ConflictDialog(error, self)
            dialog.accepted.connect(self.reload)
            dialog.open()
            self.conflict_dialog = dialog
            return
        self._failed(error)

    def _failed(self, error: Exception) -> None:
        self.error_box = show_failure(error, self)

    # --- presence and connection ---------------------------------------------------------------------------

    def show_presence(self, people: dict[str, str]) -> None:
        """{name: state} of colleagues on this ticket."""
        parts = [f"{name} is typing…" if state == "typing" else f"{name} is viewing" for name, state in people.items()]
        self.presence.setText("   ".join(parts))
        self.presence.setToolTip(html.escape(", ".join(people)))

    def stop(self) -> None:
        """Write what is pending and leave no timer running (closing the window)."""
        if self._draft_timer.isActive():
            self._draft_timer.stop()
            self.save_draft()

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self._apply_read_only()

    def _apply_read_only(self) -> None:
        for widget in (
            self.subject,
            self.status,
            self.priority,
            self.queue,
            self.tags,
            self.save_button,
            self.assign_me,
            self.send_button,
        ):
            widget.setEnabled(not self.read_only and not self._write_in_flight)
