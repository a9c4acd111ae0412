"""Global search and the knowledge panel, by keys on a real database through alice's own login: `/` opens
search from the queue, results arrive as she types (from the database while the index is rebuilt, and it
says so; from the index after), grouped, Enter opens the ticket; the GUI thread never waits on the database
meanwhile (the guard watches through the rebuild). F2 shows suggested articles and similar tickets for the open
ticket; Ctrl+I puts the article's text into the reply, which is sent and read back through her login."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.bootstrap import Runtime
from app.services.desk import HelpDesk
from app.services.platform.database.dsn import libpq_dsn
from app.services.search.service import Search
from app.services.search.store import IndexHome
from app.services.tickets import service
from app.views.global_search import LIMIT, GlobalSearch, group_heading
from app.views.main_window import MainWindow
from tests.support.desk_window import close_window, open_desk_window, runtime_as
from tests.support.gui_thread import GuiThreadGuard
from tests.support.queue_rows import listed
from tests.support.world import World, build_world

pytestmark = pytest.mark.slow
ARTICLE_BODY = "Switch the printer off at the wall, wait ten seconds, and call facilities if it smokes."
INTERNAL_BODY = "Agents only: a toner smoke claim is signed off by the office manager, never promised to a customer."


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    world = build_world(committed_runtime.session_factory)
    for person, queue, subject, body in [
        ("alice", world.billing, "Printer on fire", "The office printer is on fire since Monday."),
        ("alice", world.billing, "Invoice missing for March", "Where is the March invoice?"),
        ("dave", world.tech, "Printer firmware secret", "Tech only: the printer firmware key."),
    ]:
        with world.uow(person) as uow:
            service.create_ticket(uow, subject=subject, customer_id=world.jane, queue_id=queue, body=body)
            uow.commit()
    with committed_runtime.uow() as uow:
        for title, body, state, visibility in [
            ("When a printer is on fire", ARTICLE_BODY, "published", "public"),
            ("Toner smoke: the insurance claim", INTERNAL_BODY, "published", "internal"),
            ("Office move since Monday", "The office moved since Monday: archived.", "archived", "public"),
        ]:
            uow.session.connection().exec_driver_sql(
                "INSERT INTO switchboard.knowledge_article (title, body, state, visibility) VALUES (%s, %s, %s, %s)",
                (title, body, state, visibility),
            )
        uow.commit()
    return world


@pytest.fixture
def search(engine: Engine, tmp_path: Path) -> Iterator[Search]:
    runtime = runtime_as(engine, "alice")
    url = engine.url
    home = IndexHome.for_login("gui", str(url.database), f"{url.database}_alice", base=tmp_path / "search")
    found = Search(runtime, home)
    yield found
    found.close()


def ready_window(qtbot: QtBot, engine: Engine, tmp_path: Path, search: Search) -> MainWindow:
    window = open_desk_window(qtbot, engine, tmp_path, person="alice")
    window.enable_search(search)
    for menu, text in (("View", "Search everything…"), ("Knowledge", "Knowledge panel")):  # not only in "?"
        assert window.actions_by_text[text] in window.menus[menu].actions()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.editor.vocabulary is not None and window.runner.in_flight == 0, timeout=10_000)
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.table)
    return window


@pytest.mark.qt_log_ignore("^This plugin does not support raise\\(\\)$")  # offscreen Qt cannot raise a dialog
def test_slash_searches_as_you_type_during_a_rebuild_and_enter_opens_the_ticket(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path, search: Search, gui_guard: GuiThreadGuard
) -> None:
    window = ready_window(qtbot, engine, tmp_path, search)
    features = window.search_features
    assert features is not None
    dialog = features.dialog
    # The rebuild waits on the change log (a DBA holds it locked), so it is under way for as long as we need.
    with psycopg.connect(libpq_dsn(engine.url)) as dba:
        dba.execute("LOCK TABLE switchboard.change_log IN ACCESS EXCLUSIVE MODE")
        rebuild = threading.Thread(target=search.rebuild)
        rebuild.start()
        qtbot.waitUntil(lambda: search.status().state == "building")
        gui_guard.start()
        qtbot.keyClicks(window.table, "/")
        qtbot.waitUntil(dialog.isVisible)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.field)
        qtbot.keyClicks(dialog.field, "printe")  # as she types: the last word is a prefix
        qtbot.waitUntil(lambda: dialog.answered is not None and bool(dialog.answered.hits), timeout=10_000)
        assert dialog.answered is not None and dialog.answered.from_database
        assert "database" in dialog.note.text() and "built" in dialog.note.text()
        assert {h.title for h in dialog.hits_shown()} >= {"Printer on fire"}
        assert "Printer firmware secret" not in {h.title for h in dialog.hits_shown()}  # a Tech ticket
        rows = [w.text() for item in dialog._items() if isinstance(w := dialog.results.itemWidget(item, 0), QLabel)]
        assert any("Billing, New" in row for row in rows), rows  # the status as the queue says it, not its key
        dba.rollback()
    with gui_guard.paused():
        rebuild.join(60)
    qtbot.keyClicks(dialog.field, "r fire")  # "printer fire": now from the index, typos and all
    qtbot.waitUntil(
        lambda: (
            dialog.answered is not None and dialog.answered.source == "index" and dialog.answered.query.endswith("fire")
        ),
        timeout=10_000,
    )
    shown = dialog.hits_shown()
    assert [h.title for h in shown if h.kind == "ticket"] == ["Printer on fire"]
    assert [h.title for h in shown if h.kind == "article"] == ["When a printer is on fire"]
    assert dialog.results.topLevelItem(0).text(0) == "Tickets (1)"  # type: ignore[union-attr]
    assert _row_texts(dialog) == [True, False]  # the chosen row in the highlight's text colour, all of it
    qtbot.keyClick(dialog.field, Qt.Key.Key_Down)
    assert _row_texts(dialog) == [False, True]
    qtbot.keyClick(dialog.field, Qt.Key.Key_Up)
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.editor.detail is not None and window.editor.detail.ticket.subject == "Printer on fire",
        timeout=10_000,
    )
    assert not dialog.isVisible()
    close_window(window, qtbot)


def test_the_knowledge_panel_suggests_an_article_and_ctrl_i_puts_it_in_the_reply(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path, search: Search
) -> None:
    search.rebuild()  # the test's own setup; the client does this on its sync thread
    window = ready_window(qtbot, engine, tmp_path, search)
    features = window.search_features
    assert features is not None
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=10_000)
    row = next(r for r, t in enumerate(listed(window.model)) if t.subject == "Printer on fire")
    window.table.selectRow(row)
    qtbot.waitUntil(
        lambda: window.editor.detail is not None and window.editor.detail.ticket.subject == "Printer on fire"
    )
    ticket_id = window.editor.detail.ticket.id  # type: ignore[union-attr]
    qtbot.keyClick(window.table, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: features.panel.loaded_for == ticket_id, timeout=10_000)
    assert features.panel.articles.item(0).text() == "When a printer is on fire"
    similar = [features.panel.tickets.item(r).text() for r in range(features.panel.tickets.count())]
    assert all("Printer on fire" not in t for t in similar) and all("firmware" not in t for t in similar)
    qtbot.keyClick(window.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: ARTICLE_BODY in window.editor.composer.toPlainText(), timeout=10_000)
    said = window.status.currentMessage()  # never unannounced: which article went in, and how to take it out
    assert said == "Inserted the article “When a printer is on fire” into the reply: Ctrl+Z takes it out."
    qtbot.keyClick(window.editor.composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # send
    qtbot.waitUntil(
        lambda: window.runner.in_flight == 0 and ARTICLE_BODY in window.editor.conversation.toPlainText(),
        timeout=10_000,
    )
    landed = HelpDesk(runtime_as(engine, "alice")).tickets.ticket(ticket_id)
    assert any(ARTICLE_BODY in m.body_text for m in landed.messages)
    close_window(window, qtbot)


@pytest.mark.qt_log_ignore("^This plugin does not support raise\\(\\)$")  # offscreen Qt cannot raise a dialog
def test_an_article_found_by_search_opens_and_ctrl_i_puts_it_in_the_reply(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path, search: Search
) -> None:
    search.rebuild()
    window = ready_window(qtbot, engine, tmp_path, search)
    features = window.search_features
    assert features is not None
    qtbot.waitUntil(lambda: window.model.rowCount() == 2 and window.editor.detail is not None, timeout=10_000)
    qtbot.keyClicks(window.table, "/")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is features.dialog.field)
    qtbot.keyClicks(features.dialog.field, "printer fire")
    qtbot.waitUntil(lambda: len(features.dialog.hits_shown()) == 2, timeout=10_000)
    assert [h.kind for h in features.dialog.hits_shown()] == ["ticket", "article"]  # grouped, tickets first
    qtbot.keyClick(features.dialog.field, Qt.Key.Key_Down)
    qtbot.keyClick(features.dialog.field, Qt.Key.Key_Return)
    view = features.article_view
    qtbot.waitUntil(lambda: view.isVisible() and ARTICLE_BODY in view.text.toPlainText(), timeout=10_000)
    assert view.windowTitle() == "When a printer is on fire"
    view.activateWindow()
    view.text.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.text)
    qtbot.keyClick(view.text, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: ARTICLE_BODY in window.editor.composer.toPlainText(), timeout=10_000)
    assert not view.isVisible()
    close_window(window, qtbot)


def _row_texts(dialog: GlobalSearch) -> list[bool]:
    """Per hit row: is it written in the highlight's text colour (and nothing in the dimmed one)?"""
    marks = []
    for item in dialog._items():
        label = dialog.results.itemWidget(item, 0)
        assert isinstance(label, QLabel)
        marks.append("highlighted-text" in label.text() and "placeholder-text" not in label.text())
    return marks


def test_a_full_group_says_it_shows_the_first_hits_not_all_that_were_found() -> None:
    assert group_heading("Tickets", 1) == "Tickets (1)"
    assert group_heading("Tickets", LIMIT) == f"Tickets (first {LIMIT})"


@pytest.mark.qt_log_ignore("^This plugin does not support raise\\(\\)$")  # offscreen Qt cannot raise a dialog
def test_a_full_group_ends_in_more_which_shows_that_kind_alone_and_every_kind_goes_back(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path, search: Search
) -> None:
    with world.uow("alice") as uow:
        for n in range(1, 8):
            service.create_ticket(
                uow, subject=f"Printer jam {n}", customer_id=world.jane, queue_id=world.billing, body="Paper jam."
            )
        uow.commit()
    search.rebuild()
    window = ready_window(qtbot, engine, tmp_path, search)
    dialog = window.search_features.dialog  # type: ignore[union-attr]
    qtbot.keyClicks(window.table, "/")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.field)
    qtbot.keyClicks(dialog.field, "printer")
    qtbot.waitUntil(lambda: len(dialog.hits_shown()) == LIMIT + 1, timeout=10_000)  # six tickets, the article
    assert dialog.results.topLevelItem(0).text(0) == f"Tickets (first {LIMIT})"  # type: ignore[union-attr]
    assert [dialog.results.itemWidget(row, 0).text() for row in dialog.widen_rows()] == [  # type: ignore[union-attr]
        "More tickets… (up to 50)"
    ]
    for _ in range(LIMIT):
        qtbot.keyClick(dialog.field, Qt.Key.Key_Down)
    assert dialog.results.currentItem() is dialog.widen_rows()[0]
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(dialog.hits_shown()) == 8, timeout=10_000)  # every ticket of hers, nothing else
    assert {h.kind for h in dialog.hits_shown()} == {"ticket"} and dialog.isVisible()
    assert dialog.results.topLevelItem(0).text(0) == "Tickets (8)"  # type: ignore[union-attr]
    qtbot.keyClicks(dialog.field, " jam")  # refining keeps to the kind chosen
    qtbot.waitUntil(lambda: len(dialog.hits_shown()) == 7, timeout=10_000)
    for _ in range(7):
        qtbot.keyClick(dialog.field, Qt.Key.Key_Down)
    assert dialog.results.currentItem() is dialog.widen_rows()[0]
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)  # "Every kind"
    qtbot.waitUntil(lambda: dialog.only_kind is None and len(dialog.hits_shown()) == LIMIT, timeout=10_000)
    assert dialog.widen_rows() and dialog.field.hasFocus()
    close_window(window, qtbot)


@pytest.mark.qt_log_ignore("^This plugin does not support raise\\(\\)$")  # offscreen Qt cannot raise a dialog
def test_an_internal_article_says_so_and_ctrl_i_puts_it_in_a_note_never_the_reply(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path, search: Search
) -> None:
    """An agent put an internal article (approval rules) into a reply and sent it: nothing said it was for
    agents only (usability probe, 2026-12-07). And the panel suggested an archived article."""
    search.rebuild()
    window = ready_window(qtbot, engine, tmp_path, search)
    features = window.search_features
    assert features is not None
    qtbot.waitUntil(lambda: window.model.rowCount() == 2 and window.editor.detail is not None, timeout=10_000)
    row = next(r for r, t in enumerate(listed(window.model)) if t.subject == "Printer on fire")
    window.table.selectRow(row)
    qtbot.waitUntil(lambda: window.editor.detail.ticket.subject == "Printer on fire")  # type: ignore[union-attr]
    ticket_id = window.editor.detail.ticket.id  # type: ignore[union-attr]
    qtbot.keyClick(window.table, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: features.panel.loaded_for == ticket_id, timeout=10_000)
    suggested = [features.panel.articles.item(r).text() for r in range(features.panel.articles.count())]
    assert "Toner smoke: the insurance claim  · Internal" in suggested  # it says so
    assert not any("Office move" in title for title in suggested)  # archived: never suggested
    window.editor.start_reply()
    window.table.setFocus()
    qtbot.keyClicks(window.table, "/")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is features.dialog.field)
    qtbot.keyClicks(features.dialog.field, "toner")
    qtbot.waitUntil(lambda: len(features.dialog.hits_shown()) == 1, timeout=10_000)
    assert features.dialog.hits_shown()[0].is_internal
    qtbot.keyClick(features.dialog.field, Qt.Key.Key_Return)
    view = features.article_view
    qtbot.waitUntil(lambda: view.isVisible() and INTERNAL_BODY in view.text.toPlainText(), timeout=10_000)
    assert view.marks.text().startswith("Internal: for agents only.")
    assert view.insert_button.text() == "Insert into a note (Ctrl+I)"
    view.activateWindow()
    view.text.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.text)
    qtbot.keyClick(view.text, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    panel = window.editor.composer_panel
    qtbot.waitUntil(lambda: panel.mode == "note" and INTERNAL_BODY in window.editor.composer.toPlainText())
    assert window.status.currentMessage().startswith(
        "Inserted the article “Toner smoke: the insurance claim” into a note"
    )
    panel.start("reply")
    assert INTERNAL_BODY not in window.editor.composer.toPlainText()  # the reply holds none of it
    close_window(window, qtbot)
