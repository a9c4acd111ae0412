"""Saved views as an agent keeps them (usability probe, 2026-12-07): the filter's words are saved with the
rest and the dialog says what is kept; a saved view is renamed or deleted from the list on the left (its
context menu, Delete) and from the View menu; every view is in the command palette ("View: Refunds")."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.bootstrap import Runtime
from app.services.tickets import service
from app.views.main_window import MainWindow
from tests.support.desk_window import close_window, open_desk_window, press
from tests.support.world import World, build_world

pytestmark = pytest.mark.slow


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    world = build_world(committed_runtime.session_factory)
    with world.uow("alice") as uow:
        for subject in ("Refund for the trial", "Refund twice", "Printer jam", "VPN drops", "Invoice wrong"):
            service.create_ticket(uow, subject=subject, customer_id=world.jane, queue_id=world.billing, body="Hi")
        uow.commit()
    return world


def open_window(qtbot: QtBot, engine: Engine, tmp_path: Path) -> MainWindow:
    window = open_desk_window(qtbot, engine, tmp_path)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.current_view is not None and window.model.rowCount() == 5, timeout=10_000)
    return window


def answer_next_dialog(qtbot: QtBot, text: str | None = None, *, seen: list[str] | None = None) -> None:
    """Answer the next input dialog with `text` (or the next question with Yes), noting what it said."""

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QInputDialog):
            if seen is not None:
                seen.append(dialog.labelText())
            dialog.setTextValue(text or "")
            dialog.accept()
        elif isinstance(dialog, QMessageBox):
            if seen is not None:
                seen.append(dialog.text())
            dialog.button(QMessageBox.StandardButton.Yes).click()
        else:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(20, answer)


def saved_labels(window: MainWindow) -> list[str]:
    return [view.label for view in window.views if view.saved]


def test_a_view_is_saved_with_its_words_renamed_and_deleted(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    window = open_window(qtbot, engine, tmp_path)
    window.filters.text.setText("refund")
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5000)
    said: list[str] = []
    answer_next_dialog(qtbot, "Refunds", seen=said)
    window.table.setFocus()
    press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: saved_labels(window) == ["Refunds"], timeout=5000)
    assert said and "words “refund”" in said[0]
    window.filters.clear()
    window.navigation.choose(next(v.key for v in window.views if v.saved))
    qtbot.waitUntil(lambda: window.current_view is not None and window.current_view.label == "Refunds")
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5000)  # the words came back with the view

    answer_next_dialog(qtbot, "Refunds, trial and twice")
    window.actions_by_text["Rename this view…"].trigger()
    qtbot.waitUntil(lambda: saved_labels(window) == ["Refunds, trial and twice"], timeout=5000)

    window.navigation.choose(next(v.key for v in window.views if v.saved))
    window.activateWindow()  # a closed dialog leaves offscreen Qt with no active window
    window.navigation.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.navigation)
    answer_next_dialog(qtbot, seen=said)
    press(qtbot, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: saved_labels(window) == [], timeout=5000)
    assert said[-1].startswith("Delete the view “Refunds, trial and twice”?")
    close_window(window, qtbot)


def test_every_view_is_in_the_command_palette(qtbot: QtBot, engine: Engine, world: World, tmp_path: Path) -> None:
    window = open_window(qtbot, engine, tmp_path)
    window.open_palette()
    palette = window.command_palette
    qtbot.waitUntil(palette.isVisible)
    qtbot.keyClicks(palette.search_field, "view unass")
    assert palette.shown_labels()[:1] == ["View: Unassigned"]
    qtbot.keyClick(palette.search_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_view is not None and window.current_view.key == "unassigned")
    close_window(window, qtbot)
