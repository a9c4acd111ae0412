"""The knowledge base window, by keys and buttons on a real database, each person as their own login:
Ctrl+Shift+K opens it from the main window; an editor edits, saves (Ctrl+S), publishes and reads the
history's diff; a colleague's save in between is refused with their name and the typed text stays; an
agent turns a resolved ticket into a draft with Ctrl+Shift+T, and cannot publish. What landed is read
back through a login's own connection. The GUI thread never waits on the database meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.bootstrap import Runtime
from app.services.knowledge import service as kb
from app.services.knowledge.dto import ArticleState
from app.services.platform.uow import UnitOfWork
from app.services.tickets import service as tickets
from app.views.article_editor import ArticleEditor
from app.views.main_window import MainWindow
from tests.support.desk_window import close_window, open_desk_window, runtime_as
from tests.support.gui_thread import GuiThreadGuard
from tests.support.world import World, build_world

pytestmark = [
    pytest.mark.slow,
    pytest.mark.qt_log_ignore("^This plugin does not support raise\\(\\)$"),  # offscreen Qt raises no window
]
T = TypeVar("T")
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    return build_world(committed_runtime.session_factory)


def as_(engine: Engine, person: str, work: Callable[[UnitOfWork], T]) -> T:
    with runtime_as(engine, person).uow() as uow:
        result = work(uow)
        uow.commit()
        return result


def open_kb(qtbot: QtBot, window: MainWindow) -> ArticleEditor:
    """Ctrl+Shift+K on the main window, then wait for the list."""
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.runner.in_flight == 0, timeout=10_000)
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.table)
    qtbot.keyClick(window.table, Qt.Key.Key_K, CTRL | SHIFT)
    qtbot.waitUntil(lambda: getattr(window, "knowledge_window", None) is not None)
    editor = window.knowledge_window
    qtbot.waitUntil(lambda: editor.isVisible() and editor.runner.in_flight == 0, timeout=10_000)
    return editor


def choose_by_keys(qtbot: QtBot, editor: ArticleEditor, title: str) -> None:
    """Types the title into the filter, then Tab to the list and Down to the first article."""
    qtbot.keyClicks(editor.filter, title)
    editor.tree.setFocus()
    for _press in range(6):
        qtbot.keyClick(editor.tree, Qt.Key.Key_Down)
        if editor.current is not None and editor.current.summary.title == title:
            break
        qtbot.waitUntil(lambda: editor.runner.in_flight == 0, timeout=5000)
    qtbot.waitUntil(lambda: editor.current is not None and editor.current.summary.title == title, timeout=5000)


def test_an_editor_edits_saves_publishes_and_reads_the_diff(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path, gui_guard: GuiThreadGuard
) -> None:
    refunds = as_(engine, "carol", lambda uow: kb.ensure_category_path(uow, ["Billing", "Refunds"]))
    draft = as_(engine, "alice", lambda uow: kb.create_article(
        uow, title="Refund a duplicate charge", body="Refund the second charge.", category_id=refunds.id))  # fmt: skip
    window = open_desk_window(qtbot, engine, tmp_path, person="carol")
    editor = open_kb(qtbot, window)
    gui_guard.start()
    assert editor.may_edit and editor.category.findText("Billing ▸ Refunds") >= 0
    choose_by_keys(qtbot, editor, "Refund a duplicate charge")
    assert editor.body.toPlainText() == "Refund the second charge."
    assert editor.state_label.text().startswith("Draft") and editor.publish_button.isEnabled()

    editor.body.setFocus()
    qtbot.keyClick(editor.body, Qt.Key.Key_End, CTRL)
    qtbot.keyClicks(editor.body, " Then tell the customer: 5 to 10 business days.")
    qtbot.keyClick(editor.body, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: "Saved as version 2." in editor.message.text(), timeout=5000)
    qtbot.mouseClick(editor.publish_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.current is not None and editor.current.version == 3, timeout=5000)
    assert editor.state_label.text().startswith("Published") and not editor.publish_button.isEnabled()

    with gui_guard.paused():  # the test's own reads are not the window's
        shown = as_(engine, "dave", lambda uow: kb.get_article(uow, article_id=draft.id))  # another queue's agent
    assert shown.summary.state is ArticleState.PUBLISHED
    assert shown.body == "Refund the second charge. Then tell the customer: 5 to 10 business days."

    qtbot.keyClick(editor, Qt.Key.Key_H, CTRL)
    qtbot.waitUntil(lambda: editor.history_dialog is not None and editor.history_dialog.versions.count() == 3)
    history = editor.history_dialog
    assert history is not None
    first = history.versions.item(0)
    assert first is not None and first.text().startswith("Version 3")
    qtbot.keyClick(history.versions, Qt.Key.Key_Down)  # version 2: what Carol's save changed
    qtbot.waitUntil(lambda: "+Refund the second charge. Then tell" in history.diff.toPlainText(), timeout=5000)
    assert "-Refund the second charge." in history.diff.toPlainText()
    history.reject()
    editor.close()
    close_window(window, qtbot)


def test_a_colleagues_save_in_between_is_refused_by_name_and_the_text_stays(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path, gui_guard: GuiThreadGuard
) -> None:
    article = as_(engine, "carol", lambda uow: kb.create_article(uow, title="VAT numbers", body="Old text."))
    window = open_desk_window(qtbot, engine, tmp_path, person="carol")
    editor = open_kb(qtbot, window)
    gui_guard.start()
    choose_by_keys(qtbot, editor, "VAT numbers")
    with gui_guard.paused():  # the same editor in another window, say
        as_(engine, "carol", lambda uow: kb.edit_article(
            uow, article_id=article.id, expected_version=1, title="VAT numbers", body="Their text."))  # fmt: skip
    editor.body.setFocus()
    qtbot.keyClick(editor.body, Qt.Key.Key_End, CTRL)
    qtbot.keyClicks(editor.body, " Mine.")
    qtbot.keyClick(editor.body, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: "was changed by Carol Chen" in editor.message.text(), timeout=5000)
    assert "nothing was saved" in editor.message.text()
    assert editor.body.toPlainText() == "Old text. Mine."  # what was typed is still there
    with gui_guard.paused():
        stored = as_(engine, "carol", lambda uow: kb.get_article(uow, article_id=article.id))
    assert (stored.body, stored.version) == ("Their text.", 2)
    editor.close()
    close_window(window, qtbot)


def test_an_agent_turns_a_resolved_ticket_into_a_draft_and_cannot_publish(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path, gui_guard: GuiThreadGuard
) -> None:
    def solve(uow: UnitOfWork) -> int:
        ticket = tickets.create_ticket(
            uow, subject="Charged twice", customer_id=world.jane, queue_id=world.billing,
            body="Hello,\nI was charged twice this month. Reach me at +44 20 7946 0958.\nJane Doe",
        ).ticket  # fmt: skip
        replied = tickets.reply(
            uow, ticket_id=ticket.id, body="Hi Jane,\nThe duplicate charge is refunded.", expected_version=None
        ).ticket
        tickets.change_status(uow, ticket_id=ticket.id, status="resolved", expected_version=replied.version)
        return ticket.id

    ticket_id = as_(engine, "alice", solve)
    window = open_desk_window(qtbot, engine, tmp_path, person="alice")
    editor = open_kb(qtbot, window)  # opened once before, as the main window is: its first paint is not measured
    qtbot.waitUntil(lambda: window.runner.in_flight == 0, timeout=10_000)
    window.editor.open_ticket(ticket_id)  # e.g. found with Ctrl+G; resolved tickets are not in the open queue
    qtbot.waitUntil(lambda: window.editor.detail is not None and window.editor.detail.ticket.id == ticket_id,
                    timeout=10_000)  # fmt: skip
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.table)
    gui_guard.start()
    qtbot.keyClick(window.table, Qt.Key.Key_T, CTRL | SHIFT)
    qtbot.waitUntil(lambda: "A draft from the ticket" in editor.message.text(), timeout=10_000)
    assert "1 phone number" in editor.message.text()
    assert editor.title.text() == "Charged twice"
    body = editor.body.toPlainText()
    assert "I was charged twice this month." in body and "The duplicate charge is refunded." in body
    assert "Jane" not in body and "7946" not in body
    qtbot.waitUntil(lambda: editor.runner.in_flight == 0, timeout=5000)
    assert not editor.may_edit and not editor.publish_button.isEnabled()  # agents write drafts, editors publish

    qtbot.keyClick(editor, Qt.Key.Key_P, CTRL | SHIFT)  # the key does nothing the database would refuse
    qtbot.waitUntil(lambda: editor.runner.in_flight == 0, timeout=5000)
    with gui_guard.paused():
        mine = as_(engine, "alice", lambda uow: kb.list_articles(uow))
        assert [(a.title, a.state) for a in mine] == [("Charged twice", ArticleState.DRAFT)]
        assert as_(engine, "bob", lambda uow: kb.list_articles(uow)) == []  # a colleague does not see her draft
    editor.close()
    close_window(window, qtbot)
