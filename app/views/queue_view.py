"""The queue in the middle of the window: the table of tickets over a TicketTableModel, J/K to move, and
Shift or Ctrl (with a click or the arrows) to select several for a bulk change.

It fits a 1366x768 screen without a horizontal scrollbar: the subject takes the room the other columns
leave, and they are as wide as their widest usual text in the font on screen (never a fixed pixel guess);
Queue and Updated start hidden, and on a first start Assignee too when the subject would get less than
`MIN_SUBJECT_WIDTH` (three panes side by side at 1366 px). Columns are chosen with View ▸ Choose columns…
(or a right-click on the header), and the choice is remembered with the header's state. An empty result
says so in the table itself, with what to do about it.

Signals:
    ticket_chosen(int): the id of the ticket of the row the agent moved to.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.views.empty_note import EmptyNote
from app.views.ticket_table import COLUMNS, TicketTableModel

SUBJECT_COLUMN = COLUMNS.index("Subject")
HIDDEN_AT_FIRST = ("Queue", "Updated")
HIDDEN_WHEN_NARROW = ("Assignee",)  # on a first start, while the subject would be narrower than this:
MIN_SUBJECT_WIDTH = 180
NARROWEST_CUSTOMER = 90  # then the customer's name is elided sooner (its tooltip has it whole)
# When the queue pane narrows (a ticket's account panel opens beside it), these columns give up width, in
# this order and down to these widths, before the subject goes below MIN_SUBJECT_WIDTH ("Charged…"). Not
# the SLA due: "overdue 6d 19h" is what an agent sorts the queue by.
GIVES_WAY = (("Customer", NARROWEST_CUSTOMER), ("Status", 90), ("Assignee", 80))
# The widest text each column usually shows, measured in the font on screen; the subject takes what is left.
WIDEST_TEXT = {
    "#": "#100000",
    "SLA due": "overdue 23h 59m",
    "Status": "Waiting on customer",
    "Priority": "Urgent",
    "Customer": "Margarethe Schm",
    "Assignee": "Amelie Durand",
    "Queue": "Technical support",
    "Updated": "28 Nov 23:59",
}
ICON_ROOM = 20  # the SLA and priority columns show a 16 px shape before the text
CELL_PADDING = 12


class QueueView(QTableView):
    """Attributes:
    queue_model: the TicketTableModel shown.
    empty_note: what an empty result says (hidden while there are rows or a page is on its way);
        empty_label: its label.
    column_chooser: the last column chooser opened.
    fit_when_shown: on the first show, hide `HIDDEN_WHEN_NARROW` if the subject would be too narrow (the
        window turns this off when it restored the agent's own columns).
    """

    ticket_chosen = Signal(int)

    def __init__(self, model: TicketTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.queue_model = model
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # Tab leaves the queue for the next control, as everywhere else: it walked through the cells of
        # thousands of rows with no visible focus, and the keyboard seemed lost (usability probe).
        self.setTabKeyNavigation(False)
        self.verticalHeader().hide()
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.verticalHeader().setDefaultSectionSize(max(24, self.fontMetrics().height() + 8))
        self.selectionModel().currentRowChanged.connect(self._row_changed)
        header = self.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(lambda _position: self.choose_columns())
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(40)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.fit_columns()
        for name in HIDDEN_AT_FIRST:
            header.setSectionHidden(COLUMNS.index(name), True)
        self.column_chooser: ColumnChooser | None = None
        self.fit_when_shown = True
        self.narrow_hidden: dict[int, int] = {}  # columns hidden while the pane is too narrow: their widths
        self.keep_ticket: int | None = None  # the next page keeps this ticket chosen (a new order, same ticket)
        self.gap_row: int | None = None  # where the open ticket stood before a change took it out of the view
        self.empty_note = EmptyNote(self, "No tickets here.", lambda: self.is_empty)
        self.empty_label = self.empty_note.label
        model.loaded.connect(self.select_first_if_none)
        model.loaded.connect(self._fit_once)
        model.loaded.connect(self.empty_note.update)  # a page on its way is not "no tickets"

    # --- columns ----------------------------------------------------------------------------------------

    def fit_columns(self) -> None:
        """Every column as wide as its widest usual text; the subject stretches over the rest."""
        header = self.horizontalHeader()
        metrics = self.fontMetrics()
        for column, name in enumerate(COLUMNS):
            if column == SUBJECT_COLUMN:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
                continue
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            icon = ICON_ROOM if name in ("SLA due", "Priority") else 0
            text = max(metrics.horizontalAdvance(WIDEST_TEXT[name]), header.fontMetrics().horizontalAdvance(name))
            self.setColumnWidth(column, text + icon + CELL_PADDING)

    def subject_room(self) -> int:
        """What the subject would get: the viewport less every other shown column."""
        header = self.horizontalHeader()
        others = sum(
            header.sectionSize(c) for c in range(len(COLUMNS)) if c != SUBJECT_COLUMN and not header.isSectionHidden(c)
        )
        return self.viewport().width() - others

    def _fit_once(self) -> None:
        """When the first page is on screen (the window has its size and its panes by then)."""
        if self.fit_when_shown and self.isVisible() and self.viewport().width() > 0:
            self.fit_when_shown = False
            self._hide_while_narrow()
            self._give_subject_room()

    def _give_subject_room(self) -> None:
        """Narrow the columns that give way (GIVES_WAY) until the subject has MIN_SUBJECT_WIDTH, each no
        further than its floor; their text is elided, their tooltips have it whole. Still short, the
        columns of HIDDEN_WHEN_NARROW go while the pane is narrow (`narrow_hidden`): at 1366x768 with a
        customer's account panel open the subject column was down to "Plea…" (usability probe)."""
        for name, floor in GIVES_WAY:
            short = MIN_SUBJECT_WIDTH - self.subject_room()
            if short <= 0:
                return
            column = COLUMNS.index(name)
            if not self.horizontalHeader().isSectionHidden(column) and self.columnWidth(column) > floor:
                self.setColumnWidth(column, max(floor, self.columnWidth(column) - short))
        self._hide_while_narrow()

    def _hide_while_narrow(self) -> None:
        header = self.horizontalHeader()
        for name in HIDDEN_WHEN_NARROW:
            column = COLUMNS.index(name)
            if self.subject_room() < MIN_SUBJECT_WIDTH and not header.isSectionHidden(column):
                self.narrow_hidden[column] = self.columnWidth(column)  # a hidden column's width reads 0
                header.setSectionHidden(column, True)

    def _show_when_room(self) -> None:
        """Wider again: a column hidden only for want of room comes back once the subject keeps its own."""
        for column, width in sorted(self.narrow_hidden.items()):
            if self.subject_room() - width >= MIN_SUBJECT_WIDTH:
                del self.narrow_hidden[column]
                self.horizontalHeader().setSectionHidden(column, False)
                self.setColumnWidth(column, width)

    def header_state(self) -> QByteArray:
        """The header as the agent chose it (remembered at exit): a column hidden only while the pane was
        narrow is kept as shown."""
        header = self.horizontalHeader()
        for column in self.narrow_hidden:
            header.setSectionHidden(column, False)
        state = header.saveState()
        for column in self.narrow_hidden:
            header.setSectionHidden(column, True)
        return state

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.fit_when_shown:
            return
        if event.size().width() < event.oldSize().width():
            self._give_subject_room()  # narrower: the subject keeps its room, the others give way
        elif self.narrow_hidden:
            self._show_when_room()

    def choose_columns(self) -> ColumnChooser:
        """The column chooser: every column but the number, checked when shown; Space or a click toggles,
        at once (remembered with the header's state)."""
        self.column_chooser = ColumnChooser(self)
        self.column_chooser.open()
        return self.column_chooser

    # --- rows ---------------------------------------------------------------------------------------------

    def move_selection(self, step: int) -> None:
        current = self.currentIndex().row()
        if current < 0 and self.gap_row is not None:  # J: the ticket that took its place; K: the one before
            current = self.gap_row - 1 if step > 0 else self.gap_row
        row = max(0, min(self.queue_model.rowCount() - 1, current + step))
        if self.queue_model.rowCount():
            self.choose_row(row)

    def rowsAboutToBeRemoved(self, parent: QModelIndex | QPersistentModelIndex, first: int, last: int) -> None:
        """The open ticket's row is leaving the view (the agent took it from Unassigned, a colleague did, it
        was resolved in My tickets): nothing is chosen instead, so the ticket stays open beside the queue, and
        J and K go on from where it stood. Qt's selection model made a neighbouring row current, and the
        window opened that ticket: "A" on a ticket threw the agent onto another one (usability probe,
        2026-12-07). The view hears of the removal before its selection model does."""
        current = self.currentIndex().row()
        if first <= current <= last:
            self.gap_row = first
            self.selectionModel().clear()
        super().rowsAboutToBeRemoved(parent, first, last)

    def choose_row(self, row: int) -> None:
        """This row alone, current and in view, whatever keys are held: `selectRow` extends the selection
        while Shift is down, and Send & next by Ctrl+Shift+Enter left the sent ticket chosen with the next
        (a bulk change then took both)."""
        self.gap_row = None
        index = self.queue_model.index(row, max(0, self.currentIndex().column()))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.selectionModel().setCurrentIndex(index, flags)
        self.scrollTo(index)

    def selected_ids(self) -> list[int]:
        """The selected rows' tickets, top to bottom (their summaries may not be at hand: rows not shown
        lately are not held whole, see ticket_table)."""
        rows = sorted(index.row() for index in self.selectionModel().selectedRows())
        return [ticket_id for row in rows if (ticket_id := self.queue_model.ticket_id_at(row)) is not None]

    def select_first_if_none(self) -> None:
        """A loaded page with nothing chosen: the ticket to keep (`keep_ticket`, the open one when the order
        changed) if the page lists it, nothing if it does not (it stays open beside), else the first row.
        Sorting by a header jumped from the ticket being read to whichever came first."""
        keep, self.keep_ticket = self.keep_ticket, None
        if self.currentIndex().isValid() or not self.queue_model.rowCount() or self.gap_row is not None:
            return  # (a ticket that left the view stays open beside it: `_rows_leaving`)
        if keep is None:
            self.choose_row(0)
        else:
            self.select_ticket(keep)

    def select_ticket(self, ticket_id: int) -> bool:
        """Select the ticket's row if it is listed (loaded); whether it was."""
        row = self.queue_model.row_of(ticket_id)
        if row is None:
            return False
        self.choose_row(row)
        return True

    def _row_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        ticket_id = self.queue_model.ticket_id_at(self.currentIndex().row())
        if ticket_id is not None:
            self.ticket_chosen.emit(ticket_id)

    # --- the empty state ------------------------------------------------------------------------------------

    def set_empty_text(self, text: str) -> None:
        """What an empty result says, e.g. which filter matched nothing and how to clear it."""
        self.empty_note.set_text(text)

    @property
    def is_empty(self) -> bool:
        """Nothing listed, and nothing on its way."""
        return self.queue_model.rowCount() == 0 and not self.queue_model.loading


class ColumnChooser(QDialog):
    """Which of the queue's columns are shown: a checkable list (Space toggles), applied at once.

    Attributes:
        columns: one checkable item per column, the number's excepted (it is always shown).
    """

    def __init__(self, view: QueueView) -> None:
        super().__init__(view)
        self.setWindowTitle("Columns")
        self._header = view.horizontalHeader()
        self.columns = QListWidget(self)
        for column in range(1, len(COLUMNS)):
            item = QListWidgetItem(COLUMNS[column], self.columns)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            shown = not self._header.isSectionHidden(column)
            item.setCheckState(Qt.CheckState.Checked if shown else Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, column)
        self.columns.setCurrentRow(0)
        self.columns.itemChanged.connect(self._toggled)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Show these columns:"))
        layout.addWidget(self.columns)
        layout.addWidget(buttons)

    def item(self, name: str) -> QListWidgetItem:
        return next(self.columns.item(r) for r in range(self.columns.count()) if self.columns.item(r).text() == name)

    def _toggled(self, item: QListWidgetItem) -> None:
        column = int(item.data(Qt.ItemDataRole.UserRole))
        self._header.setSectionHidden(column, item.checkState() != Qt.CheckState.Checked)
