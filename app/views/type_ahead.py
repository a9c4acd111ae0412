"""A line edit that offers what the server finds for the words typed: asked in the background 150 ms after
the last key, offered in a popup unfiltered (the server matched every word, in any order), chosen with the
arrows and Enter or a click. Only the last question may fill the offers.

Signals of TypeAhead:
    chosen(object): the Choice picked from the offers.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QCompleter, QLineEdit

from app.services.navigation.dto import Choice
from app.views.tasks import TaskRunner

FIND_DELAY_MS = 150
# Offers a pointer or a finger can tell apart: the bare popup packs the names line on line (the assign
# picker's screenshot read as one block of text).
OFFER_STYLE = "QAbstractItemView::item { padding: 3px 8px; }"


def roomy_offers(completer: QCompleter) -> QCompleter:
    """The completer's popup with room around each offer (every type-ahead of the client uses this)."""
    popup = completer.popup()
    if popup is not None:
        popup.setStyleSheet(OFFER_STYLE)
    return completer


class TypeAhead(QObject):
    """Attributes:
    found: the offers of the last answer, by label; picked: the Choice picked (None since the last key).
    """

    chosen = Signal(object)
    answered = Signal(str, int)  # what was asked, how many offers came back (0: say that nothing matched)

    def __init__(
        self,
        edit: QLineEdit,
        search: Callable[[str], list[Choice]],
        runner: TaskRunner,
        on_failure: Callable[[Exception], None],
    ) -> None:
        super().__init__(edit)
        self.edit, self.search, self.runner, self.on_failure = edit, search, runner, on_failure
        self.found: dict[str, Choice] = {}
        self.picked: Choice | None = None
        self._asked = 0
        self._offers = QStringListModel(self)
        completer = QCompleter(self._offers, edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.activated.connect(self._pick)
        edit.setCompleter(roomy_offers(completer))
        edit.textEdited.connect(self._typed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FIND_DELAY_MS)
        self._timer.timeout.connect(self._find)

    def choice(self) -> Choice | None:
        """The Choice picked, or the offer whose label is exactly what the line edit holds."""
        return self.picked or self.found.get(self.edit.text())

    def stop(self) -> None:
        """Nothing ticks, and no answer still on its way fills the offers (the dialog is closing)."""
        self._timer.stop()
        self._asked += 1

    def _typed(self, _text: str) -> None:
        self.picked = None
        self._timer.start()

    def _find(self) -> None:
        text = self.edit.text()
        self._asked += 1
        asked = self._asked
        self.runner.run(
            lambda: self.search(text),
            lambda found: self._found(asked, found),
            lambda error: self._failed(asked, error),
        )

    def _found(self, asked: int, found: list[Choice]) -> None:
        if asked != self._asked:
            return  # typed on since, or closed
        self.found = {choice.label: choice for choice in found}
        self._offers.setStringList(list(self.found))
        completer = self.edit.completer()
        if completer is not None and found:
            completer.complete()
        elif completer is not None and (popup := completer.popup()) is not None:
            popup.hide()  # an empty white box covered the fields below
        self.answered.emit(self.edit.text(), len(found))

    def _failed(self, asked: int, error: Exception) -> None:
        if asked == self._asked:
            self.on_failure(error)

    def _pick(self, label: str) -> None:
        self.picked = self.found.get(label)
        if self.picked is not None:
            self.chosen.emit(self.picked)
