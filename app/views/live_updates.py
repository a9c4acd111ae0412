"""Colleagues' changes, as they happen: the ticket ids of change notices are gathered for 150 ms, read again
in one summaries call through the agent's own permissions, and applied to the queue; the counts follow at
most every two seconds; a ticket newly assigned to the agent, or a customer writing back on one of theirs,
becomes a notification. What a ticket was before a change is the newer of the queue's row (when it holds the
ticket whole) and the agent's own tickets as last seen (`know_mine`, read once after the first page and kept
up to date by every batch): so whichever view is shown, and however far the queue scrolled, a colleague's
edit on one of the agent's tickets is not mistaken for a new assignment.

Signals:
    arrived(object): the fresh TicketSummary list of one batch, after the queue has them (the editor checks
        whether the ticket it shows moved on).
    notification(str, str): a title and a plain-text line to tell the agent.
    everything_changed(): a notice without ticket ids; every view must be read again.
    counts_due(): time to read the counts again.
    failed(object): a read failed (the window reports it).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, QTimer, Signal

from app.services.desk_api import Desk
from app.services.navigation.dto import DeskView, Vocabulary
from app.services.platform.live_notices import ChangeNotice
from app.services.tickets.dto import SortOrder, TicketFilter, TicketPage, TicketSummary
from app.views.tasks import TaskRunner
from app.views.ticket_table import TicketTableModel

LIVE_BATCH_MS = 150
MINE_KNOWN = 500  # the agent's own tickets remembered from the start, the latest updated first
COUNTS_AT_MOST_EVERY_MS = 2000


def notification_for(
    old: TicketSummary | None, new: TicketSummary, me: int, open_statuses: frozenset[str]
) -> tuple[str, str] | None:
    """What to tell the agent about a live change, if anything: a ticket newly assigned to them, or a
    customer writing back on one of theirs (their message wakes a waiting or finished ticket into one of
    the desk's open statuses, as the database defines them)."""
    if new.assignee_id != me:
        return None
    if old is None or old.assignee_id != me:
        return "Assigned to you", f"#{new.number} {inert(new.subject)}"
    if new.status != old.status and new.status in open_statuses and new.version > old.version:
        return "Customer replied", f"#{new.number} {inert(new.subject)}"
    return None


def inert(text: str) -> str:
    """Some desktops render markup in notifications (even images): angle brackets become lookalikes."""
    return text.replace("<", "\u2039").replace(">", "\u203a").replace("&", "\uff06")


class LiveUpdates(QObject):
    """Attributes:
    desk: where the summaries are read (the window may hand in another).
    """

    arrived = Signal(object)
    notification = Signal(str, str)
    everything_changed = Signal()
    counts_due = Signal()
    failed = Signal(object)

    def __init__(self, desk: Desk, runner: TaskRunner, model: TicketTableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desk, self.runner, self.model = desk, runner, model
        self._pending_ids: set[int] = set()
        self._stopped = False  # a closed window: notices still queued from the listener are dropped
        self._open_statuses: frozenset[str] = frozenset()  # from the database's vocabulary
        self._mine: dict[int, TicketSummary] = {}  # the agent's own tickets as last seen
        self._batch_timer = QTimer(self)
        self._batch_timer.setSingleShot(True)
        self._batch_timer.setInterval(LIVE_BATCH_MS)
        self._batch_timer.timeout.connect(self._apply_batch)
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(COUNTS_AT_MOST_EVERY_MS)
        self._counts_timer.timeout.connect(self.counts_due)

    def know_mine(self) -> None:
        """Read the agent's own tickets once (any status), to compare their next changes with."""
        me, desk = self.desk.me.agent_id, self.desk
        view = DeskView("assigned-to-me", "Assigned to me", TicketFilter(assignee_id=me), SortOrder.UPDATED)
        self.runner.run(lambda: desk.navigation.page(view, None, MINE_KNOWN), self._mine_read, self.failed.emit)

    def _mine_read(self, page: TicketPage) -> None:
        if not self._stopped:
            self._remember(page.rows)

    def _remember(self, tickets: Iterable[TicketSummary]) -> None:
        """Keep the agent's own tickets up to date (a newer version already seen stays)."""
        me = self.desk.me.agent_id
        for ticket in tickets:
            known = self._mine.get(ticket.id)
            if known is not None and known.version > ticket.version:
                continue
            if ticket.assignee_id == me:
                self._mine[ticket.id] = ticket
            else:
                self._mine.pop(ticket.id, None)

    def _before(self, ticket_id: int) -> TicketSummary | None:
        """The ticket as last seen here: the newer of the queue's row and the agent's own tickets."""
        seen = [t for t in (self._mine.get(ticket_id), self.model.ticket_by_id(ticket_id)) if t is not None]
        return max(seen, key=lambda ticket: ticket.version, default=None)

    def set_vocabulary(self, vocabulary: Vocabulary) -> None:
        self._open_statuses = frozenset(key for key, _label, category in vocabulary.statuses if category == "open")

    def notice(self, notice: ChangeNotice) -> None:
        if self._stopped:
            return
        if notice.ticket_ids is None:
            self.everything_changed.emit()
            return
        self._pending_ids.update(notice.ticket_ids)
        self._batch_timer.start()

    def stop(self) -> None:
        self._stopped = True
        self._pending_ids.clear()
        self._batch_timer.stop()
        self._counts_timer.stop()

    def _apply_batch(self) -> None:
        ids, self._pending_ids = sorted(self._pending_ids), set()
        before = {i: t for i in ids if (t := self._before(i)) is not None}
        self.runner.run(
            lambda: self.desk.navigation.summaries(ids),
            lambda fresh: self._arrived(ids, fresh, before),
            self.failed.emit,
        )
        if not self._counts_timer.isActive():
            self._counts_timer.start()

    def _arrived(self, ids: list[int], fresh: list[TicketSummary], before: dict[int, TicketSummary]) -> None:
        if self._stopped:
            return  # read while the window closed: nobody is left to show it to
        self.model.apply_live(fresh, ids)
        self.arrived.emit(fresh)
        for ticket in fresh:
            message = notification_for(before.get(ticket.id), ticket, self.desk.me.agent_id, self._open_statuses)
            if message is not None:
                self.notification.emit(*message)
        self._remember(fresh)
        for gone in set(ids) - {ticket.id for ticket in fresh}:  # no longer to be seen by this login
            self._mine.pop(gone, None)
