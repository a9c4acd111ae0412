"""Writing to a ticket: reply to the customer or internal note, canned responses chosen by typing, the
status to leave the ticket in, and a draft journalled with every change (app/views/drafts.py).

The reply and the internal note are two drafts of the ticket (app/views/drafts.py): switching modes shows
the other one's text, and the buttons say who reads what they send ("Send to customer", "Add note").

The keyboard never gets trapped here: Esc leaves the composer for the queue (the draft stays), Tab and
Shift+Tab move on to the next and previous control, Ctrl+Enter sends, Ctrl+Shift+Enter sends and goes on
to the next ticket of the queue, Ctrl+Space picks a canned response.

Signals:
    send_requested(): the agent asked to send (Send, Ctrl+Enter).
    send_and_next_requested(): the agent asked to send and go on to the next ticket (Ctrl+Shift+Enter).
    leave_requested(): the agent pressed Esc in the text: back to the queue.
    response_chosen(int): the agent picked a canned response (its id); the editor renders and inserts it.
    responses_wanted(): the picker opened without responses read for this ticket yet.
    signature_requested(): the agent asked to edit their signature (Signature…).
    typing(int): the agent typed in the composer of this ticket (for presence).
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QComboBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from app.services.navigation.dto import Vocabulary
from app.services.responses.dto import CannedResponse
from app.views.appearance import appearance_changes, is_dark
from app.views.drafts import Draft, DraftStore
from app.views.labels import plain_label
from app.views.response_picker import ResponsePicker
from app.views.status_choice import label_of, likely_after_reply
from app.views.wrapping_row import WrappingRow

Mode = Literal["reply", "note"]
MODES: tuple[Mode, ...] = ("reply", "note")
NOTE_STYLE = {  # by is_dark(): the internal note's card of the conversation (conversation.LIGHT_CARDS, DARK_CARDS)
    False: "QPlainTextEdit { background: #fff4c2; color: #3e2723; }",
    True: "QPlainTextEdit { background: #3a3212; color: #fdd663; }",
}
# Who reads what a button sends, on the button: "Send" was the same in both modes.
SEND_LABELS: dict[Mode, tuple[str, str]] = {
    "reply": ("Send to customer", "Send && next"),
    "note": ("Add note", "Add note && next"),
}
SEND_KEYS = ("Ctrl+Return", "Ctrl+Enter")
SEND_AND_NEXT_KEYS = ("Ctrl+Shift+Return", "Ctrl+Shift+Enter")
RESPONSE_KEYS = "Ctrl+Space"
UNCHANGED = "(unchanged)"
# Who reads what is written is the one choice here that must read at a glance: in the dark theme Fusion drew
# the chosen mode as a faint grey dot and the other as a solid dark disc, so "Internal note" looked chosen
# while the reply went to the customer. The chosen one is filled with the highlight colour, in both themes.
MODE_STYLE = (
    "QRadioButton::indicator { width: 12px; height: 12px; border-radius: 7px;"
    " border: 1px solid palette(placeholder-text); background: palette(base); }"
    "QRadioButton::indicator:checked { border: 1px solid palette(highlight);"
    " background: qradialgradient(cx:0.5, cy:0.5, radius:0.5, fx:0.5, fy:0.5,"
    " stop:0 palette(highlight), stop:0.55 palette(highlight), stop:0.7 palette(base), stop:1 palette(base)); }"
)


class Composer(QObject):
    """Owns the composer's widgets and what they do; `add_to` lays them out under the conversation.

    It is not a widget of its own on purpose: wrapped in one, its two button rows would count against the
    text box's share of the tab (3 : 1 with the conversation) and the text box would shrink by their height.

    Attributes:
        text: the QPlainTextEdit the agent writes in.
        reply_mode, note_mode: the mode radio buttons.
        responses_button: opens the response picker; picker: the ResponsePicker.
        signature_button: opens the signature dialog.
        then_status: the status the ticket is left in ("(unchanged)" is None), only the lifecycle's moves.
        modes: the row of the mode buttons and the Response… and Signature… buttons, stacked when narrow.
        actions: the row of `then_status` and the Send buttons, stacked when the pane is narrow.
        send_button: Send; send_next_button: Send and go to the next ticket.
        ticket_id: the ticket whose draft is in the text box (None before the first ticket).
        inserting: a canned response was picked and is being filled in by the server.
    """

    send_requested = Signal()
    send_and_next_requested = Signal()
    leave_requested = Signal()
    response_chosen = Signal(int)
    responses_wanted = Signal()
    signature_requested = Signal()
    typing = Signal(int)

    def __init__(self, drafts: DraftStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.drafts = drafts
        self.ticket_id: int | None = None
        self.inserting = False
        self._vocabulary: Vocabulary | None = None
        self._status: str | None = None  # the ticket's status the choices were made for
        self._status_chosen = False  # the agent picked a status themselves: a refresh keeps it if allowed
        self.reply_mode, self.note_mode = QRadioButton("Reply to customer"), QRadioButton("Internal note")
        for mode_button in (self.reply_mode, self.note_mode):
            mode_button.setStyleSheet(MODE_STYLE)
        self.reply_mode.setChecked(True)
        self.note_mode.toggled.connect(self._mode_changed)
        appearance_changes().changed.connect(self._apply_mode_look)
        self.responses_button = QPushButton("Response…")
        self.responses_button.setToolTip(f"Insert a canned response, chosen by typing ({RESPONSE_KEYS})")
        self.responses_button.clicked.connect(self.open_picker)
        self.signature_button = QPushButton("Signature…")
        self.signature_button.setToolTip("Your signature, which responses end with")
        self.signature_button.clicked.connect(self.signature_requested)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)  # Tab moves on; replies don't need tab characters
        self.text.setPlaceholderText(_placeholder("reply"))
        self.text.textChanged.connect(self._text_changed)
        self.text.installEventFilter(self)
        self.picker = ResponsePicker(self.text)
        self.picker.chosen.connect(self._response_picked)
        self.then_status = QComboBox()
        self.then_status.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.then_status.setToolTip("The status the ticket is left in, in the same save as the message")
        self.then_status.activated.connect(self._status_picked)
        self.set_status_choices(None, None)
        self.send_button = QPushButton(SEND_LABELS["reply"][0])
        self.send_button.clicked.connect(self.send_requested)
        self.send_next_button = QPushButton(SEND_LABELS["reply"][1])
        self.send_next_button.clicked.connect(self.send_and_next_requested)
        self._label_buttons()
        self.actions = WrappingRow()
        self.actions.add_first(plain_label("then set status"))
        self.actions.add_first(self.then_status)
        self.actions.add_second(self.send_button)
        self.actions.add_second(self.send_next_button)

    def add_to(self, layout: QBoxLayout) -> None:
        # Stacked in a narrow ticket pane, as the row under the text: side by side they held the pane 430 px
        # wide, and with the account panel beside it the queue's subject column went down to "Su…".
        self.modes = WrappingRow()
        for mode_button in (self.reply_mode, self.note_mode):
            self.modes.add_first(mode_button)
        for button in (self.responses_button, self.signature_button):
            self.modes.add_second(button)
        layout.addWidget(self.modes)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.actions)
        area = layout.parentWidget() or self.text
        for keys, handler in (
            *((keys, self.send_requested.emit) for keys in SEND_KEYS),
            *((keys, self.send_and_next_requested.emit) for keys in SEND_AND_NEXT_KEYS),
            (RESPONSE_KEYS, self.open_picker),
        ):
            shortcut = QShortcut(QKeySequence(keys), area, handler)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QWidget.setTabOrder(self.text, self.then_status)
        QWidget.setTabOrder(self.then_status, self.send_button)
        QWidget.setTabOrder(self.send_button, self.send_next_button)

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

    def then(self) -> str | None:
        """The status chosen to leave the ticket in; None keeps it."""
        data = self.then_status.currentData()
        return str(data) if data is not None else None

    def set_writable(self, writable: bool) -> None:
        self.send_button.setEnabled(writable)
        self.send_next_button.setEnabled(writable)

    def has_focus(self) -> bool:
        """The keyboard is in the composer (its text, its status or its buttons)."""
        focused = QApplication.focusWidget()
        return focused is not None and focused in (
            self.text,
            self.then_status,
            self.send_button,
            self.send_next_button,
            self.picker.search,
        )

    # --- the status it leaves the ticket in ------------------------------------------------------------

    def set_status_choices(self, vocabulary: Vocabulary | None, status: str | None) -> None:
        """Offer "(unchanged)" and the moves the lifecycle allows from `status`, preselecting the likely one
        for this mode. A status the agent picked themselves stays picked while it is still allowed."""
        kept = self.then() if self._status_chosen else None
        self._vocabulary, self._status = vocabulary, status
        self.then_status.clear()
        current = f"{UNCHANGED[:-1]}: {label_of(vocabulary, status)})" if status is not None else UNCHANGED
        self.then_status.addItem(current, None)
        targets = vocabulary.targets(status) if vocabulary is not None and status is not None else []
        for key in targets:
            self.then_status.addItem(label_of(vocabulary, key), key)
        # Qt keeps the drop-down's minimum from its first items ("(unchanged)"): a narrow pane then cut
        # "Pending third party" and the arrow off instead of stacking the row (WrappingRow).
        self.then_status.setMinimumWidth(self.then_status.sizeHint().width())
        if kept is not None and kept in targets:
            self.then_status.setCurrentIndex(self.then_status.findData(kept))
            return
        self._status_chosen = False
        likely = None
        if vocabulary is not None and status is not None and self.mode == "reply":
            likely = likely_after_reply(vocabulary, status)
        self.then_status.setCurrentIndex(max(0, self.then_status.findData(likely)) if likely else 0)

    def _status_picked(self, _index: int) -> None:
        self._status_chosen = True

    # --- canned responses ------------------------------------------------------------------------------

    def set_responses(self, responses: list[CannedResponse] | None) -> None:
        self.picker.set_responses(responses)

    def open_picker(self) -> None:
        if self.ticket_id is None or not self.send_button.isEnabled():
            return
        if self.picker.responses is None:
            self.responses_wanted.emit()
        rect = self.text.cursorRect()
        self.picker.open_at(self.text.viewport().mapToGlobal(rect.bottomLeft()))

    def _response_picked(self, response_id: int) -> None:
        self.inserting = True
        self.text.activateWindow()  # the popup had the keyboard; give it back to this window and the text
        self.text.setFocus()
        self.response_chosen.emit(response_id)

    def insert_response(self, ticket_id: int, text: str) -> None:
        """The filled-in response arrived: in at the cursor, as one edit (one Ctrl+Z takes it out)."""
        self.inserting = False
        if ticket_id != self.ticket_id:
            return  # the agent moved to another ticket meanwhile: it was meant for that one
        cursor = self.text.textCursor()
        if cursor.positionInBlock() > 0:
            text = "\n" + text
        cursor.insertText(text)
        self.text.setTextCursor(cursor)

    def response_failed(self) -> None:
        self.inserting = False

    # --- drafts ----------------------------------------------------------------------------------------

    def show_draft_of(self, ticket_id: int) -> None:
        """Switch to another ticket: its draft (or nothing) in the text box, in the draft's mode."""
        self.ticket_id = ticket_id
        self.inserting = False
        self.picker.close()
        draft = self.drafts.load(ticket_id)
        self._show_text(draft.text if draft else "")
        self.note_mode.blockSignals(True)
        (self.note_mode if draft and draft.mode == "note" else self.reply_mode).setChecked(True)
        self.note_mode.blockSignals(False)
        self._apply_mode_look()

    def save_draft(self) -> None:
        """Journal the text as it is now (every change already is; this is for leaving a ticket)."""
        if self.ticket_id is not None:
            self.drafts.save(Draft(self.ticket_id, self.mode, self.text.toPlainText()))

    def sent(self, ticket_id: int, body: str) -> None:
        """`body` went out to `ticket_id`: the text box empties if it still holds just that, and the draft
        goes (unless the agent has gone on writing in it meanwhile)."""
        if ticket_id != self.ticket_id:
            for mode in MODES:
                draft = self.drafts.load(ticket_id, mode)
                if draft is not None and draft.text == body:
                    self.drafts.discard(ticket_id, mode)
            return
        if self.text.toPlainText() == body:
            self.text.clear()
        self.save_draft()

    def stop(self) -> None:
        """Leave nothing pending (closing the window): the journal has every change already."""
        self.picker.close()
        self.save_draft()

    def _text_changed(self) -> None:
        self.save_draft()  # at once: what is on screen is on disk before the next key
        if self.ticket_id is not None:
            self.typing.emit(self.ticket_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Esc in the text leaves for the queue; the window's own Esc (if any) must not fire as well."""
        if watched is self.text and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape:
            if event.type() == QEvent.Type.ShortcutOverride:
                event.accept()
                return True
            if event.type() == QEvent.Type.KeyPress:
                self.save_draft()
                self.leave_requested.emit()
                return True
        return super().eventFilter(watched, event)

    def _mode_changed(self, _note: bool) -> None:
        """The other mode's own draft in the text box: what was written for one audience never moves to the
        other by a keypress (the text of each is journalled as typed, so nothing is lost)."""
        if self.ticket_id is not None:
            draft = self.drafts.load(self.ticket_id, self.mode)
            self._show_text(draft.text if draft else "")
        self._apply_mode_look()
        self.set_status_choices(self._vocabulary, self._status)

    def _show_text(self, text: str) -> None:
        """A draft in the text box, not journalled again; typing goes on where it ends, not before it."""
        self.text.blockSignals(True)
        self.text.setPlainText(text)
        self.text.moveCursor(QTextCursor.MoveOperation.End)
        self.text.blockSignals(False)

    def _apply_mode_look(self) -> None:
        """A note is written on a note's card colours (the conversation's, in the theme of the day): a bright
        cream box stood out of the dark theme."""
        self.text.setPlaceholderText(_placeholder(self.mode))
        self.text.setStyleSheet(NOTE_STYLE[is_dark()] if self.mode == "note" else "")
        self._label_buttons()

    def _label_buttons(self) -> None:
        send, send_next = SEND_LABELS[self.mode]
        self.send_button.setText(send)
        self.send_next_button.setText(send_next)
        self.send_button.setToolTip(f"{send} (Ctrl+Enter)")
        self.send_next_button.setToolTip(f"{send}, then go on to the next ticket of the queue (Ctrl+Shift+Enter)")


def _placeholder(mode: Mode) -> str:
    if mode == "note":
        return "Write an internal note for agents… (Ctrl+Enter adds it, Esc: back to the queue)"
    return "Write a reply… (Ctrl+Space: responses, Esc: back to the queue)"
