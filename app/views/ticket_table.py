"""The queue: a table model over pages fetched in the background, never one round-trip per row.

The model holds every listed row's place (`place_key`: its sort value, id and version, a few hundred bytes)
and the tickets themselves only for rows shown lately: a bounded cache (`CACHED_ROWS`), as Anki's browser
holds ids and reads the rows it draws. The first page comes whole (it is painted at once); the pages after
it, asked for on a pool thread as the view nears the end (keyset cursor), bring only places
(`queue_pages`), and a row drawn without its ticket shows "…" while it is read with its neighbours in one
statement (`read_rows`). A live update replaces, moves, inserts or removes just the tickets it names, so
the selection follows its ticket and the scroll position stays where the agent left them.

The places are kept in the order of the SQL, and the tickets' places by id: finding a ticket's row,
placing a newcomer or a page is a bisection, never a walk over every row (Anki's `get_item_row` walks; with
10,000 rows and a live batch per second that shows). At most ROW_LIMIT rows are listed: scrolling stops
there, and the count above the table says how many match.

SLA and priority read at a glance and never by colour alone: the words say it ("overdue 3 h 10 min",
"Urgent"), a shape says it (`state_icon`), and the colour (light or dark variant, `appearance.accents`) only
adds to it. Every cell's full text is its tooltip, so an elided subject or name can still be read.
"""

from __future__ import annotations

import datetime as dt
import enum
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPen, QPixmap, QPolygonF

from app.services.tickets.dto import PageCursor, SortOrder, TicketFilter, TicketPage, TicketPlaces, TicketSummary
from app.views.appearance import Accents, accents
from app.views.labels import plain_tip
from app.views.sla_line import sla_words
from app.views.status_choice import status_text
from app.views.tasks import TaskRunner
from app.vocabulary import Priority

if TYPE_CHECKING:
    from app.services.desk_api import NavigationArea
    from app.services.navigation.dto import DeskView

PageLoader = Callable[[PageCursor | None], TicketPage | TicketPlaces]
RowReader = Callable[[list[int]], list[TicketSummary]]  # the tickets among these ids, as they are now
RowKey = tuple[Any, ...]  # see place_key
Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("#", "Subject", "SLA due", "Status", "Priority", "Customer", "Assignee", "Queue", "Updated")
SLA_COLUMN = COLUMNS.index("SLA due")
PRIORITY_COLUMN = COLUMNS.index("Priority")
CUSTOMER_COLUMN = COLUMNS.index("Customer")
SUBJECT_COLUMN = COLUMNS.index("Subject")
SORTED_BY_COLUMN = {  # the columns a click on the header sorts by: the orders the server pages by
    SLA_COLUMN: SortOrder.SLA_DUE,
    PRIORITY_COLUMN: SortOrder.PRIORITY,
    COLUMNS.index("Updated"): SortOrder.UPDATED,
}
NO_INDEX = QModelIndex()
ROW_LIMIT = 200_000  # rows listed at most (about 50 MB of places): beyond that a filter finds it sooner
CACHED_ROWS = 2_000  # tickets held whole: twenty screens of the tallest table
PLACES_PER_PAGE = 2_000  # after the first page: a place costs the server and the client little
READ_ABOVE, READ_BELOW = 20, 100  # the rows read with a row shown without its ticket
READ_AT_MOST = 300  # one read's rows: the latest asked for (rows scrolled past meanwhile are skipped)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


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


def queue_pages(navigation: Callable[[], NavigationArea], view: DeskView) -> PageLoader:
    """The view's pages for the model: the first whole (it is painted at once), the rest as places."""

    def page(cursor: PageCursor | None) -> TicketPage | TicketPlaces:
        if cursor is None:
            return navigation().page(view, None)
        return navigation().places(view, cursor, PLACES_PER_PAGE)

    return page


def place_key(sort: SortOrder, ticket_id: int, value: dt.datetime | int | None, version: int) -> RowKey:
    """A row's place: the same order as the SQL of `list_tickets`, exactly (every key ends with the id, so no
    two tickets share one; the version after it only tells an older place of a ticket from a newer one)."""
    if sort is SortOrder.SLA_DUE:
        return (value is None, value or FAR_FUTURE, ticket_id, version)
    if isinstance(value, dt.datetime):
        return (-(value - EPOCH), -ticket_id, version)  # a timedelta is exact; a float timestamp is not
    return (-(value or 0), -ticket_id, version)  # the priority


def sort_key(sort: SortOrder) -> Callable[[TicketSummary], RowKey]:
    """A ticket's `place_key` in this order, from its summary."""
    value = {SortOrder.SLA_DUE: "sla_due_at", SortOrder.PRIORITY: "priority", SortOrder.UPDATED: "updated_at"}[sort]
    return lambda t: place_key(sort, t.id, getattr(t, value), t.version)


def id_of(key: RowKey) -> int:
    ticket_id: int = key[-2]
    return abs(ticket_id)


class TicketTableModel(QAbstractTableModel):
    """Signals:
    page_failed(object): a page or the rows shown could not be read (the exception); the view says why.
    loaded(): a page arrived.
    """

    page_failed = Signal(object)
    loaded = Signal()

    def __init__(self, runner: TaskRunner, clock: Callable[[], dt.datetime] | None = None) -> None:
        super().__init__()
        self.runner = runner
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._keys: list[RowKey] = []  # every row's place, in sort order
        self._key_of: dict[int, RowKey] = {}  # by ticket id
        self._cache: OrderedDict[int, TicketSummary] = OrderedDict()  # rows read lately, the oldest shown first out
        self.status_labels: Mapping[str, str] = {}  # the desk's own labels (admins may add statuses)
        self.ticket_filter = TicketFilter()
        self.sort_order = SortOrder.SLA_DUE
        self._key = sort_key(self.sort_order)
        self._load: PageLoader | None = None
        self._read_rows: RowReader | None = None
        self._cursor: PageCursor | None = None
        self._more = False
        self._loading = False
        self._wanted: dict[int, None] = {}  # ids of rows shown without their ticket, the latest asked last
        self._reading = False
        self._generation = 0
        self._stopped = False
        self._read_soon = QTimer(self)
        self._read_soon.setSingleShot(True)
        self._read_soon.setInterval(0)  # once the view has asked for every cell it paints
        self._read_soon.timeout.connect(self._read_wanted)
        self._ticker = QTimer(self)
        self._ticker.setInterval(30_000)  # countdowns move on their own
        self._ticker.timeout.connect(self._refresh_countdowns)

    # --- Qt model interface --------------------------------------------------------------------------

    def rowCount(self, parent: Index = NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self._keys)

    def columnCount(self, parent: Index = NO_INDEX) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return "Click to sort the queue by this column" if section in SORTED_BY_COLUMN else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._keys):
            return None
        key = self._keys[index.row()]
        if role == Qt.ItemDataRole.UserRole:
            return id_of(key)
        ticket = self._summary(key)
        column = index.column()
        if ticket is None:  # its row was never shown, or not lately: read with its neighbours
            if role == Qt.ItemDataRole.DisplayRole:
                self._want(index.row())
                return "…" if column == SUBJECT_COLUMN else ""
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(ticket, column)
        if role == Qt.ItemDataRole.ToolTipRole:  # tooltips would render a subject like <b>x</b> as rich text
            return plain_tip(self._tooltip(ticket, column))
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
        return not parent.isValid() and self._more and not self._loading and len(self._keys) < ROW_LIMIT

    def fetchMore(self, parent: Index = NO_INDEX) -> None:
        if self.canFetchMore(parent):
            self._request_page()

    # --- what the view asks for -----------------------------------------------------------------------

    def show_view(
        self,
        load: PageLoader,
        ticket_filter: TicketFilter,
        sort: SortOrder,
        first_page: TicketPage | None = None,
        read_rows: RowReader | None = None,
    ) -> None:
        """Start over with another view; pages still in flight for the old one are ignored. Once stopped (the
        window closed), a late answer that asks for a view starts nothing. `first_page`: its first page, read
        already (with the sign-in); then `load` is asked only for the pages after it. `read_rows`: reads the
        tickets of rows shown whose ticket a page of places did not bring, or the cache let go."""
        if self._stopped:
            return
        self.beginResetModel()
        self._keys, self._key_of, self._cache, self._wanted = [], {}, OrderedDict(), {}
        self._load, self.ticket_filter, self.sort_order, self._key = load, ticket_filter, sort, sort_key(sort)
        self._read_rows = read_rows
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
        return self._more and len(self._keys) >= ROW_LIMIT

    def listed_ids(self) -> list[int]:
        """Every listed ticket's id, in the view's order."""
        return [id_of(key) for key in self._keys]

    def ticket_id_at(self, row: int) -> int | None:
        """The ticket listed at this row, known for every row (its summary may not be: `ticket_at`)."""
        return id_of(self._keys[row]) if 0 <= row < len(self._keys) else None

    def ticket_at(self, row: int) -> TicketSummary | None:
        """The row's ticket as last read, if it is at hand (rows not shown lately are read when shown)."""
        return self._summary(self._keys[row]) if 0 <= row < len(self._keys) else None

    def ticket_by_id(self, ticket_id: int) -> TicketSummary | None:
        key = self._key_of.get(ticket_id)
        return None if key is None else self._summary(key)

    def row_of(self, ticket_id: int) -> int | None:
        key = self._key_of.get(ticket_id)
        return None if key is None else bisect_left(self._keys, key)

    def apply_live(self, current: Sequence[TicketSummary], named_ids: Sequence[int]) -> None:
        """Bring the named tickets up to date: changed ones in place, new ones where they sort, gone ones
        (no longer visible or no longer matching) out. Nothing else moves; a ticket older than the row's
        version (an answer overtaken by a save) changes nothing."""
        fresh = {ticket.id: ticket for ticket in current}
        for ticket_id in named_ids:
            ticket = fresh.get(ticket_id)
            if ticket is not None and (known := self._key_of.get(ticket_id)) is not None and ticket.version < known[-1]:
                continue
            if ticket is not None and self.ticket_filter.matches(ticket):
                self._remember(ticket)
                self._place(self._key(ticket))
            elif (row := self.row_of(ticket_id)) is not None:
                self._remove(row)

    def stop(self) -> None:
        self._stopped = True
        self._ticker.stop()
        self._read_soon.stop()
        self._wanted.clear()
        self._generation += 1
        self._more = False  # a closed window asks for no more pages

    # --- pages ---------------------------------------------------------------------------------------------

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

    def _page_arrived(self, generation: int, page: TicketPage | TicketPlaces) -> None:
        """The page's rows after the loaded ones, in one insert; a ticket a live update brought already
        stays as the newer of the two; anything out of order (a live move got there first) is placed."""
        if generation != self._generation:
            return
        # Where the next page starts is known before any row signal: a view (or a model tester) that asks
        # for more while the rows go in must ask for the next page, not this one again.
        self._loading, self._cursor, self._more = False, page.next_cursor, page.next_cursor is not None
        arriving: list[tuple[RowKey, TicketSummary | None]]
        if isinstance(page, TicketPage):
            arriving = [(self._key(ticket), ticket) for ticket in page.rows]
        else:
            arriving = [(place_key(self.sort_order, *place), None) for place in page.places]
        fresh: list[RowKey] = []
        for key, ticket in arriving:
            known = self._key_of.get(id_of(key))
            if known is not None and key[-1] <= known[-1]:
                continue  # a live update brought it as new or newer
            if ticket is not None:
                self._remember(ticket)
            if known is None:
                fresh.append(key)
            else:
                self._place(key, loaded=True)
        if fresh and (not self._keys or fresh[0] > self._keys[-1]) and fresh == sorted(fresh):
            first = len(self._keys)
            self.beginInsertRows(NO_INDEX, first, first + len(fresh) - 1)  # last is inclusive
            self._keys.extend(fresh)
            self._key_of.update((id_of(key), key) for key in fresh)
            self.endInsertRows()
        else:
            for key in fresh:
                self._place(key, loaded=True)
        self.loaded.emit()

    def _page_error(self, generation: int, error: Exception) -> None:
        if generation == self._generation:
            # No more paging until the view is shown again (F5, a reconnect): otherwise every layout of the
            # table would ask again, and a server that is down would be asked, and reported, in a loop.
            self._loading, self._more = False, False
            self.page_failed.emit(error)

    # --- the rows' tickets: a bounded cache, read for the rows shown -----------------------------------------

    def _summary(self, key: RowKey) -> TicketSummary | None:
        """The row's ticket if it is at hand, counted as shown (the cache lets go of what was shown least
        lately)."""
        if (ticket := self._held(key)) is not None:
            self._cache.move_to_end(ticket.id)
        return ticket

    def _held(self, key: RowKey) -> TicketSummary | None:
        """The row's ticket if the cache holds it as the row places it (same version, same sort value: a
        ticket read in another view, or before a change that kept its version, is read again)."""
        ticket = self._cache.get(id_of(key))
        return ticket if ticket is not None and self._key(ticket) == key else None

    def _remember(self, ticket: TicketSummary) -> None:
        self._cache[ticket.id] = ticket
        self._cache.move_to_end(ticket.id)
        while len(self._cache) > CACHED_ROWS:
            self._cache.popitem(last=False)

    def _want(self, row: int) -> None:
        """The row's ticket, with those of the rows around it, is read soon (the neighbours once per paint,
        not per cell; a row asked for again goes to the back, among those read first)."""
        if self._read_rows is None:
            return
        ticket_id = id_of(self._keys[row])
        if ticket_id not in self._wanted:
            for near in range(max(0, row - READ_ABOVE), min(len(self._keys), row + READ_BELOW)):
                if self._held(key := self._keys[near]) is None:
                    self._ask(id_of(key))
        self._ask(ticket_id)  # the row itself last: read whatever else is cut
        self._read_soon.start()

    def _ask(self, ticket_id: int) -> None:
        """Among the latest asked for (read first)."""
        self._wanted.pop(ticket_id, None)
        self._wanted[ticket_id] = None

    def _read_wanted(self) -> None:
        """Read the tickets of the rows asked for last (one statement; rows scrolled past meanwhile are not
        read), one read at a time."""
        if self._reading or self._stopped or not self._wanted or self._read_rows is None:
            return
        ids = [
            ticket_id
            for ticket_id in list(self._wanted)[-READ_AT_MOST:]
            if (key := self._key_of.get(ticket_id)) is not None and self._held(key) is None  # still wanted
        ]
        self._wanted.clear()
        if not ids:
            return
        self._reading = True
        asked = {ticket_id: self._key_of[ticket_id][-1] for ticket_id in ids}  # each row's version when asked
        read, generation = self._read_rows, self._generation
        self.runner.run(
            lambda: read(ids),
            lambda tickets: self._rows_read(generation, asked, tickets),
            lambda error: self._rows_failed(generation, error),
        )

    def _rows_read(self, generation: int, asked: dict[int, int], tickets: list[TicketSummary]) -> None:
        """The tickets as they are now, for rows still listed: in place, moved if they changed, out if they
        no longer match or are gone. A newer version a live update or a save brought meanwhile stays, and a
        row that left meanwhile does not come back (a read is not a change notice)."""
        self._reading = False
        if generation == self._generation:
            listed = [ticket for ticket in tickets if ticket.id in self._key_of]  # not a row that left meanwhile
            found = {ticket.id for ticket in tickets}
            gone = [  # from the login's sight, unless something newer came meanwhile
                ticket_id
                for ticket_id, version in asked.items()
                if ticket_id not in found and (key := self._key_of.get(ticket_id)) is not None and key[-1] == version
            ]
            self.apply_live(listed, [ticket.id for ticket in listed] + gone)
        self._read_soon.start()  # what was asked for meanwhile

    def _rows_failed(self, generation: int, error: Exception) -> None:
        self._reading = False
        if generation != self._generation:
            self._read_soon.start()  # the view shown since has rows waiting
            return
        self._read_rows = None  # no more reading until the view is shown again (as for pages)
        self._wanted.clear()
        self.page_failed.emit(error)

    def listed_version(self, ticket_id: int) -> int | None:
        """The version of the ticket the row shows (or will show once read): what a change is made against."""
        key = self._key_of.get(ticket_id)
        return None if key is None else int(key[-1])

    # --- placing rows ----------------------------------------------------------------------------------------

    def _place(self, key: RowKey, *, loaded: bool = False) -> None:
        """Put the ticket where it sorts: in place, moved (the selection follows it), inserted, or out when
        it now sorts after the loaded pages (its page brings it; `loaded`: it comes with a page now)."""
        ticket_id = id_of(key)
        known = self._key_of.get(ticket_id)
        target = bisect_left(self._keys, key)  # among the rows as they are, the old one included
        if known is None:
            if target == len(self._keys) and self._more and not loaded:
                return  # it belongs to a page not loaded yet; it will come with that page
            self.beginInsertRows(NO_INDEX, target, target)
            self._keys.insert(target, key)
            self._key_of[ticket_id] = key
            self.endInsertRows()
            return
        row = bisect_left(self._keys, known)
        self._key_of[ticket_id] = key
        if target in (row, row + 1):  # its place among the others is the same
            self._keys[row] = key
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
            return
        landing = target - 1 if target > row else target  # its row once it has left its old one
        if landing == len(self._keys) - 1 and self._more and not loaded:
            self._remove(row)  # now after the loaded pages
            return
        self.beginMoveRows(NO_INDEX, row, row, NO_INDEX, target)  # Qt's destination: before the move
        del self._keys[row]
        self._keys.insert(landing, key)
        self.endMoveRows()
        self.dataChanged.emit(self.index(landing, 0), self.index(landing, len(COLUMNS) - 1))

    def _remove(self, row: int) -> None:
        self.beginRemoveRows(NO_INDEX, row, row)
        ticket_id = id_of(self._keys[row])
        del self._key_of[ticket_id], self._keys[row]
        self._cache.pop(ticket_id, None)
        self.endRemoveRows()

    def _refresh_countdowns(self) -> None:
        if self._keys:
            self.dataChanged.emit(self.index(0, SLA_COLUMN), self.index(len(self._keys) - 1, SLA_COLUMN))

    def set_status_labels(self, labels: Mapping[str, str]) -> None:
        self.status_labels = dict(labels)
        if self._keys:
            column = COLUMNS.index("Status")
            self.dataChanged.emit(self.index(0, column), self.index(len(self._keys) - 1, column))

    def _text(self, t: TicketSummary, column: int) -> str:
        values = (
            f"#{t.number}",
            t.subject,
            due_text(t.sla_due_at, self.clock()),
            status_text(t.status, self.status_labels),
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
        if column == SLA_COLUMN:  # which clock, and when: "Resolution due Tue 08 Dec 09:30; in 2h 05m"
            words = sla_words(t, self.clock())
            return f"{words}; {text}" if t.sla_due_at is not None else words
        if column == CUSTOMER_COLUMN:
            return "\n".join([text, *t.customer_emails[:1], *([t.organisation_name] if t.organisation_name else [])])
        return text
