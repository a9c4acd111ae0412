"""The window's layout remembered between runs in QSettings: geometry, dock state, the splitter between
views, queue and ticket, and the queue's columns (widths, order, hidden ones)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QMainWindow, QSplitter

COLUMNS_KEY = "main/columns"
GEOMETRY_KEY = "main/geometry"


class LayoutMemory:
    def __init__(
        self,
        window: QMainWindow,
        splitter: QSplitter,
        columns: QHeaderView,
        columns_state: Callable[[], QByteArray] | None = None,
    ) -> None:
        """`columns_state`: the header's state as it is to be remembered (the queue keeps a column it hid for
        want of room as shown); the header's own by default."""
        self._parts: list[tuple[str, Callable[[], QByteArray], Callable[[QByteArray], object]]] = [
            (GEOMETRY_KEY, window.saveGeometry, window.restoreGeometry),
            ("main/state", window.saveState, window.restoreState),
            ("main/splitter", splitter.saveState, splitter.restoreState),
            (COLUMNS_KEY, columns_state or columns.saveState, columns.restoreState),
        ]

    def restore(self) -> set[str]:
        """Put back what was remembered; the keys that were (a first start restores nothing)."""
        settings = QSettings()
        restored: set[str] = set()
        for key, _save, restore in self._parts:
            value = settings.value(key)
            if isinstance(value, QByteArray) and restore(value) is not False:
                restored.add(key)
        return restored

    def save(self) -> None:
        settings = QSettings()
        for key, save, _restore in self._parts:
            settings.setValue(key, save())
