"""The ticket's header edited in place: number and customer, who else is here, subject, status, priority,
queue, assignee and tags, saved together as one gesture (Save changes, Ctrl+S).

The assignee is chosen by typing part of a name (type-ahead over the agents of the ticket's queue, plus
"Nobody"); what the login may not do (an agent gives a ticket to a colleague) the database
refuses, and the editor shows its sentence.

A colleague's change never wipes what the agent is editing. When the shown ticket arrives again in a newer
version, each field is merged with what the form was showing: a field the agent did not touch takes the
new value, a field only the agent changed keeps the agent's value, and a field both changed keeps the
agent's value, marked (warning colours, a tooltip and a line under the form saying who changed it to what)
until the agent keeps theirs or takes the colleague's. Saving then writes the chosen values against the new
version. The status offers only the moves the lifecycle allows from the ticket's status.

Signals:
    save_requested(): the agent asked to save the header (button or Ctrl+S).
    assign_requested(): the agent asked to take the ticket (Assign to me).
    why_requested(): the agent asked why routing gave the ticket to whom ("Why this agent?").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.navigation.dto import Vocabulary
from app.services.tickets.dto import FieldChanges, HistoryEntry, TicketSummary
from app.views.labels import ElidedLabel, plain_label, plain_tip
from app.views.sla_line import sla_words
from app.views.status_choice import PAUSED, category_of, label_of
from app.views.type_ahead import roomy_offers
from app.vocabulary import Priority

# The assignee combo's "no one" (a combo keeps no None): what an unassigned ticket shows, and the choice that
# unassigns ("Nobody (unassign)" read as an order on a ticket nobody held).
NOBODY, NOBODY_LABEL = -1, "Nobody"
CONFLICT_STYLE = "background: #fff4ce; color: #3d2c00; border: 1px solid #b26a00;"


@dataclass(frozen=True)
class HeaderField:
    """One editable field: its audit name, its label, its widget and how to read, write and show it."""

    name: str
    label: str
    widget: QWidget
    read: Callable[[], object]
    write: Callable[[object], None]
    value_of: Callable[[TicketSummary], object]
    words: Callable[[object], str]


@dataclass(frozen=True)
class Conflict:
    """A field both the agent and a colleague changed: the colleague's value and who set it."""

    theirs: object
    who: str


class HeaderForm(QWidget):
    """Attributes:
    number, presence: labels (plain text: they show customer and agent names).
    subject, tags: line edits; status, priority, queue: combo boxes; assign_me, save_button: buttons.
    assignee: an editable combo box with type-ahead: the queue's agents and "Nobody" (`NOBODY`).
    why_button: "Why this agent?" beside the assignee (reading, so it stays enabled while read-only).
    sla, sla_why: the running SLA clock in words beside the number ("Resolution due Tue 08 Dec 09:30") and
        "Why then?", which asks for the ledger in words (reading: enabled while read-only).
    shown: the ticket the fields were last merged with (what `edits` compares against).
    fields: the editable fields by name; conflicts: the fields a colleague also changed, by name.
    conflict_bar: the lines under the form naming each conflict, with Keep mine / Take theirs buttons.
    """

    save_requested = Signal()
    assign_requested = Signal()
    why_requested = Signal()
    sla_why_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shown: TicketSummary | None = None
        self.vocabulary: Vocabulary | None = None
        self.conflicts: dict[str, Conflict] = {}
        self.number = plain_label()
        self.number.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.presence = plain_label()
        self.presence.setStyleSheet("color: #6a1b9a;")
        self.sla = ElidedLabel()  # the whole line in its tooltip; Why then? says how the due time was worked out
        self.sla.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.sla_why = link_button("Why then?", "The SLA ledger in words: policy, calendar, pauses, due times")
        self.sla_why.clicked.connect(self.sla_why_requested)
        self.subject = QLineEdit()
        self.status, self.priority, self.queue = QComboBox(), QComboBox(), QComboBox()
        self.status.setToolTip("Only the moves the ticket's lifecycle allows from its status")
        self.priority.addItems([p.label.capitalize() for p in Priority])  # as the queue says them
        self.assignee = QComboBox()
        self.assignee.setEditable(True)
        self.assignee.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.assignee.setToolTip("Type part of a name: the ticket's queue's agents and lead, or Nobody to unassign")
        self.assignee.setMinimumContentsLength(14)
        completer = QCompleter(self.assignee.model(), self.assignee)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.assignee.setCompleter(roomy_offers(completer))
        line = self.assignee.lineEdit()
        assert line is not None
        line.editingFinished.connect(self._settle_assignee)
        self.assign_me = QPushButton("Assign to me")
        self.assign_me.clicked.connect(self.assign_requested)
        self.why_button = link_button(
            "Why this agent?", "The latest routing decision: candidates, scores, who was left out and why"
        )
        self.why_button.clicked.connect(self.why_requested)
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("tags, comma separated")
        self.save_button = QPushButton("Save changes")
        self.save_button.setToolTip("Save changes (Ctrl+S)")
        self.save_button.clicked.connect(self.save_requested)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save_requested.emit)
        subject, status, priority, queue, tags = self.subject, self.status, self.priority, self.queue, self.tags
        assignee = self.assignee
        fields = (
            HeaderField("subject", "Subject", subject, subject.text, _set_text(subject), _subject, str),
            HeaderField(
                "status", "Status", status, status.currentData, self._select_status, _status, self._status_words
            ),
            HeaderField(
                "priority", "Priority", priority, priority.currentText, _set_current_text(priority), _priority, str
            ),
            HeaderField("queue_id", "Queue", queue, queue.currentData, _select_in(queue), _queue_id, self._queue_words),
            HeaderField(
                "assignee_id",
                "Assignee",
                assignee,
                self._assignee_value,
                self._select_assignee,
                _assignee_id,
                self._agent_words,
            ),
            HeaderField("tags", "Tags", tags, self._tags_value, _set_tags(tags), _tags, _tag_words),
        )
        self.fields = {field.name: field for field in fields}
        self.queue.currentIndexChanged.connect(lambda _index: self._fill_assignees())
        self.conflict_bar = QWidget()
        self._conflict_rows = QVBoxLayout(self.conflict_bar)
        self._conflict_rows.setContentsMargins(0, 0, 0, 0)
        self.conflict_bar.hide()
        top = QHBoxLayout()
        top.addWidget(self.number)
        top.addWidget(self.sla, 1)
        top.addWidget(self.sla_why)
        top.addWidget(self.presence)
        assignee_row = QHBoxLayout()
        assignee_row.addWidget(self.assignee, 1)
        assignee_row.addWidget(self.assign_me)
        assignee_row.addWidget(self.why_button)
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
        layout.addWidget(self.conflict_bar)
        layout.addWidget(self.save_button, alignment=Qt.AlignmentFlag.AlignRight)

    def set_vocabulary(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        chosen_queue = self.queue.currentData()
        self.queue.clear()
        for choice in vocabulary.queues:
            self.queue.addItem(choice.label, int(choice.key))
        if self.shown is not None:
            _select(self.queue, chosen_queue if chosen_queue is not None else self.shown.queue_id)
            self._fill_statuses(self.shown.status, self.status.currentData())
            self._show_sla(self.shown)
        self._fill_assignees()

    # --- showing and merging ----------------------------------------------------------------------------

    def show_ticket(
        self, ticket: TicketSummary, history: Sequence[HistoryEntry] = (), *, changed_by: str | None = None
    ) -> None:
        """Show `ticket`. Another ticket replaces the form; a newer version of the one shown is merged with
        the agent's unsaved edits. `history` (newest first) or `changed_by` names who made the change."""
        self.number.setText(f"#{ticket.number}  ·  {ticket.customer_name}")
        self._show_sla(ticket)
        base = self.shown
        self.shown = ticket
        if base is None or base.id != ticket.id:
            self._fill_statuses(ticket.status, None)
            self._fill_assignees(ticket.assignee_id)
            for field in self.fields.values():
                field.write(field.value_of(ticket))
            self._set_conflicts({})
            return
        mine = {name: field.read() for name, field in self.fields.items()}
        touched_status = mine["status"] not in (base.status, ticket.status)
        self._fill_statuses(ticket.status, mine["status"] if touched_status else None)
        conflicts = dict(self.conflicts)
        for name, field in self.fields.items():
            was, theirs = field.value_of(base), field.value_of(ticket)
            if mine[name] in (was, theirs):  # untouched, or both now agree: the ticket's value
                field.write(theirs)
                conflicts.pop(name, None)
                continue
            field.write(mine[name])  # the agent's edit stays
            if theirs != was:
                conflicts[name] = Conflict(theirs, _who_changed(name, history, changed_by))
        self._set_conflicts(conflicts)

    def keep_mine(self, name: str) -> None:
        conflicts = dict(self.conflicts)
        conflicts.pop(name, None)
        self._set_conflicts(conflicts)

    def take_theirs(self, name: str) -> None:
        conflict = self.conflicts.get(name)
        if conflict is not None:
            self.fields[name].write(conflict.theirs)
            self.keep_mine(name)

    def edits(self, ticket: TicketSummary) -> tuple[str | None, FieldChanges]:
        """What the agent changed against `ticket`: the new status (None if unchanged) and the fields."""
        status = self.status.currentData()
        tags = self._tags_value()
        changes = FieldChanges(
            subject=self.subject.text() if self.subject.text() != ticket.subject else None,
            priority=Priority.parse(self.priority.currentText())
            if self.priority.currentText() != ticket.priority.label.capitalize()
            else None,
            queue_id=self.queue.currentData() if self.queue.currentData() != ticket.queue_id else None,
            tags=tags if tags != ticket.tags else None,
        )
        return (status if status != ticket.status else None), changes

    def assignee_edit(self, ticket: TicketSummary) -> tuple[bool, int | None]:
        """Whether the agent chose another assignee than `ticket` has, and whom (None: nobody)."""
        chosen = self._assignee_value()
        return chosen != ticket.assignee_id, chosen

    def show_presence(self, people: dict[str, str]) -> None:
        """{name: state} of colleagues on this ticket."""
        parts = [f"{name} is typing…" if state == "typing" else f"{name} is viewing" for name, state in people.items()]
        self.presence.setText("   ".join(parts))
        self.presence.setToolTip(plain_tip(", ".join(people)))

    def set_writable(self, writable: bool) -> None:
        for widget in (
            self.subject,
            self.status,
            self.priority,
            self.queue,
            self.assignee,
            self.tags,
            self.save_button,
            self.assign_me,
        ):
            widget.setEnabled(writable)

    # --- internals ------------------------------------------------------------------------------------

    def _show_sla(self, ticket: TicketSummary) -> None:
        """The SLA line, and its link: "Why then?" of a due time, "Why?" of a clock standing still or none."""
        vocabulary = self.vocabulary
        waiting = vocabulary is not None and category_of(vocabulary, ticket.status) == PAUSED
        paused = label_of(vocabulary, ticket.status) if waiting else None
        self.sla.set_full_text(sla_words(ticket, dt.datetime.now(dt.UTC), paused))
        self.sla_why.setText("Why then?" if ticket.sla_due_at is not None else "Why?")

    def _fill_statuses(self, current: str, chosen: object) -> None:
        """The ticket's status and the moves the lifecycle allows from it (plus a status the agent chose
        earlier that is no longer allowed: kept in view, and the server says why when it is saved)."""
        keys = [current, *(self.vocabulary.targets(current) if self.vocabulary is not None else [])]
        if isinstance(chosen, str) and chosen not in keys:
            keys.append(chosen)
        self.status.blockSignals(True)
        self.status.clear()
        for key in keys:
            self.status.addItem(label_of(self.vocabulary, key), key)
        self.status.blockSignals(False)
        self._select_status(chosen if chosen is not None else current)

    def _fill_assignees(self, chosen: object = ...) -> None:
        """Nobody, the agents of the queue chosen in the form, and whoever is chosen (or assigned) now even
        when they do not work that queue: a choice is never silently lost by refilling."""
        if chosen is ...:
            chosen = self._assignee_value()
        queue_id = self.queue.currentData()
        if queue_id is None and self.shown is not None:
            queue_id = self.shown.queue_id
        agents = self.vocabulary.agents_of(str(queue_id)) if self.vocabulary is not None else []
        entries = [(NOBODY, NOBODY_LABEL), *((int(agent.key), agent.label) for agent in agents)]
        for extra in (chosen, self.shown.assignee_id if self.shown is not None else None):
            if isinstance(extra, int) and all(key != extra for key, _label in entries):
                entries.append((extra, self._agent_words(extra)))
        self.assignee.blockSignals(True)
        self.assignee.clear()
        for key, label in entries:
            self.assignee.addItem(label, key)
        self.assignee.blockSignals(False)
        self._select_assignee(chosen)

    def _assignee_value(self) -> int | None:
        key = self.assignee.currentData()
        return key if isinstance(key, int) and key != NOBODY else None

    def _select_assignee(self, value: object) -> None:
        key = value if isinstance(value, int) else NOBODY
        if self.assignee.findData(key) < 0:
            self.assignee.addItem(self._agent_words(key), key)
        _select(self.assignee, key)
        self.assignee.setEditText(self.assignee.currentText())

    def settle_typing(self) -> None:
        """What was typed into the assignee and names nobody goes back to the entry chosen (Esc, leaving)."""
        self._settle_assignee()

    def _settle_assignee(self) -> None:
        """Typed text that names an entry chooses it; anything else goes back to the entry chosen."""
        index = self.assignee.findText(self.assignee.currentText(), Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            self.assignee.setCurrentIndex(index)
        self.assignee.setEditText(self.assignee.itemText(self.assignee.currentIndex()))

    def _agent_words(self, value: object) -> str:
        if not isinstance(value, int) or value == NOBODY:
            return NOBODY_LABEL
        if self.vocabulary is not None:
            for agent in self.vocabulary.agents:
                if agent.key == str(value):
                    return agent.label
        if self.shown is not None and self.shown.assignee_id == value and self.shown.assignee_name:
            return self.shown.assignee_name
        return f"Agent {value}"

    def _select_status(self, value: object) -> None:
        _select(self.status, value)

    def _status_words(self, value: object) -> str:
        return label_of(self.vocabulary, str(value))

    def _queue_words(self, value: object) -> str:
        index = self.queue.findData(value)
        return self.queue.itemText(index) if index >= 0 else str(value)

    def _tags_value(self) -> tuple[str, ...]:
        return _parse_tags(self.tags.text())

    def _set_conflicts(self, conflicts: dict[str, Conflict]) -> None:
        self.conflicts = conflicts
        while self._conflict_rows.count():
            item = self._conflict_rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for name, field in self.fields.items():
            conflict = conflicts.get(name)
            if conflict is None:
                field.widget.setStyleSheet("")
                field.widget.setToolTip("")
                continue
            sentence = f"{conflict.who} changed this to “{field.words(conflict.theirs)}” — keep yours or take theirs"
            field.widget.setStyleSheet(CONFLICT_STYLE)
            field.widget.setToolTip(plain_tip(sentence))
            self._conflict_rows.addWidget(self._conflict_row(name, f"{field.label}: {sentence}."))
        self.status.setToolTip(self.status.toolTip() or "Only the moves the ticket's lifecycle allows from its status")
        self.conflict_bar.setVisible(bool(conflicts))

    def _conflict_row(self, name: str, sentence: str) -> QWidget:
        row = QWidget()
        row.setObjectName(f"conflict-{name}")
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        text = plain_label(sentence)
        text.setWordWrap(True)
        text.setStyleSheet("color: #8a4b00;")
        keep, take = QPushButton("Keep mine"), QPushButton("Take theirs")
        keep.clicked.connect(lambda: self.keep_mine(name))
        take.clicked.connect(lambda: self.take_theirs(name))
        layout.addWidget(text, 1)
        layout.addWidget(keep)
        layout.addWidget(take)
        return row


def _parse_tags(text: str) -> tuple[str, ...]:
    """Tags as the server keeps them (a set, lower case, sorted), so "VIP, refund" is no edit of (refund, vip)."""
    return tuple(sorted({tag.strip().lower() for tag in text.split(",") if tag.strip()}))


def _who_changed(name: str, history: Sequence[HistoryEntry], changed_by: str | None) -> str:
    entry = next((entry for entry in history if entry.field == name), None)
    if entry is not None:
        return entry.actor
    return changed_by or "A colleague"


def _select(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


def _select_in(combo: QComboBox) -> Callable[[object], None]:
    return lambda value: _select(combo, value)


def _set_text(edit: QLineEdit) -> Callable[[object], None]:
    def write(value: object) -> None:
        if edit.text() != value:  # leave the cursor alone when nothing changes
            edit.setText(str(value))

    return write


def _set_current_text(combo: QComboBox) -> Callable[[object], None]:
    return lambda value: combo.setCurrentText(str(value))


def _set_tags(edit: QLineEdit) -> Callable[[object], None]:
    def write(value: object) -> None:
        tags = tuple(value) if isinstance(value, tuple) else ()
        if _parse_tags(edit.text()) != _parse_tags(", ".join(tags)):
            edit.setText(", ".join(tags))

    return write


def _subject(ticket: TicketSummary) -> object:
    return ticket.subject


def _status(ticket: TicketSummary) -> object:
    return ticket.status


def _priority(ticket: TicketSummary) -> object:
    return ticket.priority.label.capitalize()


def _queue_id(ticket: TicketSummary) -> object:
    return ticket.queue_id


def _assignee_id(ticket: TicketSummary) -> object:
    return ticket.assignee_id


def _tags(ticket: TicketSummary) -> object:
    return ticket.tags


def _tag_words(value: object) -> str:
    return ", ".join(str(tag) for tag in value) if isinstance(value, tuple) else str(value)


def link_button(text: str, tip: str) -> QPushButton:
    """A flat button that reads as a link: it opens an explanation, it changes nothing."""
    button = QPushButton(text)
    button.setFlat(True)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setToolTip(tip)
    button.setStyleSheet("QPushButton { color: palette(link); text-decoration: underline; }")
    return button
