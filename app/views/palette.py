"""Keyboard-first access to every action and every ticket: a command palette, a shortcut overview and
shortcut tooltips.

Agents live on the keyboard; anything they can click must also be reachable by typing a few letters of its
name (the palette) and discoverable with its shortcut (the overlay and the tooltips). These widgets only
read the `QAction`s and `QShortcut`s the window already owns, so an action added there shows up here by itself.

The palette is also "go to anything": below the commands it lists the tickets the desk finds for what was
typed — a number ("11836", "#11836"), subject words, a customer's name or address, an organisation — asked
in the background through `find_tickets` (the window runs `desk.navigation.find` on its TaskRunner), so
typing never waits for the server. Nothing found is said, never a blank list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QPainter, QPalette, QShortcut
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

from app.services.tickets.dto import TicketSummary, text_words
from app.views.labels import plain_tip
from app.views.sizing import resize_on_screen
from app.views.status_choice import status_text

SHORTCUT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
"""Item data role holding a palette entry's shortcut text, painted right-aligned by the delegate."""

TicketFinder = Callable[[str, Callable[[list[TicketSummary]], None]], None]
"""Ask for the tickets matching a text; the answer comes back later, on the GUI thread."""
FIND_DELAY_MS = 150  # typing "11836" asks once, not five times

# Keys that belong to no action: they are Qt's own (focus moves) or the editor's, and the overlay lists them.
FOCUS_KEYS = [
    ("Next field", "Tab"),
    ("Previous field", "Shift+Tab"),
    ("Back to the queue, from anywhere (the filter box: the first Esc clears it)", "Esc"),
]
# Shortcuts made as QShortcut without a description of their own are named by their key here.
NAMED_KEYS = {  # as QKeySequence.toString() writes them (no QKeySequence here: no Qt objects at import)
    "Ctrl+Return": "Send the reply or note",
    "Ctrl+Enter": "Send the reply or note",
    "Ctrl+Shift+Return": "Send, then open the next ticket",
    "Ctrl+Shift+Enter": "Send, then open the next ticket",
    "Ctrl+Space": "Insert a canned response",
    "Ctrl+S": "Save the ticket's fields",
}

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


def all_shortcuts_text(action: QAction) -> str:
    """Every shortcut of the action, e.g. "Ctrl+G, #"."""
    keys = [key.toString(QKeySequence.SequenceFormat.NativeText) for key in action.shortcuts()]
    return ", ".join(key for key in keys if key)


def keyboard_rows(window: QWidget) -> list[tuple[str, str]]:
    """Every key the window answers to, from the things that answer: its actions (menus, the editor's own),
    its QShortcuts (named by their "What's this" text, or by `NAMED_KEYS`), and the focus keys."""
    rows: list[tuple[str, str]] = []
    actions = [*window.actions(), *window.findChildren(QAction)]
    for action in dict.fromkeys(actions):  # in order, once each
        keys, name = all_shortcuts_text(action), strip_mnemonic(action.text()).strip()
        if keys and name:
            rows.append((name, keys))
    for shortcut in window.findChildren(QShortcut):
        key = shortcut.key().toString()
        name = shortcut.whatsThis() or NAMED_KEYS.get(key, "")
        if key and name:
            rows.append((name, shortcut.key().toString(QKeySequence.SequenceFormat.NativeText)))
    rows += FOCUS_KEYS
    return list(dict.fromkeys(rows))


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
    return plain_tip(describe_shortcut(action))


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


@dataclass(frozen=True)
class _TicketEntry:
    """One ticket the desk found: opened with Enter, like a command."""

    label: str
    shortcut: str
    ticket: TicketSummary


def ticket_label(ticket: TicketSummary) -> str:
    return f"#{ticket.number}  {ticket.subject}  — {ticket.customer_name}"


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
    """Run any enabled action by typing part of its name, or open a ticket found by what was typed; focus
    never leaves the search field.

    Attributes:
        search_field: where the user types; Up/Down move through `results`, Enter runs, Escape closes.
        results: the matching actions, best first, then the tickets found; it takes no focus so typing always
            filters. When nothing matches it says so in one line that cannot be chosen.
    """

    def __init__(
        self,
        actions: Sequence[QAction],
        parent: QWidget | None = None,
        *,
        find_tickets: TicketFinder | None = None,
        open_ticket: Callable[[TicketSummary], None] | None = None,
        text: str = "",
        status_labels: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Command palette" if find_tickets is None else "Go to anything")
        self._status_labels = status_labels or {}
        self._entries = [
            _Entry(strip_mnemonic(action.text()), shortcut_text(action), action)
            for action in actions
            if action.isEnabled() and not action.isSeparator() and strip_mnemonic(action.text()).strip()
        ]
        self._shown: list[_Entry | _TicketEntry] = []
        self._commands: list[_Entry] = []
        self._tickets: list[_TicketEntry] = []
        self._find_tickets, self._open_ticket = find_tickets, open_ticket
        self._searching = False
        self._asked = 0  # answers to older questions are dropped
        self._run_when_found = False
        self._find_timer = QTimer(self)
        self._find_timer.setSingleShot(True)
        self._find_timer.setInterval(FIND_DELAY_MS)
        self._find_timer.timeout.connect(self._ask_for_tickets)
        self.search_field = QLineEdit(self)
        self.search_field.setPlaceholderText(
            "Type a command…" if find_tickets is None else "A command, #number, subject, customer, email…"
        )
        self.search_field.setClearButtonEnabled(True)
        self.results = QListWidget(self)
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.results.setItemDelegate(_ShortcutDelegate(self.results))
        self._lay_out()
        self.search_field.setText(text)
        self.search_field.textChanged.connect(self._refilter)
        self.search_field.installEventFilter(self)
        self.results.itemDoubleClicked.connect(self._run_item)
        self._refilter(text)
        resize_on_screen(self, 620, 380)

    def filter_text(self, text: str) -> list[str]:
        """Type `text` into the search field and return the names now listed, in display order."""
        self.search_field.setText(text)
        return [entry.label for entry in self._shown]

    @property
    def searching(self) -> bool:
        """Tickets are being asked for (or about to be)."""
        return self._searching

    def shown_labels(self) -> list[str]:
        """Every line of the list as shown, the "nothing matches" line included."""
        return [self.results.item(row).text() for row in range(self.results.count())]

    def done(self, result: int) -> None:
        self._find_timer.stop()
        self._asked += 1  # an answer still on its way finds nobody waiting
        super().done(result)

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
            if self._searching and not self._commands:
                self._run_when_found = True  # typed a number and Enter at once: open it when it arrives
                if not self._find_timer.isActive():
                    return True
                self._find_timer.stop()
                self._ask_for_tickets()
                return True
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
        self._commands = [entry for _, entry in ranked] if text.strip() != "#" else []
        self._tickets = []
        self._run_when_found = False
        self._searching = self._find_tickets is not None and bool(text_words(text.replace("#", " ")))
        if self._searching:
            self._find_timer.start()
        else:
            self._find_timer.stop()
            self._asked += 1
        self._show_entries()

    def _ask_for_tickets(self) -> None:
        if self._find_tickets is None:
            return
        self._asked += 1
        asked, text = self._asked, self.search_field.text()
        self._find_tickets(text, lambda tickets: self._tickets_found(asked, tickets))

    def _tickets_found(self, asked: int, tickets: list[TicketSummary]) -> None:
        if asked != self._asked:
            return
        self._searching = False
        self._tickets = [_TicketEntry(ticket_label(t), status_text(t.status, self._status_labels), t) for t in tickets]
        self._show_entries()
        if self._run_when_found:
            self._run_when_found = False
            self._run_row(self.results.currentRow())

    def _show_entries(self) -> None:
        number_first = self._tickets and text_words(self.search_field.text().replace("#", " "))[:1] == [
            str(self._tickets[0].ticket.number)
        ]
        shown: list[_Entry | _TicketEntry] = [*self._commands, *self._tickets]
        if number_first:  # "11836" means that ticket, before any command with those digits in its name
            shown = [*self._tickets[:1], *self._commands, *self._tickets[1:]]
        self._shown = shown
        self.results.clear()
        for entry in self._shown:
            item = QListWidgetItem(entry.label, self.results)
            item.setData(SHORTCUT_ROLE, entry.shortcut)
            tip = _tooltip(entry.action) if isinstance(entry, _Entry) else plain_tip(entry.label)
            item.setToolTip(tip)
        if self._searching:
            self._note("Searching tickets…")
        elif not self._shown:
            self._note(self._nothing_found())
        if self._shown:
            self.results.setCurrentRow(0)

    def _nothing_found(self) -> str:
        typed = self.search_field.text().strip()
        if typed == "#":
            return "Type a ticket number — or words of a subject, a customer's name or email address."
        number = text_words(typed.replace("#", " "))
        if self._find_tickets is not None and len(number) == 1 and number[0].isdigit():
            return f"No ticket #{number[0]} that you may see, and no command matches “{typed}”."
        if self._find_tickets is not None:
            return f"No command or ticket matches “{typed}”."
        return f"No command matches “{typed}”."

    def _note(self, text: str) -> None:
        """A line that says something and cannot be chosen."""
        item = QListWidgetItem(text, self.results)
        item.setFlags(Qt.ItemFlag.NoItemFlags)

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
        entry = self._shown[row]
        self.accept()
        if isinstance(entry, _Entry):
            entry.action.trigger()
        elif self._open_ticket is not None:
            self._open_ticket(entry.ticket)


class ShortcutOverlay(QDialog):
    """A cheat sheet of every shortcut, opened with "?" and closed with "?" or Escape.

    Attributes:
        table: read-only two columns, the action's name and its shortcut, both as plain item text.
    """

    def __init__(
        self, actions: Iterable[QAction], parent: QWidget | None = None, *, rows: Sequence[tuple[str, str]] = ()
    ) -> None:
        """`rows`: every (name, keys) to list, when the caller gathered them (`keyboard_rows`); otherwise
        the shortcuts of `actions`."""
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        if not rows:
            rows = [(strip_mnemonic(a.text()), all_shortcuts_text(a)) for a in actions if shortcut_text(a)]
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
        resize_on_screen(self, 420, 420)

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
