"""The queue: a table model over pages fetched in the background, never one round-trip per row.

Rows are frozen TicketSummary values. Scrolling near the end asks for the next page (keyset cursor) on a
pool thread; a live update replaces, inserts or removes just the tickets it names, so the selection and
the scroll position stay where the agent left them.

SLA and priority read at a glance and never by colour alone: the words say it ("overdue 3 h 10 min",
"Urgent"), a shape says it (`state_icon`), and the colour (light or dark variant, `appearance.accents`) only
adds to it. Every cell's full text is its tooltip, so an elided subject or name can still be read.
"""

from __future__ import annotations

import datetime as dt
import enum
import html
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
    """The same order as the SQL of `list_tickets`, for placing a live insert."""
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    if sort is SortOrder.SLA_DUE:
        return lambda t: (t.sla_due_at is None, t.sla_due_at or far, t.id)
    if sort is SortOrder.PRIORITY:
        return lambda t: (-int(t.priority), -t.id)
    return lambda t: (-t.updated_at.timestamp(), -t.id)


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
        self.rows: list[TicketSummary] = []
        self.status_labels: Mapping[str, str] = {}  # the desk's own labels (admins may add statuses)
        self.ticket_filter = TicketFilter()
        self.sort_order = SortOrder.SLA_DUE
        self._load: PageLoader | None = None
        self._cursor: PageCursor | None = None
        self._more = False
        self._loading = False
        self._generation = 0
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
        return not parent.isValid() and self._more and not self._loading

    def fetchMore(self, parent: Index = NO_INDEX) -> None:
        if self.canFetchMore(parent):
            self._request_page()

    # --- what the view asks for -----------------------------------------------------------------------

    def show_view(self, load: PageLoader, ticket_filter: TicketFilter, sort: SortOrder) -> None:
        """Start over with another view; pages still in flight for the old one are ignored."""
        self.beginResetModel()
        self.rows = []
        self._load, self.ticket_filter, self.sort_order = load, ticket_filter, sort
        self._cursor, self._more, self._loading = None, True, True  # the first page is asked for below
        self._generation += 1
        self.endResetModel()
        self._ticker.start()
        self._request_page()

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def has_more(self) -> bool:
        return self._more

    def ticket_at(self, row: int) -> TicketSummary | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of(self, ticket_id: int) -> int | None:
        return next((row for row, ticket in enumerate(self.rows) if ticket.id == ticket_id), None)

    def apply_live(self, current: Sequence[TicketSummary], named_ids: Sequence[int]) -> None:
        """Bring the named tickets up to date: changed ones in place, new ones where they sort, gone ones
        (no longer visible or no longer matching) out. Nothing else moves."""
        fresh = {ticket.id: ticket for ticket in current}
        for ticket_id in named_ids:
            ticket = fresh.get(ticket_id)
            row = self.row_of(ticket_id)
            belongs = ticket is not None and self.ticket_filter.matches(ticket)
            if row is not None and not belongs:
                self._remove(row)
            elif row is not None and ticket is not None:
                self._replace(row, ticket)
            elif belongs and ticket is not None:
                self._insert_sorted(ticket)

    def stop(self) -> None:
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
        if generation != self._generation:
            return
        self._loading = False
        known = {ticket.id for ticket in self.rows}
        fresh = [ticket for ticket in page.rows if ticket.id not in known]
        if fresh:
            first = len(self.rows)
            self.beginInsertRows(NO_INDEX, first, first + len(fresh) - 1)  # last is inclusive
            self.rows.extend(fresh)
            self.endInsertRows()
        self._cursor, self._more = page.next_cursor, page.next_cursor is not None
        self.loaded.emit()

    def _page_error(self, generation: int, error: Exception) -> None:
        if generation == self._generation:
            # No more paging until the view is shown again (F5, a reconnect): otherwise every layout of the
            # table would ask again, and a server that is down would be asked, and reported, in a loop.
            self._loading, self._more = False, False
            self.page_failed.emit(error)

    def _replace(self, row: int, ticket: TicketSummary) -> None:
        self.rows[row] = ticket
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def _remove(self, row: int) -> None:
        self.beginRemoveRows(NO_INDEX, row, row)
        del self.rows[row]
        self.endRemoveRows()

    def _insert_sorted(self, ticket: TicketSummary) -> None:
        key = sort_key(self.sort_order)
        row = next((i for i, other in enumerate(self.rows) if key(ticket) < key(other)), len(self.rows))
        if row == len(self.rows) and self._more:
            return  # it belongs to a page not loaded yet; it will come with that page
        self.beginInsertRows(NO_INDEX, row, row)
        self.rows.insert(row, ticket)
        self.endInsertRows()

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
