"""The queue: a table model over pages fetched in the background, never one round-trip per row.

Rows are frozen TicketSummary values. Scrolling near the end asks for the next page (keyset cursor) on a
pool thread; a live update replaces, moves, inserts or removes just the tickets it names, so the selection
follows its ticket and the scroll position stays where the agent left them.

The rows are kept in the order of the SQL (`sort_key`, the same keys), with a parallel list of their sort
keys and the tickets by id: finding a ticket's row, placing a newcomer or a page is a bisection, never a
walk over every row (Anki's `get_item_row` walks; with 10,000 rows and a live batch per second that shows).
At most ROW_LIMIT rows are held: scrolling stops there, and the count above the table says how many match.

SLA and priority read at a glance and never by colour alone: the words say it ("overdue 3 h 10 min",
"Urgent"), a shape says it (`state_icon`), and the colour (light or dark variant, `appearance.accents`) only
adds to it. Every cell's full text is its tooltip, so an elided subject or name can still be read.
"""

from __future__ import annotations

import datetime as dt
import enum
import html
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPen, QPixmap, QPolygonF

from app.services.tickets.dto import PageCursor, SortOrder, TicketFilter, TicketPage, TicketSummary
from app.views.appearance import Accents, accents
from app.views.tasks import TaskRunner
from app.vocabulary import Priority

PageLoader = Callable[[PageCursor | None], TicketPage]
Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("#", "Subject", "SLA due", "Status", "Priority", "Customer", "Assignee", "Queue", "Updated")
SLA_COLUMN = COLUMNS.index("SLA due")
PRIORITY_COLUMN = COLUMNS.index("Priority")
CUSTOMER_COLUMN = COLUMNS.index("Customer")
NO_INDEX = QModelIndex()
ROW_LIMIT = 10_000  # rows held at most: more is a filter's job (and a table of 10,000 is read by nobody)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class Alert(enum.Enum):
    """What a cell warns of; each has words, a shape of its own (`state_icon`) and a colour (`colour_of`)."""

    OVERDUE = "overdue"
    AT_RISK = "at risk"
    URGENT = "urgent"
    HIGH = "high"


OVERDUE, AT_RISK = Alert.OVERDUE, Alert.AT_RISK


def due_text(due: dt.datetime | None, now: dt.datetime) -> str:
    """'in 2h 05m', 'overdue 3d 4h', or '—' without a clock: short, so the column stays narrow and the
    words are never cut (the tooltip has the due time)."""
    if due is None:
        return "—"
    minutes = int((due - now).total_seconds() // 60)
    span = abs(minutes)
    days, hours, mins = span // 1440, span % 1440 // 60, span % 60
    amount = f"{days}d {hours}h" if days else f"{hours}h {mins:02d}m" if hours else f"{mins}m"
    return f"overdue {amount}" if minutes < 0 else f"in {amount}"


def due_alert(due: dt.datetime | None, now: dt.datetime) -> Alert | None:
    """Overdue, at risk (due within the hour), or nothing to warn of."""
    if due is None:
        return None
    if due <= now:
        return OVERDUE
    return AT_RISK if due - now <= dt.timedelta(hours=1) else None


def priority_alert(priority: Priority) -> Alert | None:
    return {Priority.URGENT: Alert.URGENT, Priority.HIGH: Alert.HIGH}.get(priority)


def colour_of(alert: Alert, palette: Accents) -> QColor:
    return QColor(
        {
            Alert.OVERDUE: palette.overdue,
            Alert.AT_RISK: palette.at_risk,
            Alert.URGENT: palette.urgent,
            Alert.HIGH: palette.high,
        }[alert]
    )


@cache
def state_icon(alert: Alert, colour: str) -> QIcon:
    """A shape per warning, so it reads without colour: overdue a filled disc with '!', at risk a ring,
    urgent two chevrons up, high one."""
    size = 16
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    ink = QColor(colour)
    if alert is Alert.OVERDUE:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(ink)
        painter.drawEllipse(1, 1, 14, 14)
        painter.setPen(QPen(QColor("#ffffff") if ink.lightness() < 140 else QColor("#000000"), 2))
        painter.drawLine(QPointF(8, 4), QPointF(8, 9))
        painter.drawPoint(QPointF(8, 12))
    elif alert is Alert.AT_RISK:
        painter.setPen(QPen(ink, 2))
        painter.drawEllipse(2, 2, 12, 12)
        painter.drawLine(QPointF(8, 8), QPointF(8, 4.5))
        painter.drawLine(QPointF(8, 8), QPointF(10.5, 9.5))
    else:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(ink)
        tops = (2.0, 8.0) if alert is Alert.URGENT else (5.0,)
        for top in tops:
            painter.drawPolygon(QPolygonF([QPointF(2, top + 6), QPointF(8, top), QPointF(14, top + 6)]))
    painter.end()
    return QIcon(pixmap)


def sort_key(sort: SortOrder) -> Callable[[TicketSummary], tuple[Any, ...]]:
    """The same order as the SQL of `list_tickets`, exactly (every key ends with the id, so no two tickets
    share one): the rows are kept in it and bisected."""
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    if sort is SortOrder.SLA_DUE:
        return lambda t: (t.sla_due_at is None, t.sla_due_at or far, t.id)
    if sort is SortOrder.PRIORITY:
        return lambda t: (-int(t.priority), -t.id)
    return lambda t: (-(t.updated_at - EPOCH), -t.id)  # a timedelta is exact; a float timestamp is not


class TicketTableModel(QAbstractTableModel):
    """Signals:
    page_failed(object): a page could not be fetched (the exception); the view says why.
    loaded(): a page arrived.
    """

    page_failed = Signal(object)
    loaded = Signal()

    def __init__(self, runner: TaskRunner, clock: Callable[[], dt.datetime] | None = None) -> None:
        super().__init__()
        self.runner = runner
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.rows: list[TicketSummary] = []  # in sort order
        self._keys: list[tuple[Any, ...]] = []  # the rows' sort keys, for bisecting
        self._by_id: dict[int, TicketSummary] = {}
        self.status_labels: Mapping[str, str] = {}  # the desk's own labels (admins may add statuses)
        self.ticket_filter = TicketFilter()
        self.sort_order = SortOrder.SLA_DUE
        self._key = sort_key(self.sort_order)
        self._load: PageLoader | None = None
        self._cursor: PageCursor | None = None
        self._more = False
        self._loading = False
        self._generation = 0
        self._stopped = False
        self._ticker = QTimer(self)
        self._ticker.setInterval(30_000)  # countdowns move on their own
        self._ticker.timeout.connect(self._refresh_countdowns)

    # --- Qt model interface --------------------------------------------------------------------------

    def rowCount(self, parent: Index = NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = NO_INDEX) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        ticket = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(ticket, column)
        if role == Qt.ItemDataRole.ToolTipRole:  # tooltips would render a subject like <b>x</b> as rich text
            return f"<qt>{html.escape(self._tooltip(ticket, column))}</qt>"
        if role == Qt.ItemDataRole.UserRole:
            return ticket.id
        alert = self._alert(ticket, column)
        if alert is None:
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(colour_of(alert, accents()))
        if role == Qt.ItemDataRole.DecorationRole:
            return state_icon(alert, colour_of(alert, accents()).name())
        return None  # no bold: the words, the shape and the colour say it, and bold text would not fit

    def _alert(self, ticket: TicketSummary, column: int) -> Alert | None:
        if column == SLA_COLUMN:
            return due_alert(ticket.sla_due_at, self.clock())
        if column == PRIORITY_COLUMN:
            return priority_alert(ticket.priority)
        return None

    def canFetchMore(self, parent: Index = NO_INDEX) -> bool:
        return not parent.isValid() and self._more and not self._loading and len(self.rows) < ROW_LIMIT

    def fetchMore(self, parent: Index = NO_INDEX) -> None:
        if self.canFetchMore(parent):
            self._request_page()

    # --- what the view asks for -----------------------------------------------------------------------

    def show_view(
        self, load: PageLoader, ticket_filter: TicketFilter, sort: SortOrder, first_page: TicketPage | None = None
    ) -> None:
        """Start over with another view; pages still in flight for the old one are ignored. Once stopped (the
        window closed), a late answer that asks for a view starts nothing. `first_page`: its first page, read
        already (with the sign-in); then `load` is asked only for the pages after it."""
        if self._stopped:
            return
        self.beginResetModel()
        self.rows, self._keys, self._by_id = [], [], {}
        self._load, self.ticket_filter, self.sort_order, self._key = load, ticket_filter, sort, sort_key(sort)
        self._cursor, self._more, self._loading = None, True, True  # the first page is asked for below
        self._generation += 1
        self.endResetModel()
        self._ticker.start()
        if first_page is not None:
            self._page_arrived(self._generation, first_page)
        else:
            self._request_page()

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def has_more(self) -> bool:
        return self._more

    @property
    def capped(self) -> bool:
        """More tickets match than the model holds (ROW_LIMIT): the view says so."""
        return self._more and len(self.rows) >= ROW_LIMIT

    def ticket_at(self, row: int) -> TicketSummary | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def ticket_by_id(self, ticket_id: int) -> TicketSummary | None:
        return self._by_id.get(ticket_id)

    def row_of(self, ticket_id: int) -> int | None:
        ticket = self._by_id.get(ticket_id)
        return None if ticket is None else bisect_left(self._keys, self._key(ticket))

    def apply_live(self, current: Sequence[TicketSummary], named_ids: Sequence[int]) -> None:
        """Bring the named tickets up to date: changed ones in place, new ones where they sort, gone ones
        (no longer visible or no longer matching) out. Nothing else moves."""
        fresh = {ticket.id: ticket for ticket in current}
        for ticket_id in named_ids:
            ticket = fresh.get(ticket_id)
            row = self.row_of(ticket_id)
            if ticket is not None and self.ticket_filter.matches(ticket):
                self._place(ticket)
            elif row is not None:
                self._remove(row)

    def stop(self) -> None:
        self._stopped = True
        self._ticker.stop()
        self._generation += 1
        self._more = False  # a closed window asks for no more pages

    # --- internals ---------------------------------------------------------------------------------------

    def _request_page(self) -> None:
        if self._load is None:
            return
        self._loading = True
        load, cursor, generation = self._load, self._cursor, self._generation
        self.runner.run(
            lambda: load(cursor),
            lambda page: self._page_arrived(generation, page),
            lambda error: self._page_error(generation, error),
        )

    def _page_arrived(self, generation: int, page: TicketPage) -> None:
        """The page's tickets after the loaded ones, in one insert; a ticket a live update brought already
        stays as the newer of the two; anything out of order (a live move got there first) is placed."""
        if generation != self._generation:
            return
        # Where the next page starts is known before any row signal: a view (or a model tester) that asks
        # for more while the rows go in must ask for the next page, not this one again.
        self._loading, self._cursor, self._more = False, page.next_cursor, page.next_cursor is not None
        fresh: list[TicketSummary] = []
        for ticket in page.rows:
            known = self._by_id.get(ticket.id)
            if known is None:
                fresh.append(ticket)
            elif ticket.version > known.version:
                self._place(ticket, loaded=True)
        keys = [self._key(ticket) for ticket in fresh]
        if fresh and (not self._keys or keys[0] > self._keys[-1]) and keys == sorted(keys):
            first = len(self.rows)
            self.beginInsertRows(NO_INDEX, first, first + len(fresh) - 1)  # last is inclusive
            self.rows.extend(fresh)
            self._keys.extend(keys)
            self._by_id.update((ticket.id, ticket) for ticket in fresh)
            self.endInsertRows()
        else:
            for ticket in fresh:
                self._place(ticket, loaded=True)
        self.loaded.emit()

    def _page_error(self, generation: int, error: Exception) -> None:
        if generation == self._generation:
            # No more paging until the view is shown again (F5, a reconnect): otherwise every layout of the
            # table would ask again, and a server that is down would be asked, and reported, in a loop.
            self._loading, self._more = False, False
            self.page_failed.emit(error)

    def _place(self, ticket: TicketSummary, *, loaded: bool = False) -> None:
        """Put the ticket where it sorts: in place, moved (the selection follows it), inserted, or out when
        it now sorts after the loaded pages (its page brings it; `loaded`: it comes with a page now)."""
        key = self._key(ticket)
        known = self._by_id.get(ticket.id)
        target = bisect_left(self._keys, key)  # among the rows as they are, the old one included
        if known is None:
            if target == len(self.rows) and self._more and not loaded:
                return  # it belongs to a page not loaded yet; it will come with that page
            self.beginInsertRows(NO_INDEX, target, target)
            self.rows.insert(target, ticket)
            self._keys.insert(target, key)
            self._by_id[ticket.id] = ticket
            self.endInsertRows()
            return
        row = bisect_left(self._keys, self._key(known))
        self._by_id[ticket.id] = ticket
        if target in (row, row + 1):  # its place among the others is the same
            self.rows[row], self._keys[row] = ticket, key
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
            return
        landing = target - 1 if target > row else target  # its row once it has left its old one
        if landing == len(self.rows) - 1 and self._more and not loaded:
            self._remove(row)  # now after the loaded pages
            return
        self.beginMoveRows(NO_INDEX, row, row, NO_INDEX, target)  # Qt's destination: before the move
        del self.rows[row], self._keys[row]
        self.rows.insert(landing, ticket)
        self._keys.insert(landing, key)
        self.endMoveRows()
        self.dataChanged.emit(self.index(landing, 0), self.index(landing, len(COLUMNS) - 1))

    def _remove(self, row: int) -> None:
        self.beginRemoveRows(NO_INDEX, row, row)
        del self._by_id[self.rows[row].id]
        del self.rows[row], self._keys[row]
        self.endRemoveRows()

    def _refresh_countdowns(self) -> None:
        if self.rows:
            self.dataChanged.emit(self.index(0, SLA_COLUMN), self.index(len(self.rows) - 1, SLA_COLUMN))

    def set_status_labels(self, labels: Mapping[str, str]) -> None:
        self.status_labels = dict(labels)
        if self.rows:
            column = COLUMNS.index("Status")
            self.dataChanged.emit(self.index(0, column), self.index(len(self.rows) - 1, column))

    def _text(self, t: TicketSummary, column: int) -> str:
        values = (
            f"#{t.number}",
            t.subject,
            due_text(t.sla_due_at, self.clock()),
            self.status_labels.get(t.status, t.status.replace("_", " ")),
            t.priority.label.capitalize(),
            t.customer_name,
            t.assignee_name or "—",
            t.queue_name,
            t.updated_at.astimezone().strftime("%d %b %H:%M"),
        )
        return values[column]

    def _tooltip(self, t: TicketSummary, column: int) -> str:
        """The whole text, and for the SLA and the customer what the cell has no room for."""
        text = self._text(t, column)
        if column == SLA_COLUMN and t.sla_due_at is not None:
            return f"{text} (due {t.sla_due_at.astimezone().strftime('%d %b %H:%M')})"
        if column == CUSTOMER_COLUMN:
            return "\n".join([text, *t.customer_emails[:1], *([t.organisation_name] if t.organisation_name else [])])
        return text
