"""A ticket's audit trail as a read-only table, newest first.

The table knows whether what it shows is still current: after the agent's own write it is marked stale,
and the editor reads the history again only when the tab is (or becomes) visible.

Attributes:
    stale: true when the shown entries predate a change to the ticket.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTableWidget, QTableWidgetItem, QWidget

from app.services.tickets.dto import HistoryEntry
from app.views.labels import shown_value


class HistoryTab(QTableWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 4, parent)
        self.stale = False
        self.setHorizontalHeaderLabels(["When", "Who", "What", "Change"])
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().hide()
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)

    def show_history(self, history: list[HistoryEntry]) -> None:
        self.stale = False
        self.setRowCount(len(history))
        for row, entry in enumerate(history):
            when = entry.occurred_at.astimezone().strftime("%d %b %Y %H:%M")
            change = f"{shown_value(entry.old_value)} → {shown_value(entry.new_value)}"
            for column, value in enumerate((when, entry.actor, f"{entry.action}: {entry.field or ''}", change)):
                self.setItem(row, column, QTableWidgetItem(value))

    def mark_stale(self) -> None:
        self.stale = True
