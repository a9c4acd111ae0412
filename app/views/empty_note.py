"""A sentence over an item view's empty viewport: a blank table reads as a fault, or as a load that never
came ("No tickets here.", "Routing found someone for every ticket.")."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView, QLabel


class EmptyNote(QObject):
    """Shows `text` centred over `view` while `empty()` holds (by default: its model has no rows), kept up to
    date as rows come and go and as the view is resized. `update()` after anything else `empty` reads.

    Attributes:
        label: the QLabel shown; text: what it says (`set_text`).
    """

    def __init__(self, view: QAbstractItemView, text: str, empty: Callable[[], bool] | None = None) -> None:
        viewport = view.viewport()
        super().__init__(viewport)  # the viewport's child: gone with it, never asked about a view half deleted
        self.text, self._viewport = text, viewport
        model = view.model()
        self._empty = empty or (lambda: model.rowCount() == 0)
        self.label = QLabel(viewport)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # it may quote what the person typed
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # the view's menu, drops pass
        self.label.hide()
        viewport.installEventFilter(self)
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.layoutChanged):
            signal.connect(self.update)

    def set_text(self, text: str) -> None:
        self.text = text
        self.update()

    def update(self, *_args: object) -> None:
        self.label.setText(self.text)
        self.label.setVisible(self._empty())
        self._place()

    def _place(self) -> None:
        self.label.setGeometry(self._viewport.rect().adjusted(24, 24, -24, -24))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._viewport and event.type() == QEvent.Type.Resize:
            self._place()
        return False
