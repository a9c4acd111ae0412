"""The supervisor view's item models: the escalation board and the team's load, each named for what it
shows and filled with frozen rows read in the background. Customer text is shown as plain text (a table
view never renders markup)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.services.routing.dto import WaitingTicket
from app.services.sla.dto import AgentLoad, BoardRow, BoardState, Risk, left_words, minutes_words
from app.views.labels import plain_tip

Index = QModelIndex | QPersistentModelIndex
Row = TypeVar("Row")
STATE_COLOURS = {
    BoardState.BREACHED: QColor(214, 69, 69, 70),
    BoardState.WARNED: QColor(230, 160, 30, 70),
    BoardState.DUE_SOON: QColor(0, 0, 0, 0),
}
LEVEL_WORDS = {None: "", 0: "warned", 1: "1 · assignee told", 2: "2 · lead told", 3: "3 · moved or rerouted"}


def relative(due: dt.datetime, now: dt.datetime) -> str:
    """`in 25 min`, `2 h 10 min ago`: how far a due time is, in words."""
    minutes = round((due - now).total_seconds() / 60)
    hours, rest = divmod(abs(minutes), 60)
    days = hours // 24
    if days >= 2:
        words = f"{days} days"
    else:
        words = f"{hours} h {rest} min" if hours and rest else (f"{hours} h" if hours else f"{rest} min")
    return f"in {words}" if minutes > 0 else ("now" if minutes == 0 else f"{words} ago")


class FrozenRowsModel(QAbstractTableModel, Generic[Row]):
    """A table of frozen rows read in the background, replaced as a whole when a newer read arrives: the
    rows, the moment they were read, the header, and bounds checks; each model says what a row shows.

    Attributes:
        rows: the rows, in the order the service gives; as_of: the moment they were read.
    """

    COLUMNS: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)  # owned by its view: freed with it, on the GUI thread
        self.rows: list[Row] = []
        self.as_of = dt.datetime.now(dt.UTC)

    def set_rows(self, rows: list[Row], as_of: dt.datetime) -> None:
        self.beginResetModel()
        self.rows, self.as_of = list(rows), as_of
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    HEADER_TIPS: ClassVar[dict[str, str]] = {}  # a column's meaning, where its name alone leaves it open

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return self.HEADER_TIPS.get(self.COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        return self.row_data(self.rows[index.row()], index.column(), role)

    def row_data(self, row: Row, column: int, role: int) -> Any:
        raise NotImplementedError


def clock_words(target: str) -> str:
    """Which clock a board row is (its earliest running one, "First response"): "Left" is its business time."""
    return target.replace("_", " ").capitalize()


def risk_words(row: BoardRow) -> str:
    """The risk as the margin the board is ranked by: how late similar tickets' handling would finish it
    ("2 h 13 min late": likely to breach), or with how much to spare ("27 min to spare": on track). A ticket
    already breached by 33 minutes ranked below one with 1 h 27 left that similar tickets take 3 h more to
    finish: the margin says why (the tooltip says it in full)."""
    if row.risk is Risk.BREACHED or row.margin is None:
        return row.risk.value.capitalize()
    if row.margin < 0:
        return f"{minutes_words(-row.margin)} late"
    if row.past_typical:  # "on track, 48 min to spare" beside "similar tickets take 2 h 56 min" read as a breach
        return f"{minutes_words(row.margin)} left, past typical"
    return f"{minutes_words(row.margin)} to spare"


class EscalationBoardModel(FrozenRowsModel[BoardRow]):
    """Breached and soon-due tickets ranked by predicted breach (the order the service gives): business
    minutes left against the typical handling of similar tickets, and who acknowledged the escalation.

    Attributes:
        rows: the board's rows; as_of: the moment they were read.
    """

    # What a lead reads first on a 1366-pixel screen: when, how far off, which ticket and whose; then the
    # rest (the ticket, its subject and assignee sat behind the scroll bar after seven figures).
    COLUMNS = (
        "Due",
        "Left",
        "Clock",
        "Ticket",
        "Subject",
        "Assignee",
        "Priority",
        "State",
        "Risk",
        "Typical",
        "Level",
        "Acknowledged",
        "Queue",
    )

    def row_data(self, row: BoardRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.state is BoardState.DUE_SOON and row.risk is Risk.LIKELY:
                return QBrush(STATE_COLOURS[BoardState.WARNED])
            return QBrush(STATE_COLOURS[row.state])
        if role == Qt.ItemDataRole.ToolTipRole and self.COLUMNS[column] == "Due":
            return f"{row.due_at.astimezone():%a %d %b %Y %H:%M} ({relative(row.due_at, self.as_of)})"
        if role == Qt.ItemDataRole.ToolTipRole and self.COLUMNS[column] in ("Left", "Clock", "Typical", "Risk"):
            return self._why(row)
        if role == Qt.ItemDataRole.ToolTipRole and self.COLUMNS[column] == "Subject":
            return plain_tip(row.subject)
        if role == Qt.ItemDataRole.UserRole:
            return row.ticket_id
        return None

    def _text(self, row: BoardRow, column: int) -> str:
        """The one cell asked for (a view asks for every cell, role by role: not all twelve each time)."""
        match self.COLUMNS[column]:
            case "Due":
                return f"{row.due_at.astimezone():%a %d %b %H:%M}"  # how far off: Left says it (a 1366 board scrolled)
            case "Left":
                return left_words(row.minutes_left, short=True)
            case "Clock":
                return clock_words(row.target)
            case "Ticket":
                return f"#{row.number}"
            case "Subject":
                return row.subject
            case "Assignee":
                return row.assignee or "Nobody"
            case "Priority":
                return row.priority.capitalize()
            case "State":
                return row.state.value.capitalize()
            case "Risk":
                return risk_words(row)
            case "Typical":
                return minutes_words(row.typical_minutes)
            case "Level":
                return LEVEL_WORDS.get(row.level, str(row.level))
            case "Acknowledged":
                if row.acknowledged_by is None or row.acknowledged_at is None:
                    return ""
                return f"{row.acknowledged_by}, {row.acknowledged_at.astimezone():%H:%M}"
            case "Queue":
                return row.queue
        raise KeyError(self.COLUMNS[column])

    @staticmethod
    def _why(row: BoardRow) -> str:
        """The rank in words: what is left, what similar tickets take, the margin."""
        target = row.target.replace("_", " ")
        if row.typical_minutes is None:
            typical = "no similar ticket met this in the last 4 weeks"
        else:
            typical = f"similar tickets take {minutes_words(row.typical_minutes)} of business time to meet the {target}"
        if row.past_typical and row.risk is Risk.ON_TRACK and row.margin is not None:
            return (
                f"{left_words(row.minutes_left)} for the {target}; {typical}, and this one has been open longer"
                " already: no estimate beyond the time left, which ranks it (the board's order)"
            )
        verdict = row.risk.value + (
            f", {risk_words(row)}" if row.risk is not Risk.BREACHED and row.margin is not None else ""
        )
        return f"{left_words(row.minutes_left)} for the {target}; {typical}: {verdict} (the board's order)"


class TeamLoadModel(FrozenRowsModel[AgentLoad]):
    """The team, busiest first: open tickets against capacity, availability, oldest, breaches today."""

    COLUMNS = ("Agent", "Availability", "Open", "Capacity", "Routing load", "Oldest open", "Breaches today")
    HEADER_TIPS: ClassVar[dict[str, str]] = {
        "Open": "Every open ticket of theirs in your queues, waiting ones included",
        "Routing load": "What routing counts against the capacity: open tickets, not waiting ones, an urgent one"
        " twice (and its share of the capacity)",
        "Breaches today": "Clocks breached today while the ticket was theirs",
    }

    def row_data(self, row: AgentLoad, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            load = f"{row.routing_load} ({row.load_share:.0%})" if row.capacity else str(row.routing_load)
            oldest = "" if row.oldest_open_at is None else relative(row.oldest_open_at, self.as_of)
            return [
                row.name,
                row.availability.capitalize(),  # as the status bar says it
                str(row.open_tickets),
                str(row.capacity),
                load,
                oldest,
                str(row.breaches_today),
            ][column]
        if role == Qt.ItemDataRole.ToolTipRole and self.COLUMNS[column] in ("Open", "Capacity", "Routing load"):
            return (
                f"{row.open_tickets} open, waiting ones included; routing counts {row.routing_load} against the"
                f" capacity of {row.capacity} (open tickets, not waiting ones, an urgent one twice)"
            )
        if role == Qt.ItemDataRole.BackgroundRole and row.over_capacity:
            return QBrush(STATE_COLOURS[BoardState.BREACHED])
        if role == Qt.ItemDataRole.UserRole:
            return row.agent_id
        return None


class NobodyModel(FrozenRowsModel[WaitingTicket]):
    """The tickets routing found no eligible agent for, most urgent first: what they wait for and why."""

    COLUMNS = ("Ticket", "Subject", "Queue", "Priority", "SLA due", "Waiting since", "Why nobody")

    def row_data(self, row: WaitingTicket, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            due = (
                "—"
                if row.due_at is None
                else f"{row.due_at.astimezone():%a %d %b %H:%M} ({relative(row.due_at, self.as_of)})"
            )
            return [
                f"#{row.number}",
                row.subject,
                row.queue,
                row.priority.capitalize(),
                due,
                relative(row.since, self.as_of),
                row.why,
            ][column]
        if role == Qt.ItemDataRole.ToolTipRole and column in (1, 6):
            return plain_tip(row.subject if column == 1 else f"Left out when routing last tried: {row.who or row.why}")
        if role == Qt.ItemDataRole.UserRole:
            return row.ticket_id
        return None
