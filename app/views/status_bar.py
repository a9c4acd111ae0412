"""The window's status bar: failures as one line for eight seconds, "Working…" while background work runs,
and whether the server is reachable."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app.views.appearance import accents
from app.views.errors import explain_failure


class DeskStatusBar(QStatusBar):
    """Attributes:
    connection_label: "● Connected", "● Connecting…" (live updates not listening yet) or "● Reconnecting…";
        busy_label: "Working…" or nothing.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.connection_label = QLabel("● Connected")
        self._connected: bool | None = True  # None: connecting
        self._colour_connection()
        self.busy_label = QLabel()
        self.addPermanentWidget(self.busy_label)
        self.addPermanentWidget(self.connection_label)

    def report(self, error: Exception) -> None:
        self.showMessage(explain_failure(error), 8000)

    def show_busy(self, busy: bool) -> None:
        self.busy_label.setText("Working…" if busy else "")

    def show_connected(self, connected: bool) -> None:
        self._connected = connected
        self.connection_label.setText("● Connected" if connected else "● Reconnecting…")
        self._colour_connection()

    def show_connecting(self) -> None:
        """Live updates are starting: the server answers, but colleagues' changes do not arrive yet."""
        self._connected = None
        self.connection_label.setText("● Connecting…")
        self._colour_connection()

    def _colour_connection(self) -> None:
        """Green, amber or red in the light or dark variant (the words say it too)."""
        colours = accents(self.palette())
        colour = {True: colours.connected, None: colours.at_risk, False: colours.overdue}[self._connected]
        self.connection_label.setStyleSheet(f"color: {colour};")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._colour_connection()
