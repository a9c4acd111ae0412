"""Bulk changes on the queue's selection (B): a status, a priority, an assignee (me, someone found by
typing, or nobody) and a tag to add, for every selected ticket.

Each ticket is its own transaction at the version the queue shows for it, one desk call after the other on
a pool thread: a ticket someone saved in the meantime, or one the lifecycle or the login's rights refuse,
is left as it was and named in the summary with the reason ("12 changed, 2 refused: #10011 (someone saved
first), …"), while the others are saved. Nothing is all-or-nothing: a hundred tickets are not held back by
one a colleague just answered. Tickets the queue does not hold whole (rows not shown lately) are read
first, as they are then; one no longer visible to the login is counted as gone. At most BULK_AT_MOST
tickets at once: a queue lists up to 200,000, and a change of them all, one by one, would run for hours
with nothing to stop it; a filter narrows the selection first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.services.desk_api import TicketArea
from app.services.errors import TicketConflict
from app.services.navigation.dto import Vocabulary
from app.services.tickets.dto import FieldChanges, TicketChanged, TicketSummary
from app.views.errors import explain_failure
from app.views.labels import plain_label
from app.views.type_ahead import roomy_offers
from app.vocabulary import Priority

BULK_AT_MOST = 1_000  # tickets a bulk change takes: one transaction each, so minutes beyond (Zendesk takes 100)
NAMED = 10  # changed tickets named by number in the summary; the rest are counted
MAX_TAG = 64  # a tag's characters, as the database keeps them (VARCHAR(64))
KEEP, NOBODY = -2, -1  # the assignee choice's "leave it" and "no one" (a combo keeps no None)
KEEP_LABEL, NOBODY_LABEL = "(leave as it is)", "Nobody (unassign)"


@dataclass(frozen=True)
class BulkChange:
    """What to do to each ticket: a status and a priority (None: leave them), an assignee when `assign` (None:
    nobody), a tag."""

    status: str | None = None
    assign: bool = False
    assignee_id: int | None = None
    tag: str | None = None
    priority: Priority | None = None

    @property
    def is_empty(self) -> bool:
        return self.status is None and not self.assign and not self.tag and self.priority is None


@dataclass(frozen=True)
class BulkOutcome:
    """Per ticket: what changed, what was already so, and what was refused (its number and the error)."""

    changed: tuple[TicketChanged, ...]
    unchanged: tuple[int, ...]
    refused: tuple[tuple[int, Exception], ...]
    gone: int = 0  # selected, but no longer to be seen when the change began (moved away, merged, deleted)


def selected_tickets(
    ids: Sequence[int],
    at_hand: Mapping[int, TicketSummary],
    listed_versions: Mapping[int, int],
    read: Callable[[list[int]], list[TicketSummary]],
) -> tuple[list[TicketSummary], int]:
    """Runs on a pool thread: the selection's tickets as the queue last read them, the others read now but
    at the version their row stood for when the change was asked for (a change saved since is refused as a
    conflict, not overwritten); and how many are gone (a row that left the queue meanwhile is not read)."""
    missing = [ticket_id for ticket_id in ids if ticket_id not in at_hand and ticket_id in listed_versions]
    read_now = {
        ticket.id: replace(ticket, version=listed_versions[ticket.id]) for ticket in (read(missing) if missing else [])
    }
    tickets = [ticket for ticket_id in ids if (ticket := at_hand.get(ticket_id) or read_now.get(ticket_id))]
    return tickets, len(ids) - len(tickets)


def change_one(area: TicketArea, ticket: TicketSummary, change: BulkChange) -> TicketChanged | None:
    """One ticket, one transaction, at its own version; None when it already is as asked."""
    status = change.status if change.status not in (None, ticket.status) else None
    tag = (change.tag or "").strip().lower()
    tags = tuple(sorted({*ticket.tags, tag})) if tag and tag not in ticket.tags else None
    priority = change.priority if change.priority not in (None, ticket.priority) else None
    fields = FieldChanges(tags=tags, priority=priority)
    if change.assign and change.assignee_id != ticket.assignee_id:
        return area.edit_and_assign(ticket.id, status, fields, change.assignee_id, ticket.version)
    if status is None and fields == FieldChanges():
        return None
    return area.edit_ticket(ticket.id, status, fields, ticket.version)


def change_each(area: TicketArea, tickets: Sequence[TicketSummary], change: BulkChange, gone: int = 0) -> BulkOutcome:
    """Runs on a pool thread: every ticket is tried, whatever happened to the one before."""
    changed: list[TicketChanged] = []
    unchanged: list[int] = []
    refused: list[tuple[int, Exception]] = []
    for ticket in tickets:
        try:
            result = change_one(area, ticket, change)
        except Exception as error:  # each refusal is reported with its ticket; the rest go on
            refused.append((ticket.number, error))
            continue
        if result is None:
            unchanged.append(ticket.number)
        else:
            changed.append(result)
    return BulkOutcome(tuple(changed), tuple(unchanged), tuple(refused), gone)


def reason(error: Exception) -> str:
    """Why one ticket was refused, short enough to list many."""
    if isinstance(error, TicketConflict):
        return "someone saved first"
    return explain_failure(error).rstrip(".")


def summary(outcome: BulkOutcome) -> str:
    """ "12 changed (#10041, #10042, …), 3 refused." and then one line per reason with the tickets it
    refused, in the order of the selection: the same sentence is read once, however many tickets it refused
    ("1 already so" when a ticket was so already)."""
    numbers = [f"#{changed.ticket.number}" for changed in outcome.changed]
    named = f" ({', '.join(numbers[:NAMED])}{', …' if len(numbers) > NAMED else ''})" if numbers else ""
    parts = [f"{len(outcome.changed)} changed{named}"]  # which ones: "5 changed." named none
    if outcome.unchanged:
        parts.append(f"{len(outcome.unchanged)} already so")
    if outcome.refused:
        parts.append(f"{len(outcome.refused)} refused")
    if outcome.gone:
        parts.append(f"{outcome.gone} no longer in your queues")
    by_reason: dict[str, list[int]] = {}
    for number, error in outcome.refused:
        by_reason.setdefault(reason(error), []).append(number)
    lines = [
        f"{why[:1].upper()}{why[1:]}: {', '.join(f'#{n}' for n in numbers)}." for why, numbers in by_reason.items()
    ]
    return "\n\n".join([", ".join(parts) + ".", *(["\n".join(lines)] if lines else [])])


class BulkDialog(QDialog):
    """What to change on the selected tickets; Enter applies, Esc cancels.

    Attributes:
        status: "(leave as it is)" and every status (the server refuses moves a ticket's lifecycle forbids).
        assignee: editable, with type-ahead: leave, me, nobody, or any active agent.
        tag: a tag to add to each ticket.
    """

    def __init__(self, count: int, vocabulary: Vocabulary, me: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Change {count} tickets" if count != 1 else "Change 1 ticket")
        self.setMinimumWidth(440)  # the note under the form in two lines, not a narrow column of three
        self._me = me
        self.status = QComboBox()
        self.status.addItem(KEEP_LABEL, None)
        for key, label, _category in vocabulary.statuses:
            self.status.addItem(label, key)
        self.assignee = QComboBox()
        self.assignee.setEditable(True)
        self.assignee.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.assignee.addItem(KEEP_LABEL, KEEP)
        if me is not None:
            self.assignee.addItem("Me", me)
        self.assignee.addItem(NOBODY_LABEL, NOBODY)
        for agent in vocabulary.agents:
            if int(agent.key) != me:  # "Me" says it: not her own name a second time
                self.assignee.addItem(agent.label, int(agent.key))
        completer = QCompleter(self.assignee.model(), self.assignee)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.assignee.setCompleter(roomy_offers(completer))
        self.tag = QLineEdit()
        self.tag.setPlaceholderText("a tag to add to each")
        self.tag.setMaxLength(MAX_TAG)  # a longer one was refused for every ticket, after the apply
        form = QFormLayout()
        self.priority = QComboBox()  # Zendesk's bulk edit has it, and triage by the dozen needs it
        self.priority.addItem(KEEP_LABEL, None)
        for priority in reversed(Priority):
            self.priority.addItem(priority.label.capitalize(), int(priority))
        form.addRow("Status", self.status)
        form.addRow("Priority", self.priority)
        form.addRow("Assignee", self.assignee)
        form.addRow("Add tag", self.tag)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.apply_button.setText("Apply to each")
        self.apply_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        note = plain_label("Each ticket is saved on its own; any that cannot be changed are listed afterwards.")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def change(self) -> BulkChange:
        index = self.assignee.findText(self.assignee.currentText(), Qt.MatchFlag.MatchFixedString)
        chosen = self.assignee.itemData(index) if index >= 0 else KEEP
        return BulkChange(
            status=self.status.currentData(),
            assign=chosen != KEEP,
            assignee_id=chosen if isinstance(chosen, int) and chosen >= 0 else None,
            tag=self.tag.text().strip() or None,
            priority=Priority(self.priority.currentData()) if self.priority.currentData() is not None else None,
        )
