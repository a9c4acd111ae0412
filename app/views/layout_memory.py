"""The window's layout remembered between runs in QSettings: geometry, dock state, the splitter between
views, queue and ticket, and the queue's columns (widths, order, hidden ones)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QMainWindow, QSplitter


class LayoutMemory:
    def __init__(self, window: QMainWindow, splitter: QSplitter, columns: QHeaderView) -> None:
        self._parts: list[tuple[str, Callable[[], QByteArray], Callable[[QByteArray], object]]] = [
            ("main/geometry", window.saveGeometry, window.restoreGeometry),
            ("main/state", window.saveState, window.restoreState),
            ("main/splitter", splitter.saveState, splitter.restoreState),
            ("main/columns", columns.saveState, columns.restoreState),
        ]

    def restore(self) -> None:
        settings = QSettings()
        for key, _save, restore in self._parts:
            value = settings.value(key)
            if isinstance(value, QByteArray):
                restore(value)

    def save(self) -> None:
        settings = QSettings()
        for key, save, _restore in self._parts:
            settings.setValue(key, save())
