"""Choosing a canned response by typing: a small popup under the composer's cursor, a line to type in and
the responses that match, best first. Arrows only move the highlight; Enter inserts the highlighted one,
once, and closes; Esc closes without inserting. The responses themselves are read by the editor (off the
GUI thread) and handed in.

Signals:
    chosen(int): the id of the response the agent picked (emitted once per opening).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.services.responses.dto import CannedResponse
from app.views.labels import plain_tip

ID_ROLE = int(Qt.ItemDataRole.UserRole)
_MOVES = {
    Qt.Key.Key_Up: -1,
    Qt.Key.Key_Down: 1,
    Qt.Key.Key_PageUp: -5,
    Qt.Key.Key_PageDown: 5,
}


def rank(response: CannedResponse, words: list[str]) -> int | None:
    """Lower is better; None: not every typed word occurs in the title or the text."""
    title, body = response.title.casefold(), response.body.casefold()
    if any(word not in title and word not in body for word in words):
        return None
    if not words:
        return 0
    if title.startswith(words[0]):
        return 0
    if any(part.startswith(words[0]) for part in title.split()):
        return 1
    return 2 if all(word in title for word in words) else 3


class ResponsePicker(QFrame):
    """Attributes:
    search: the line the agent types in; results: the matching responses (disabled rows say why none).
    responses: everything offered on this ticket; None while it is being read.
    """

    chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.responses: list[CannedResponse] | None = None
        self.search = QLineEdit()
        self.search.setPlaceholderText("Type to find a response…  (Enter inserts, Esc closes)")
        self.search.textChanged.connect(lambda _text: self._refill())
        self.search.installEventFilter(self)
        self.results = QListWidget()
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing always goes to the search line
        self.results.itemActivated.connect(lambda _item: self._choose())
        self.results.itemClicked.connect(lambda _item: self._choose())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        self.setMinimumWidth(420)

    def set_responses(self, responses: list[CannedResponse] | None) -> None:
        self.responses = responses
        self._refill()

    def open_at(self, position: QPoint) -> None:
        self.search.clear()
        self._refill()
        self.move(position)
        self.show()
        self.search.setFocus(Qt.FocusReason.PopupFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = Qt.Key(event.key())
            if key in _MOVES:
                self._move(_MOVES[key])
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._choose()
                return True
            if key == Qt.Key.Key_Escape:
                self.close()
                return True
        return super().eventFilter(watched, event)

    def _refill(self) -> None:
        self.results.clear()
        if self.responses is None:
            self._note("Reading the responses…")
            return
        words = self.search.text().casefold().split()
        scored = ((rank(response, words), response) for response in self.responses)
        ranked = sorted(
            ((score, response.title.casefold(), response) for score, response in scored if score is not None),
            key=lambda entry: (entry[0], entry[1]),
        )
        for _score, _title, response in ranked:
            item = QListWidgetItem(response.title)
            item.setData(ID_ROLE, response.id)
            item.setToolTip(plain_tip(response.body))
            self.results.addItem(item)
        self._fit()
        if ranked:
            self.results.setCurrentRow(0)
        elif self.responses:
            self._note(f"No response matches “{self.search.text()}”")
        else:
            self._note("No responses for this queue yet")

    def _note(self, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.results.addItem(item)
        self._fit()

    def _fit(self) -> None:
        """As tall as its rows (up to ten), so a short list is not a tall empty box."""
        rows = max(1, min(10, self.results.count()))
        self.results.setFixedHeight(rows * max(self.results.sizeHintForRow(0), 18) + 2 * self.results.frameWidth() + 4)
        self.adjustSize()

    def _move(self, step: int) -> None:
        count = self.results.count()
        if count and self.results.currentItem() is not None:
            self.results.setCurrentRow(max(0, min(count - 1, self.results.currentRow() + step)))

    def _choose(self) -> None:
        item = self.results.currentItem()
        response_id = item.data(ID_ROLE) if item is not None else None
        if response_id is None or not self.isVisible():
            return
        self.close()  # first: a second Enter finds the picker closed and inserts nothing
        self.chosen.emit(int(response_id))
