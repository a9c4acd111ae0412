"""Writing to a ticket: reply to the customer or internal note, canned responses, the status to leave the
ticket in, and a draft that survives a crash (written 400 ms after the last key).

Signals:
    send_requested(): the agent asked to send (Send, Ctrl+Enter).
    typing(int): the agent typed in the composer of this ticket (for presence).
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QBoxLayout, QComboBox, QHBoxLayout, QPlainTextEdit, QPushButton, QRadioButton

from app.views.drafts import Draft, DraftStore
from app.views.labels import plain_label

DRAFT_DELAY_MS = 400
CANNED_RESPONSES = {
    "Thanks, looking into it": "Hello,\n\nthank you for getting in touch. I'm looking into this now and will "
    "get back to you shortly.\n\nBest regards,",
    "Need more details": "Hello,\n\ncould you send the exact error message, the time it happened and a "
    "screenshot? That will let us find the cause quickly.\n\nBest regards,",
    "Resolved, please confirm": "Hello,\n\nthe issue should be resolved now. Could you confirm on your side? "
    "If we don't hear back, we'll close the ticket in a few days.\n\nBest regards,",
}
Mode = Literal["reply", "note"]


class Composer(QObject):
    """Owns the composer's widgets and what they do; `add_to` lays them out under the conversation.

    It is not a widget of its own on purpose: wrapped in one, its two button rows would count against the
    text box's share of the tab (3 : 1 with the conversation) and the text box would shrink by their height.

    Attributes:
        text: the QPlainTextEdit the agent writes in.
        reply_mode, note_mode: the mode radio buttons; canned: the canned responses combo box.
        then_status: the status the ticket is left in ("(unchanged)" is None); send_button: Send.
        ticket_id: the ticket whose draft is in the text box (None before the first ticket).
    """

    send_requested = Signal()
    typing = Signal(int)

    def __init__(self, drafts: DraftStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.drafts = drafts
        self.ticket_id: int | None = None
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        self.reply_mode, self.note_mode = QRadioButton("Reply to customer"), QRadioButton("Internal note")
        self.reply_mode.setChecked(True)
        self.note_mode.toggled.connect(self._mode_changed)
        self.canned = QComboBox()
        self.canned.addItem("Canned response…")
        self.canned.addItems(list(CANNED_RESPONSES))
        self.canned.activated.connect(self._insert_canned)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("Write a reply… (Ctrl+Enter sends)")
        self.text.textChanged.connect(self._text_changed)
        self.then_status = QComboBox()
        self.send_button = QPushButton("Send")
        self.send_button.clicked.connect(self.send_requested)
        QShortcut(QKeySequence("Ctrl+Return"), self.text, self.send_requested.emit)

    def add_to(self, layout: QBoxLayout) -> None:
        modes = QHBoxLayout()
        for widget in (self.reply_mode, self.note_mode, self.canned):
            modes.addWidget(widget)
        modes.addStretch()
        actions = QHBoxLayout()
        actions.addStretch()
        actions.addWidget(plain_label("then set status"))
        actions.addWidget(self.then_status)
        actions.addWidget(self.send_button)
        layout.addLayout(modes)
        layout.addWidget(self.text, 1)
        layout.addLayout(actions)

    def set_statuses(self, statuses: tuple[tuple[str, str, str], ...] | list[tuple[str, str, str]]) -> None:
        """The desk's statuses as (key, label, category), offered as the status to leave the ticket in."""
        self.then_status.clear()
        self.then_status.addItem("(unchanged)", None)
        for key, label, _category in statuses:
            self.then_status.addItem(label, key)

    @property
    def mode(self) -> Mode:
        return "note" if self.note_mode.isChecked() else "reply"

    def start(self, mode: Mode) -> None:
        (self.note_mode if mode == "note" else self.reply_mode).setChecked(True)
        self.text.setFocus()

    def message(self) -> str | None:
        """What would be sent: the text, or None when there is nothing to send."""
        body = self.text.toPlainText()
        return body if body.strip() else None

    def set_writable(self, writable: bool) -> None:
        self.send_button.setEnabled(writable)

    # --- drafts ----------------------------------------------------------------------------------------

    def show_draft_of(self, ticket_id: int) -> None:
        """Switch to another ticket: its draft (or nothing) in the text box, in the draft's mode."""
        self.ticket_id = ticket_id
        draft = self.drafts.load(ticket_id)
        self.text.blockSignals(True)
        self.text.setPlainText(draft.text if draft else "")
        self.text.blockSignals(False)
        (self.note_mode if draft and draft.mode == "note" else self.reply_mode).setChecked(True)

    def save_draft(self) -> None:
        if self.ticket_id is not None:
            self.drafts.save_soon(Draft(self.ticket_id, self.mode, self.text.toPlainText()))

    def sent(self, ticket_id: int) -> None:
        """The message of `ticket_id` went out: its draft goes, and the text box empties if it still holds it."""
        if ticket_id == self.ticket_id:
            self.text.clear()
        self.drafts.discard_soon(ticket_id)

    def stop(self) -> None:
        """Write what is pending and leave no timer running (closing the window)."""
        if self._draft_timer.isActive():
            self._draft_timer.stop()
            self.save_draft()

    def _text_changed(self) -> None:
        self._draft_timer.start()
        if self.ticket_id is not None:
            self.typing.emit(self.ticket_id)

    def _insert_canned(self, index: int) -> None:
        if index > 0:
            self.text.insertPlainText(CANNED_RESPONSES[self.canned.itemText(index)])
        self.canned.setCurrentIndex(0)

    def _mode_changed(self, note: bool) -> None:
        self.text.setPlaceholderText(
            "Write an internal note… (agents only)" if note else "Write a reply… (Ctrl+Enter sends)"
        )
        self.text.setStyleSheet("QPlainTextEdit { background: #fff8e1; color: #3e2723; }" if note else "")
        self._draft_timer.start()
