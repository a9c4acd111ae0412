"""The window's status bar: failures as one line for eight seconds, "Working…" while background work runs,
and whether the server is reachable."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app.views.errors import explain_failure

CONNECTED_COLOUR, RECONNECTING_COLOUR = "#2e7d32", "#c62828"


class DeskStatusBar(QStatusBar):
    """Attributes:
    connection_label: "● Connected" or "● Reconnecting…"; busy_label: "Working…" or nothing.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.connection_label = QLabel("● Connected")
        self.connection_label.setStyleSheet(f"color: {CONNECTED_COLOUR};")
        self.busy_label = QLabel()
        self.addPermanentWidget(self.busy_label)
        self.addPermanentWidget(self.connection_label)

    def report(self, error: Exception) -> None:
        self.showMessage(explain_failure(error), 8000)

    def show_busy(self, busy: bool) -> None:
        self.busy_label.setText("Working…" if busy else "")

    def show_connected(self, connected: bool) -> None:
        self.connection_label.setText("● Connected" if connected else "● Reconnecting…")
        self.connection_label.setStyleSheet(f"color: {CONNECTED_COLOUR if connected else RECONNECTING_COLOUR};")
