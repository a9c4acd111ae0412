"""Narrow the queue on screen: text (a ticket number, subject words, the customer's name or address, the
organisation — `TicketFilter.text`), status, priority, who has it, a tag; and the order. It says how many
tickets the result holds.

Signals:
    changed(): any filter changed (typing is debounced), so the queue reloads once.
    leave_requested(): Esc in the empty filter text: the keyboard goes back to the queue.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.services.navigation.dto import DeskView
from app.services.tickets.dto import SortOrder
from app.views.wrapping_row import WrappingRow
from app.vocabulary import Priority

ANY_STATUS = "Any status"
SORTS = [("SLA due", SortOrder.SLA_DUE), ("Priority", SortOrder.PRIORITY), ("Last update", SortOrder.UPDATED)]
ASSIGNEES = [("Anyone", None), ("Me", "me"), ("Unassigned", "none")]


class FilterBar(QWidget):
    """Attributes:
    text: the filter text (Esc clears it); count_label: how many tickets the filtered view holds.
    choices: the row of drop-downs (status, priority, who has it | tag, order).
    """

    changed = Signal()
    leave_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLineEdit()
        self.text.setPlaceholderText("Filter: #number, subject, customer, email, organisation  (/)")
        self.text.setToolTip(
            "Every word must match: a ticket number (11836 or #11836), words of the subject, the customer's name"
            " or email address, or the organisation. Esc clears."
        )
        self.text.setClearButtonEnabled(True)
        self.text.installEventFilter(self)
        self.tag = QLineEdit()
        self.tag.setPlaceholderText("tag")
        self.tag.setMaximumWidth(90)
        self.status, self.priority, self.assignee, self.sort = QComboBox(), QComboBox(), QComboBox(), QComboBox()
        self.status.addItem(ANY_STATUS, None)  # the statuses come from the database (set_statuses)
        self.priority.addItem("Any priority", None)
        for priority in reversed(Priority):
            self.priority.addItem(priority.label.capitalize(), int(priority))
        for label, value in ASSIGNEES:
            self.assignee.addItem(label, value)
        # Colleagues' names join the choices (set_agents): the longest must not widen the row of drop-downs.
        self.assignee.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.assignee.setMinimumContentsLength(len("Unassigned") + 1)
        self.assignee.setMaxVisibleItems(20)  # a desk of 70 filled the screen's height with names
        self._me: int | None = None
        for label, value in SORTS:
            self.sort.addItem(f"Sort: {label}", value)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(self.changed.emit)
        for line in (self.text, self.tag):
            line.textChanged.connect(lambda _text: self._debounce.start())
        for combo in (self.status, self.priority, self.assignee, self.sort):
            combo.currentIndexChanged.connect(lambda _index: self.changed.emit())
        self._count: int | None = None
        self._held: int | None = None  # the queue lists only this many (see show_held)
        self.count_label = QLabel()
        self.count_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        # Two rows: the text gets the queue's whole width (at 1366 px, beside five drop-downs it had 110 px).
        # The drop-downs' row stacks its two groups in a narrow queue pane rather than hold the pane wide: at
        # 1366 px with the account panel open, its 471 px minimum pushed the knowledge panel off the screen.
        first = QHBoxLayout()
        first.addWidget(self.text, 1)
        first.addWidget(self.count_label)
        self.choices = WrappingRow()
        for combo in (self.status, self.priority, self.assignee):
            self.choices.add_first(combo)
        self.choices.add_second(self.tag)
        self.choices.add_second(self.sort)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(4)
        layout.addLayout(first)
        layout.addWidget(self.choices)

    def stop(self) -> None:
        """The window closes: a filter typed a moment ago asks for nothing any more."""
        self._debounce.stop()

    def show_count(self, count: int | None) -> None:
        """How many tickets the filtered view holds; None while it is being counted."""
        self._count = count
        if count is None:
            self.count_label.setText("…")
        else:
            listed = f", the first {self._held:,} listed" if self._held is not None and count > self._held else ""
            self.count_label.setText(f"{count:,} ticket{'' if count == 1 else 's'}{listed}")
        self.count_label.setToolTip("Narrow the filter to list the others." if self._held is not None else "")

    def show_held(self, held: int | None) -> None:
        """The queue lists only `held` tickets (its row limit; None: all of them)."""
        self._held = held
        self.show_count(self._count)

    def is_narrowed(self) -> bool:
        """Whether the bar narrows the view at all (the order alone does not)."""
        return bool(
            self.text.text().strip()
            or self.tag.text().strip()
            or any(combo.currentData() is not None for combo in (self.status, self.priority, self.assignee))
        )

    def describe(self) -> str:
        """The narrowing in words, for an empty result: 'matching “refund”, status Pending'."""
        parts = []
        if text := self.text.text().strip():
            parts.append(f"matching “{text}”")
        for combo in (self.status, self.priority):
            if combo.currentData() is not None:
                parts.append(combo.currentText().lower())
        if self.assignee.currentData() is not None:
            parts.append(self._assignee_words())
        if tag := self.tag.text().strip():
            parts.append(f"tagged {tag}")
        return ", ".join(parts)

    def clear(self) -> None:
        """Back to the whole view (the order stays)."""
        self._reset(assignee_index=0)

    def _reset(self, *, assignee_index: int) -> None:
        """Every filter off but one choice of who has it (0: anyone); one reload."""
        for line in (self.text, self.tag):
            line.blockSignals(True)
            line.clear()
            line.blockSignals(False)
        for combo in (self.status, self.priority, self.assignee):
            combo.blockSignals(True)
            combo.setCurrentIndex(assignee_index if combo is self.assignee else 0)
            combo.blockSignals(False)
        self._debounce.stop()
        self.changed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Esc in the filter text clears it (and the queue shows the whole view again); Esc in an empty one
        goes back to the queue."""
        if (
            watched is self.text
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            if self.text.text():
                self.text.clear()
            else:
                self.leave_requested.emit()
            return True
        return super().eventFilter(watched, event)

    def set_statuses(self, statuses: Sequence[tuple[str, str, str]]) -> None:
        """The desk's own statuses (admins may add some), in their order; the choice is kept if it still exists."""
        chosen = self.status.currentData()
        self.status.blockSignals(True)
        self.status.clear()
        self.status.addItem(ANY_STATUS, None)
        for key, label, _category in statuses:
            self.status.addItem(label, key)
        self.status.setCurrentIndex(max(self.status.findData(chosen), 0))
        self.status.blockSignals(False)

    def set_agents(self, agents: Sequence[tuple[int, str]], my_agent_id: int | None) -> None:
        """Who may have a ticket, after Anyone, Me and Unassigned: the desk's active colleagues by name (a lead
        looking at one person's tickets had only "Me"). The choice is kept if that person still is here."""
        chosen = self.assignee.currentData()
        self._me = my_agent_id
        self.assignee.blockSignals(True)
        self.assignee.clear()
        for label, value in ASSIGNEES:
            self.assignee.addItem(label, value)
        for agent_id, name in agents:
            if agent_id != my_agent_id:
                self.assignee.addItem(name, agent_id)
        self.assignee.setCurrentIndex(max(self.assignee.findData(chosen), 0))
        self.assignee.blockSignals(False)
        if self.assignee.currentData() != chosen:
            self.changed.emit()  # the person chosen has gone: the queue shows anyone's again

    def show_assigned_to(self, agent_id: int) -> bool:
        """Narrow to one colleague's tickets, the other filters cleared (the supervisor view's Team load asks
        for it; one's own row is "Me"); false if nobody with that id is offered."""
        index = self.assignee.findData("me" if agent_id == self._me else agent_id)
        if index < 0:
            return False
        self._reset(assignee_index=index)
        return True

    def forget_colleague(self) -> None:
        """Back to anyone's if a colleague was chosen (another view was chosen); Me and Unassigned stay."""
        if isinstance(self.assignee.currentData(), int):
            self.assignee.blockSignals(True)
            self.assignee.setCurrentIndex(0)
            self.assignee.blockSignals(False)

    def _assignee_words(self) -> str:
        """The assignee choice as the descriptions say it: "assigned to me", "unassigned", "assigned to Julia Rossi"."""
        value = self.assignee.currentData()
        if value == "none":
            return "unassigned"
        return f"assigned to {'me' if value == 'me' else self.assignee.currentText()}"

    def description(self, view: DeskView) -> str:
        """What saving `view` with the bar as it is keeps, in words: "All open, words “refund”, High,
        tagged vip, by SLA due" (saving once dropped the words, and nothing said what was kept)."""
        parts = [view.label]
        if words := self.text.text().strip():
            parts.append(f"words “{words}”")
        parts += [combo.currentText() for combo in (self.status, self.priority) if combo.currentData() is not None]
        if self.assignee.currentData() is not None:
            parts.append(self._assignee_words())
        if tag := self.tag.text().strip():
            parts.append(f"tagged {tag}")
        parts.append(f"by {self.sort.currentText().removeprefix('Sort: ')}")
        return ", ".join(parts)

    def narrow(self, view: DeskView, my_agent_id: int) -> DeskView:
        """The view with the bar's filters on top of its own, in the bar's order."""
        base = view.ticket_filter
        changes: dict[str, object] = {}
        if words := self.text.text().strip():  # on top of a saved view's own words: every word must match
            changes["text"] = f"{base.text} {words}" if base.text else words
        if (status := self.status.currentData()) is not None:
            changes["statuses"] = (status,)
        if (priority := self.priority.currentData()) is not None:
            changes["priorities"] = (Priority(priority),)
        if self.assignee.currentData() == "me":
            changes["assignee_id"] = my_agent_id
        elif self.assignee.currentData() == "none":
            changes["unassigned"] = True
        elif isinstance(agent_id := self.assignee.currentData(), int):
            changes["assignee_id"] = agent_id
        if tag := self.tag.text().strip():
            changes["tag"] = tag
        return DeskView(
            view.key,
            view.label,
            dataclasses.replace(base, **changes),  # type: ignore[arg-type]
            SortOrder(self.sort.currentData()),
            view.saved,
        )
