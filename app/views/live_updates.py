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
        self._not_closed: tuple[str, ...] = ()  # every status outside the closed category (vocabulary)
        self._mine: dict[int, TicketSummary] = {}  # the agent's own tickets as last seen
        self._left: dict[int, int] = {}  # tickets that were the agent's: the version at which they left
        self._held: set[int] = set()  # being changed by the window itself (see `hold`)
        self._seen_while_reading: set[int] | None = None  # while `know_mine` is out: tickets seen since
        self._batch_timer = QTimer(self)
        self._batch_timer.setSingleShot(True)
        self._batch_timer.setInterval(LIVE_BATCH_MS)
        self._batch_timer.timeout.connect(self._apply_batch)
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(COUNTS_AT_MOST_EVERY_MS)
        self._counts_timer.timeout.connect(self.counts_due)

    def know_mine(self) -> None:
        """Read the agent's own tickets that are not closed (the latest updated first), to compare their next
        changes with; again when the desk is replaced (a reconnect)."""
        me, desk = self.desk.me.agent_id, self.desk
        self._seen_while_reading = set()
        mine = TicketFilter(statuses=self._not_closed, assignee_id=me)
        view = DeskView("assigned-to-me", "Assigned to me", mine, SortOrder.UPDATED)
        self.runner.run(lambda: desk.navigation.page(view, None, MINE_KNOWN), self._mine_read, self.failed.emit)

    def _mine_read(self, page: TicketPage) -> None:
        """The answer, but for tickets seen here since it was asked for: those are newer than it."""
        seen, self._seen_while_reading = self._seen_while_reading or set(), None
        if not self._stopped:
            self._remember([ticket for ticket in page.rows if ticket.id not in seen])

    def own_change(self, tickets: list[TicketSummary]) -> None:
        """What the window itself saved (a reply, a take, a claim, a bulk change): into the queue at once,
        and remembered, so its change notice tells the agent nothing."""
        self.model.apply_live(tickets, [ticket.id for ticket in tickets])
        self._remember(tickets)

    def hold(self, ticket_ids: Iterable[int]) -> None:
        """No notifications for these tickets until `release`: the window is changing them (a bulk change),
        and its results arrive only when it is done."""
        self._held.update(ticket_ids)

    def release(self, ticket_ids: Iterable[int]) -> None:
        self._held.difference_update(ticket_ids)

    def _remember(self, tickets: Iterable[TicketSummary]) -> None:
        """Keep the agent's own tickets up to date, and the version at which one left them (an older answer
        arriving late changes nothing)."""
        me = self.desk.me.agent_id
        for ticket in tickets:
            if self._seen_while_reading is not None:
                self._seen_while_reading.add(ticket.id)
            if ticket.version < self._known_version(ticket.id, model=False):
                continue
            if ticket.assignee_id == me:
                self._mine[ticket.id] = ticket
                self._left.pop(ticket.id, None)
            elif self._mine.pop(ticket.id, None) is not None or ticket.id in self._left:
                self._left[ticket.id] = ticket.version

    def _known_version(self, ticket_id: int, *, model: bool = True) -> int:
        """The newest version of the ticket seen here (-1: never seen)."""
        mine = self._mine.get(ticket_id)
        listed = self.model.listed_version(ticket_id) if model else None
        return max(mine.version if mine else -1, self._left.get(ticket_id, -1), -1 if listed is None else listed)

    def _before(self, ticket_id: int) -> TicketSummary | None:
        """The ticket as last seen here: the newer of the queue's row and the agent's own tickets."""
        seen = [t for t in (self._mine.get(ticket_id), self.model.ticket_by_id(ticket_id)) if t is not None]
        return max(seen, key=lambda ticket: ticket.version, default=None)

    def set_vocabulary(self, vocabulary: Vocabulary) -> None:
        self._open_statuses = frozenset(key for key, _label, category in vocabulary.statuses if category == "open")
        self._not_closed = tuple(key for key, _label, category in vocabulary.statuses if category != "closed")

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
        self.runner.run(
            lambda: self.desk.navigation.summaries(ids), lambda fresh: self._arrived(ids, fresh), self.failed.emit
        )
        if not self._counts_timer.isActive():
            self._counts_timer.start()

    def _arrived(self, ids: list[int], fresh: list[TicketSummary]) -> None:
        """What the tickets were is taken as the answer arrives, not when it was asked for: a save of the
        window's own, or another batch, may have come in between. Only a version newer than any seen here
        is news (two batches naming one change, or an answer overtaken, tell nothing twice)."""
        if self._stopped:
            return  # read while the window closed: nobody is left to show it to
        news = [t for t in fresh if t.version > self._known_version(t.id) and t.id not in self._held]
        before = {ticket.id: self._before(ticket.id) for ticket in news}
        self.model.apply_live(fresh, ids)
        self.arrived.emit(fresh)
        for ticket in news:
            message = notification_for(before[ticket.id], ticket, self.desk.me.agent_id, self._open_statuses)
            if message is not None:
                self.notification.emit(*message)
        self._remember(fresh)
        for gone in set(ids) - {ticket.id for ticket in fresh}:  # no longer to be seen by this login
            if (mine := self._mine.pop(gone, None)) is not None:
                self._left[gone] = mine.version
