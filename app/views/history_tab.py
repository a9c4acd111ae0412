"""A ticket's audit trail as a read-only table, newest first, in words (see `change_labels`).

The table knows whether what it shows is still current: after the agent's own write it is marked stale,
and the editor reads the history again only when the tab is (or becomes) visible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem, QWidget

from app.services.tickets.dto import SYSTEM_ACTOR, HistoryEntry
from app.views.change_labels import ChangeWords
from app.views.conversation import format_local_time
from app.views.labels import plain_tip

# The change is what the table is for: it keeps at least this share of the width (and this many pixels),
# and the other columns give way down to their longest word, wrapping at spaces, never inside a word.
CHANGE_SHARE = 0.4
MIN_CHANGE_WIDTH = 160
CELL_PADDING = 14  # a cell's margins and its focus frame, around the text


class ChangesTable(QTableWidget):
    """Changes as a read-only table whose last column (the change) takes what the others leave: the history
    tab and the conflict dialog show changes alike. Text wraps at spaces and rows grow to fit; every cell's
    whole text is also its tooltip.

    Attributes:
        columns: the header labels.
        unbroken: the columns that never wrap (a time broken over three lines is hard to read).
    """

    def __init__(self, columns: Sequence[str], parent: QWidget | None = None, *, unbroken: Sequence[int] = ()) -> None:
        super().__init__(0, len(columns), parent)
        self.columns = tuple(columns)
        self.unbroken = frozenset(unbroken)
        self.setHorizontalHeaderLabels(list(self.columns))
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().hide()
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setWordWrap(True)
        self._refit = QTimer(self)  # a drag of the splitter resizes many times: the table is fitted once after
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self.fit_columns)

    def set_rows(self, rows: Sequence[Sequence[str]], tooltips: Mapping[tuple[int, int], str] | None = None) -> None:
        """Fill the table; `tooltips` say more than a cell's text where there is more to say."""
        self.setRowCount(len(rows))
        for row, texts in enumerate(rows):
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(plain_tip((tooltips or {}).get((row, column), text)))
                self.setItem(row, column, item)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Every column but the last as wide as its words, narrower (down to its longest word) when the
        change would get less than its share; then rows as tall as their wrapped text."""
        last = self.columnCount() - 1
        natural = [max(self.sizeHintForColumn(c), self.horizontalHeader().sectionSizeHint(c)) for c in range(last)]
        floors = [natural[c] if c in self.unbroken else min(self._longest_word(c), natural[c]) for c in range(last)]
        width = self.viewport().width()
        room = width - max(MIN_CHANGE_WIDTH, int(width * CHANGE_SHARE))
        for column, fitted in enumerate(shrunk(natural, floors, room)):
            self.setColumnWidth(column, fitted)
        self.resizeRowsToContents()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._refit.start()

    def _longest_word(self, column: int) -> int:
        metrics = self.fontMetrics()
        words = (word for row in range(self.rowCount()) for word in self._text(row, column).split())
        return max((metrics.horizontalAdvance(word) for word in words), default=0) + CELL_PADDING

    def _text(self, row: int, column: int) -> str:
        item = self.item(row, column)
        return item.text() if item is not None else ""


def shrunk(natural: Sequence[int], floors: Sequence[int], room: int) -> list[int]:
    """Widths that fit `room`: the natural ones when they do, else each column gives up the same share of
    what it has above its floor (a column is never narrower than its floor, even when room is short)."""
    excess = sum(natural) - room
    spare = sum(n - f for n, f in zip(natural, floors, strict=True))
    if excess <= 0 or spare <= 0:
        return list(natural)
    share = min(1.0, excess / spare)
    return [round(n - (n - f) * share) for n, f in zip(natural, floors, strict=True)]


class HistoryTab(ChangesTable):
    """The History tab.

    Attributes:
        stale: true when the shown entries predate a change to the ticket.
        words: how changes are worded; the service already names agents, queues and statuses.
    """

    COLUMNS = ("When", "Who", "What", "Change")
    WHEN_COLUMN, WHO_COLUMN = 0, 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.COLUMNS, parent, unbroken=(self.WHEN_COLUMN,))
        self.stale = False
        self.words = ChangeWords()

    def show_history(self, history: list[HistoryEntry]) -> None:
        self.stale = False
        self.set_rows([self.row_texts(entry) for entry in history], self._who_in_full(history))

    def row_texts(self, entry: HistoryEntry) -> tuple[str, str, str, str]:
        """When, who, what and the change, as the agent reads them."""
        words = self.words
        return (
            format_local_time(entry.occurred_at),
            entry.actor,
            words.what(entry.action, entry.field, entry.new_value),
            words.change(entry.field, entry.old_value, entry.new_value, entry.old_name, entry.new_name),
        )

    def mark_stale(self) -> None:
        self.stale = True

    def _who_in_full(self, history: list[HistoryEntry]) -> dict[tuple[int, int], str]:
        """The system's rows name the database login in their tooltip, for whoever audits the audit."""
        return {
            (row, self.WHO_COLUMN): f"{entry.actor}, database login {entry.actor_login}"
            for row, entry in enumerate(history)
            if entry.actor == SYSTEM_ACTOR and entry.actor_login
        }
