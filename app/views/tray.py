"""The system tray icon, where the desktop has one: the agent's open tickets in its tooltip, and live
notifications as balloons (plain text: the tray never renders markup)."""

from __future__ import annotations

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QSystemTrayIcon, QWidget


class TrayNotifier:
    """Attributes:
    icon: the QSystemTrayIcon, or None where the desktop has no tray.
    text: the tooltip, also kept where there is no tray.
    """

    def __init__(self, icon: QIcon, parent: QWidget) -> None:
        self.text = "Switchboard"
        self.icon = QSystemTrayIcon(icon, parent) if QSystemTrayIcon.isSystemTrayAvailable() else None
        if self.icon is not None:
            self.icon.show()

    def show_counts(self, counts: dict[str, int]) -> None:
        mine = counts.get("mine")
        self.text = "Switchboard" if mine is None else f"Switchboard: {mine} open ticket{'s' * (mine != 1)} of yours"
        if self.icon is not None:
            self.icon.setToolTip(self.text)

    def notify(self, title: str, text: str) -> None:
        if self.icon is not None:
            self.icon.showMessage(title, text)
