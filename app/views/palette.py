"""Keyboard-first access to every action: a command palette, a shortcut overview and shortcut tooltips.

Agents live on the keyboard; anything they can click must also be reachable by typing a few letters of its
name (the palette) and discoverable with its shortcut (the overlay and the tooltips). These widgets only
read the `QAction`s the main window already owns, so an action added there shows up here by itself.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

SHORTCUT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
"""Item data role holding a palette entry's shortcut text, painted right-aligned by the delegate."""

_MNEMONIC = re.compile(r"&(.)")
_ACTIVATE_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_SHORTCUT_MARGIN = 8
_Index = QModelIndex | QPersistentModelIndex


def strip_mnemonic(text: str) -> str:
    """Drop the '&' accelerator markers ("&&" is a literal '&'): users search for "Reply", not "&Reply"."""
    return _MNEMONIC.sub(r"\1", text.split("\t", 1)[0])


def shortcut_text(action: QAction) -> str:
    """The primary shortcut as the platform writes it (e.g. "⌘K" on macOS), or "" when there is none."""
    return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


def describe_shortcut(action: QAction) -> str:
    """Name plus key, e.g. "Reply (R)": the name agents know and the key that saves them the click."""
    label = strip_mnemonic(action.text())
    keys = shortcut_text(action)
    return f"{label} ({keys})" if keys else label


def apply_tooltips(actions: Iterable[QAction]) -> None:
    """Teach shortcuts on hover without letting an action's name be read as markup.

    Qt guesses whether a tooltip is rich text (`Qt.mightBeRichText`). Escaping alone is not enough: an
    escaped "Save &amp; close" is guessed to be plain text and shown with the entity. Wrapping the escaped
    text in `<qt>` makes it always rich text, so it always shows exactly the action's name.
    """
    for action in actions:
        action.setToolTip(_tooltip(action))


def _tooltip(action: QAction) -> str:
    return f"<qt>{html.escape(describe_shortcut(action))}</qt>"


def match_rank(label: str, words: Sequence[str]) -> int | None:
    """How well `label` matches the typed, case-folded `words`; lower is better, None means no match.

    Every word must occur somewhere (so "ass me" finds "Assign to me"). Names that start with the first
    word come first, then names with a word starting with it, then the rest: that is what people expect
    after typing the beginning of a name.
    """
    folded = label.casefold()
    if not all(word in folded for word in words):
        return None
    if not words or folded.startswith(words[0]):
        return 0
    if any(part.startswith(words[0]) for part in folded.split()):
        return 1
    return 2


@dataclass(frozen=True)
class _Entry:
    """One palette line: the searchable name, its shortcut and the action to run."""

    label: str
    shortcut: str
    action: QAction


class _ShortcutDelegate(QStyledItemDelegate):
    """Paints the shortcut right-aligned and elides the name before it, so both stay readable in a column."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        keys = str(index.data(SHORTCUT_ROLE) or "")
        keys_width = opt.fontMetrics.horizontalAdvance(keys) + 2 * _SHORTCUT_MARGIN if keys else 0
        room = max(0, opt.rect.width() - keys_width - 2 * _SHORTCUT_MARGIN)
        opt.text = opt.fontMetrics.elidedText(opt.text, Qt.TextElideMode.ElideRight, room)
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        if keys:
            self._paint_keys(painter, opt, keys)

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        hint = super().sizeHint(option, index)
        keys = str(index.data(SHORTCUT_ROLE) or "")
        extra = option.fontMetrics.horizontalAdvance(keys) + 2 * _SHORTCUT_MARGIN if keys else 0
        return QSize(hint.width() + extra, hint.height())

    @staticmethod
    def _paint_keys(painter: QPainter, opt: QStyleOptionViewItem, keys: str) -> None:
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        painter.save()
        painter.setPen(opt.palette.color(role))
        rect = opt.rect.adjusted(0, 0, -_SHORTCUT_MARGIN, 0)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), keys)
        painter.restore()


class CommandPalette(QDialog):
    """Run any enabled action by typing part of its name; focus never leaves the search field.

    Attributes:
        search_field: where the user types; Up/Down move through `results`, Enter runs, Escape closes.
        results: the matching actions, best first; it takes no focus so typing always filters.
    """

    def __init__(self, actions: Sequence[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Command palette")
        self._entries = [
            _Entry(strip_mnemonic(action.text()), shortcut_text(action), action)
            for action in actions
            if action.isEnabled() and not action.isSeparator() and strip_mnemonic(action.text()).strip()
        ]
        self._shown: list[_Entry] = []
        self.search_field = QLineEdit(self)
        self.search_field.setPlaceholderText("Type a command…")
        self.search_field.setClearButtonEnabled(True)
        self.results = QListWidget(self)
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.results.setItemDelegate(_ShortcutDelegate(self.results))
        self._lay_out()
        self.search_field.textChanged.connect(self._refilter)
        self.search_field.installEventFilter(self)
        self.results.itemDoubleClicked.connect(self._run_item)
        self._refilter("")
        self.resize(520, 360)

    def filter_text(self, text: str) -> list[str]:
        """Type `text` into the search field and return the names now listed, in display order."""
        self.search_field.setText(text)
        return [entry.label for entry in self._shown]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Steer the list from the search field, so the hands never leave the typing position."""
        if watched is self.search_field and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            return self._handle_key(event)
        return super().eventFilter(watched, event)

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_field)
        layout.addWidget(self.results)

    def _handle_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self._move_selection(1 if key == Qt.Key.Key_Down else -1)
            return True
        if key in _ACTIVATE_KEYS:
            self._run_row(self.results.currentRow())
            return True
        if key == Qt.Key.Key_Escape:
            self.reject()
            return True
        return False

    def _refilter(self, text: str) -> None:
        words = text.casefold().split()
        ranked = [(rank, entry) for entry in self._entries if (rank := match_rank(entry.label, words)) is not None]
        ranked.sort(key=lambda pair: pair[0])  # stable: equal ranks keep the caller's (menu) order
        self._shown = [entry for _, entry in ranked]
        self.results.clear()
        for entry in self._shown:
            item = QListWidgetItem(entry.label, self.results)
            item.setData(SHORTCUT_ROLE, entry.shortcut)
            item.setToolTip(_tooltip(entry.action))
        if self._shown:
            self.results.setCurrentRow(0)

    def _move_selection(self, step: int) -> None:
        """Clamp rather than wrap: holding Down should stop at the last entry, not jump back to the top."""
        if not self._shown:
            return
        row = min(max(self.results.currentRow() + step, 0), len(self._shown) - 1)
        self.results.setCurrentRow(row)

    def _run_item(self, item: QListWidgetItem) -> None:
        self._run_row(self.results.row(item))

    def _run_row(self, row: int) -> None:
        """Close first, then trigger: an action that opens its own dialog must not open under the palette."""
        if not 0 <= row < len(self._shown):
            return
        action = self._shown[row].action
        self.accept()
        action.trigger()


class ShortcutOverlay(QDialog):
    """A cheat sheet of every shortcut, opened with "?" and closed with "?" or Escape.

    Attributes:
        table: read-only two columns, the action's name and its shortcut, both as plain item text.
    """

    def __init__(self, actions: Iterable[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = [(strip_mnemonic(a.text()), shortcut_text(a)) for a in actions if shortcut_text(a)]
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setHorizontalHeaderLabels(["Command", "Shortcut"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for row, cells in enumerate(rows):
            for column, text in enumerate(cells):
                self.table.setItem(row, column, _read_only_item(text))
        self.table.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        self.resize(420, 420)

    def rows(self) -> list[tuple[str, str]]:
        """The (name, shortcut) pairs shown, top to bottom."""
        return [(self._cell(row, 0), self._cell(row, 1)) for row in range(self.table.rowCount())]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Catch "?" before the table uses it for its type-ahead search."""
        if watched is self.table and _is_key_press(event, "?"):
            self.reject()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """The same "?" toggle when the dialog itself has focus; Escape is handled by QDialog."""
        if event.text() == "?":
            self.reject()
            return
        super().keyPressEvent(event)

    def _cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""


def _is_key_press(event: QEvent, text: str) -> bool:
    return isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress and event.text() == text


def _read_only_item(text: str) -> QTableWidgetItem:
    """Item views never parse markup, so the text shows as written; only editing has to be switched off."""
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item
