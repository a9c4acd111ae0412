"""The command palette, the shortcut overlay and shortcut tooltips, driven by real key and mouse events."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pytest
from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from app.views.palette import (
    SHORTCUT_ROLE,
    CommandPalette,
    ShortcutOverlay,
    apply_tooltips,
    describe_shortcut,
)

# (text as the menu has it, shortcut or "", enabled)
ACTION_SPECS = [
    ("&Reply", "R", True),
    ("Internal &note", "N", True),
    ("Assign to me", "A", True),
    ("Change status…", "S", True),
    ("Next ticket", "J", True),
    ("Previous ticket", "K", True),
    ("Search", "/", True),
    ("Merge", "", False),
    ("Print", "", True),
]
ENABLED_LABELS = [
    "Reply",
    "Internal note",
    "Assign to me",
    "Change status…",
    "Next ticket",
    "Previous ticket",
    "Search",
    "Print",
]


@dataclass
class Desk:
    """A shown main-window stand-in whose actions count how often they ran, by menu text."""

    window: QWidget
    actions: list[QAction]
    triggered: Counter[str] = field(default_factory=Counter)

    def action(self, text: str) -> QAction:
        return next(action for action in self.actions if action.text() == text)


@pytest.fixture
def desk(qtbot: QtBot) -> Desk:
    window = QWidget()
    qtbot.addWidget(window)
    desk = Desk(window, [])
    for text, keys, enabled in ACTION_SPECS:
        action = QAction(text, window)
        action.setShortcut(QKeySequence(keys))
        action.setEnabled(enabled)
        action.triggered.connect(lambda _checked=False, name=text: desk.triggered.update([name]))
        desk.actions.append(action)
    # Registered on a shown window, the shortcuts are live: typing into the palette must not fire them.
    window.addActions(desk.actions)
    window.show()
    qtbot.waitExposed(window)
    return desk


@pytest.fixture
def palette(qtbot: QtBot, desk: Desk) -> CommandPalette:
    dialog = CommandPalette(desk.actions, desk.window)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_lists_every_enabled_action_without_mnemonics(palette: CommandPalette) -> None:
    assert palette.filter_text("") == ENABLED_LABELS
    assert palette.search_field.placeholderText() == "Type a command…"


def test_shows_each_shortcut_in_native_text(palette: CommandPalette) -> None:
    items = [palette.results.item(row) for row in range(palette.results.count())]
    shown = {item.text(): item.data(SHORTCUT_ROLE) for item in items}
    assert shown["Reply"] == "R"
    assert shown["Search"] == "/"
    assert shown["Print"] == ""
    # Paint once for real: the delegate draws each shortcut beside its (elided) name.
    assert not palette.grab().isNull()


def test_disabled_action_is_not_offered_even_when_typed(palette: CommandPalette) -> None:
    assert palette.filter_text("merge") == []


def test_every_typed_word_must_occur_in_any_case(palette: CommandPalette) -> None:
    assert palette.filter_text("ass me") == ["Assign to me"]
    assert palette.filter_text("TICKET next") == ["Next ticket"]
    assert palette.filter_text("ticket") == ["Next ticket", "Previous ticket"]
    assert palette.filter_text("reply nope") == []


def test_names_starting_with_the_text_come_first(palette: CommandPalette) -> None:
    # "Next ticket" starts with n; "Internal note" has a word starting with n; the rest only contain it.
    assert palette.filter_text("n") == ["Next ticket", "Internal note", "Assign to me", "Change status…", "Print"]


def test_typing_then_enter_runs_that_action_once_and_accepts(desk: Desk, palette: CommandPalette) -> None:
    QTest.keyClicks(palette.search_field, "ass me")
    assert desk.triggered == Counter()
    QTest.keyClick(palette.search_field, Qt.Key.Key_Return)
    assert desk.triggered == Counter({"Assign to me": 1})
    assert palette.result() == QDialog.DialogCode.Accepted
    assert not palette.isVisible()


def test_down_then_enter_runs_the_second_entry(desk: Desk, palette: CommandPalette) -> None:
    QTest.keyClick(palette.search_field, Qt.Key.Key_Down)
    QTest.keyClick(palette.search_field, Qt.Key.Key_Return)
    assert desk.triggered == Counter({"Internal &note": 1})
    assert palette.result() == QDialog.DialogCode.Accepted


def test_selection_stops_at_both_ends(desk: Desk, palette: CommandPalette) -> None:
    palette.filter_text("ticket")
    for _ in range(3):
        QTest.keyClick(palette.search_field, Qt.Key.Key_Down)
    assert palette.results.currentItem().text() == "Previous ticket"
    for _ in range(3):
        QTest.keyClick(palette.search_field, Qt.Key.Key_Up)
    QTest.keyClick(palette.search_field, Qt.Key.Key_Enter)
    assert desk.triggered == Counter({"Next ticket": 1})


def test_escape_rejects_and_runs_nothing(desk: Desk, palette: CommandPalette) -> None:
    QTest.keyClicks(palette.search_field, "rep")
    QTest.keyClick(palette.search_field, Qt.Key.Key_Escape)
    assert palette.result() == QDialog.DialogCode.Rejected
    assert not palette.isVisible()
    assert desk.triggered == Counter()


def test_enter_without_a_match_keeps_the_palette_open(desk: Desk, palette: CommandPalette) -> None:
    QTest.keyClicks(palette.search_field, "zzz")
    QTest.keyClick(palette.search_field, Qt.Key.Key_Return)
    assert palette.isVisible()
    assert desk.triggered == Counter()


def test_double_click_runs_the_clicked_entry(desk: Desk, palette: CommandPalette) -> None:
    palette.filter_text("ticket")
    item = palette.results.item(1)
    spot = palette.results.visualItemRect(item).center()
    # A real double click starts with a press; QTest's double click alone has none.
    QTest.mouseClick(palette.results.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    assert desk.triggered == Counter()
    QTest.mouseDClick(palette.results.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    assert desk.triggered == Counter({"Previous ticket": 1})
    assert palette.result() == QDialog.DialogCode.Accepted


def test_overlay_lists_exactly_the_actions_with_shortcuts(desk: Desk) -> None:
    overlay = ShortcutOverlay(desk.actions, desk.window)
    assert overlay.windowTitle() == "Keyboard shortcuts"
    assert overlay.rows() == [
        ("Reply", "R"),
        ("Internal note", "N"),
        ("Assign to me", "A"),
        ("Change status…", "S"),
        ("Next ticket", "J"),
        ("Previous ticket", "K"),
        ("Search", "/"),
    ]


def test_overlay_uses_native_text_and_cannot_be_edited(desk: Desk) -> None:
    chord = QAction("Save && close", desk.window)
    chord.setShortcut(QKeySequence("Ctrl+Shift+S"))
    overlay = ShortcutOverlay([chord], desk.window)
    native = QKeySequence("Ctrl+Shift+S").toString(QKeySequence.SequenceFormat.NativeText)
    assert overlay.rows() == [("Save & close", native)]
    for column in (0, 1):
        cell = overlay.table.item(0, column)
        assert cell is not None
        assert not cell.flags() & Qt.ItemFlag.ItemIsEditable


@pytest.mark.parametrize("key", [Qt.Key.Key_Question, Qt.Key.Key_Escape])
def test_overlay_closes_on_question_mark_or_escape(qtbot: QtBot, desk: Desk, key: Qt.Key) -> None:
    overlay = ShortcutOverlay(desk.actions, desk.window)
    overlay.show()
    qtbot.waitExposed(overlay)
    QTest.keyClick(overlay.table, key)
    assert not overlay.isVisible()
    assert desk.triggered == Counter()


def test_describe_shortcut(desk: Desk) -> None:
    assert describe_shortcut(desk.action("&Reply")) == "Reply (R)"
    assert describe_shortcut(desk.action("Search")) == "Search (/)"
    assert describe_shortcut(desk.action("Print")) == "Print"


def _shown_as(tooltip: str) -> str:
    """What a user sees: Qt renders a tooltip as rich text when it guesses so, else as it is."""
    if not QtGui.Qt.mightBeRichText(tooltip):
        return tooltip
    document = QTextDocument()
    document.setHtml(tooltip)
    return document.toPlainText()


def test_tooltips_are_escaped_and_show_the_name_exactly(desk: Desk) -> None:
    markup = QAction("<b>x</b>", desk.window)
    markup.setShortcut(QKeySequence("X"))
    ampersand = QAction("Save && close", desk.window)
    apply_tooltips([*desk.actions, markup, ampersand])

    assert "&lt;b&gt;" in markup.toolTip()
    assert "<b>" not in markup.toolTip()
    assert _shown_as(markup.toolTip()) == "<b>x</b> (X)"
    assert _shown_as(ampersand.toolTip()) == "Save & close"
    assert _shown_as(desk.action("&Reply").toolTip()) == "Reply (R)"
    assert _shown_as(desk.action("Print").toolTip()) == "Print"
