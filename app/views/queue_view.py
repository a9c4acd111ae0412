"""The queue in the middle of the window: the table of tickets over a TicketTableModel, one row selected,
columns the agent can hide (right-click on the header), J/K to move.

Signals:
    ticket_chosen(object): the TicketSummary of the row the agent moved to.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QMenu, QTableView, QWidget

from app.views.ticket_table import TicketTableModel

COLUMN_WIDTHS = (72, 300, 135, 90, 70, 120, 120, 130, 96)


class QueueView(QTableView):
    """Attributes:
    queue_model: the TicketTableModel shown.
    """

    ticket_chosen = Signal(object)

    def __init__(self, model: TicketTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.queue_model = model
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().hide()
        self.setAlternatingRowColors(True)
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setMinimumSectionSize(60)
        self.selectionModel().currentRowChanged.connect(self._row_changed)
        self.horizontalHeader().setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.horizontalHeader().customContextMenuRequested.connect(self._column_menu)
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(24)
        for column, width in enumerate(COLUMN_WIDTHS):
            if width:
                self.setColumnWidth(column, width)
        model.loaded.connect(self.select_first_if_none)

    def move_selection(self, step: int) -> None:
        row = max(0, min(self.queue_model.rowCount() - 1, self.currentIndex().row() + step))
        if self.queue_model.rowCount():
            self.selectRow(row)

    def select_first_if_none(self) -> None:
        if not self.currentIndex().isValid() and self.queue_model.rowCount():
            self.selectRow(0)

    def _row_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        ticket = self.queue_model.ticket_at(self.currentIndex().row())
        if ticket is not None:
            self.ticket_chosen.emit(ticket)

    def _column_menu(self, position: QPoint) -> None:
        """Right-click on the header: show or hide columns (remembered with the header's state)."""
        header = self.horizontalHeader()
        menu = QMenu(self)
        for column in range(1, self.queue_model.columnCount()):
            action = menu.addAction(str(self.queue_model.headerData(column, Qt.Orientation.Horizontal)))
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.toggled.connect(lambda shown, c=column: header.setSectionHidden(c, not shown))
        menu.exec(header.mapToGlobal(position))
