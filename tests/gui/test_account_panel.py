"""The account panel beside the conversation (issue 16), on a real database and a real account tool on
loopback: filled in the background, its link opened, the customer's other tickets, the agent's audited
correction by keys, the worker's check shown (one line) where it contradicts the lookup; and while the tool
hangs the window never waits on it nor on the database (the GUI-thread guard), the ticket works (a reply
lands, read back through alice's own login), and the dead tool is one clear line."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt, QUrl
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, text
from werkzeug import Request, Response

from app.bootstrap import Runtime
from app.services.connectors import credentials
from app.services.connectors.discovery import ConnectorRegistry
from app.services.desk import HelpDesk
from app.services.search.service import Search
from app.services.search.store import IndexHome
from app.services.tickets import service
from app.views.drafts import DraftStore
from app.views.main_window import MainWindow
from app.views.queue_view import GIVES_WAY, MIN_SUBJECT_WIDTH, SUBJECT_COLUMN
from app.views.tasks import TaskRunner
from app.views.ticket_table import COLUMNS
from app.views.wrapping_row import WrappingRow
from tests.support.desk_window import close_window, runtime_as
from tests.support.gui_thread import GuiThreadGuard
from tests.support.tool import ACCOUNT, connector_settings
from tests.support.world import World, build_world

pytestmark = pytest.mark.slow
TOKEN = "panel-test-token"


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    world = build_world(committed_runtime.session_factory)
    with committed_runtime.uow() as uow:
        uow.session.execute(
            text("UPDATE switchboard.customer SET external_account_id = 'J-1' WHERE id = :c"), {"c": world.jane}
        )
        uow.commit()
    with world.uow("alice") as uow:
        for subject in ("Invoice twice", "Refund please"):
            service.create_ticket(uow, subject=subject, customer_id=world.jane, queue_id=world.billing, body="Hi")
        uow.commit()
    return world


def open_window(
    qtbot: QtBot, engine: Engine, tmp_path: Path, tool: HTTPServer, *, size: QSize | None = None, **options: object
) -> MainWindow:
    name = f"panel{id(tool)}"
    credentials.keep_for_session(name, TOKEN)
    settings = connector_settings(tool.url_for("/").rstrip("/"), name, **options)
    desk = HelpDesk(runtime_as(engine, "alice"), ConnectorRegistry({name: settings}))
    window = MainWindow(desk, TaskRunner(), DraftStore(tmp_path / "drafts"), accounts=desk.accounts)
    qtbot.addWidget(window)
    if size is not None:
        window.resize(size)
    window.show()
    qtbot.waitUntil(lambda: window.model.rowCount() == 2 and window.editor.detail is not None, timeout=10_000)
    return window


def test_the_panel_fills_in_the_background_opens_the_tool_and_an_agent_corrects_the_link(
    qtbot: QtBot,
    engine: Engine,
    committed_runtime: Runtime,
    world: World,
    tmp_path: Path,
    tool: HTTPServer,
    gui_guard: GuiThreadGuard,
) -> None:
    tool.expect_request("/api/accounts/J-1", headers={"Authorization": f"Bearer {TOKEN}"}).respond_with_json(ACCOUNT)
    tool.expect_request("/api/accounts/J-77").respond_with_json({**ACCOUNT, "id": "J-77", "status": "closed"})
    window = open_window(qtbot, engine, tmp_path, tool)
    gui_guard.start()
    panel = window.editor.account_panel
    assert panel is not None
    qtbot.waitUntil(lambda: panel.panel is not None and panel.panel.state == "fresh", timeout=10_000)
    assert panel.title.text() == "Account of Jane Doe"
    assert panel.headline.text() == "Account J-1 (from the customer's account id)"
    assert panel.freshness.text() == "fetched just now"
    shown = [panel.fields_form.itemAt(i).widget().text() for i in range(panel.fields_form.count())]  # type: ignore[union-attr]
    assert shown == ["Status", "active", "Plan", "Gold", "Region", "EU"]
    shown_subject = window.editor.detail.ticket.subject  # type: ignore[union-attr]
    assert panel.others.count() == 1  # the customer's other ticket, not the one open; its status in words
    assert shown_subject not in panel.others.item(0).text() and "(New)" in panel.others.item(0).text()
    opened: list[QUrl] = []
    panel.open_url = opened.append
    qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    assert [url.toString() for url in opened] == ["https://tool.example.test/players/J-1"]

    panel.key_edit.setFocus()
    panel.key_edit.selectAll()
    qtbot.keyClicks(panel.key_edit, "J-77")
    qtbot.keyClick(panel.key_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: panel.panel is not None and panel.panel.key == "J-77" and not panel.refreshing, timeout=10_000
    )
    assert ("Status", "closed") in panel.panel.fields  # type: ignore[union-attr]
    # What alice's own login reads back: the test's own blocking work, not the window's.
    with gui_guard.paused(), runtime_as(engine, "alice").uow() as uow:
        audited = uow.session.execute(
            text("SELECT actor_login, new_value FROM switchboard.audit_event WHERE action = 'link_account'")
        ).all()
    assert audited == [(world.login("alice"), "J-77")]

    # The worker's own check of J-77 says otherwise (the DBA's session stands in for the worker's login):
    # the panel shows the worker's answer and one line saying so.
    assert not panel.correction.isVisible()
    with gui_guard.paused(), committed_runtime.uow() as uow:
        uow.session.execute(
            text(
                "SELECT switchboard.account_verify_store(:c, :n, 'account_id', 'J-77', 'the test', NULL, true,"
                " CAST(:a AS jsonb), 3600, NULL)"
            ),
            {"c": world.jane, "n": f"panel{id(tool)}", "a": '{"tier": "standard"}'},
        )
        uow.commit()
    panel.show_ticket(panel.panel.ticket_id)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: panel.panel is not None and panel.panel.correction is not None, timeout=10_000)
    assert panel.correction.isVisible() and panel.correction.text().startswith("Your lookup differed from the worker")
    shown = [panel.fields_form.itemAt(i).widget().text() for i in range(panel.fields_form.count())]  # type: ignore[union-attr]
    assert shown == ["tier", "standard"] and panel.freshness.text() == "checked by the worker just now"
    assert not panel.open_button.isEnabled()
    close_window(window, qtbot)


def test_a_hanging_tool_never_stalls_the_window_the_ticket_works_and_the_panel_says_why(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path, tool: HTTPServer, gui_guard: GuiThreadGuard
) -> None:
    release = threading.Event()
    asked = threading.Event()

    def hang(_request: Request) -> Response:
        asked.set()
        release.wait(10)
        return Response(json.dumps(ACCOUNT), content_type="application/json")

    tool.expect_request("/api/accounts/J-1").respond_with_handler(hang)
    try:
        window = open_window(qtbot, engine, tmp_path, tool, read_timeout=1.5, deadline=2.0, retries=0)
        gui_guard.start()
        panel = window.editor.account_panel
        assert panel is not None
        qtbot.waitUntil(asked.is_set, timeout=10_000)
        assert panel.refreshing and panel.freshness.text() == "Asking the tool…"
        editor = window.editor
        editor.start_reply()  # the ticket works while the tool hangs
        qtbot.keyClicks(editor.composer, "Looking into it.")
        qtbot.keyClick(editor.composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: "Looking into it." in editor.conversation.toPlainText(), timeout=10_000)
        qtbot.waitUntil(lambda: not panel.refreshing, timeout=10_000)
        assert panel.problem.isVisible()
        assert "did not answer within" in panel.problem.text()
        assert panel.headline.text() == "Account J-1 (from the customer's account id)"
    finally:
        release.set()
    ticket_id = editor.detail.ticket.id  # type: ignore[union-attr]
    with gui_guard.paused(), runtime_as(engine, "alice").uow() as uow:  # the test's own blocking read
        bodies = (
            uow.session.execute(
                text("SELECT body_text FROM switchboard.message WHERE ticket_id = :t ORDER BY id"), {"t": ticket_id}
            )
            .scalars()
            .all()
        )
    assert bodies[-1] == "Looking into it."
    close_window(window, qtbot)


def _cut_off(row: WrappingRow) -> list[str]:
    """The widgets of a row that reach past its right edge (drawn cut, a drop-down without its arrow)."""
    cut = []
    for group in (row.first, row.second):
        for index in range(group.count()):
            item = group.itemAt(index)
            widget = item.widget() if item is not None else None
            if widget is not None and widget.geometry().right() >= row.width():
                cut.append(widget.objectName() or type(widget).__name__)
    return cut


def test_a_laptop_screen_holds_the_queue_the_ticket_its_account_and_the_knowledge_panel(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path, tool: HTTPServer
) -> None:
    """At 1366 x 768 the account panel beside the conversation held the ticket pane 717 px wide and the
    drop-downs above the queue 471: the queue's subject read "Su…", "then set status" lost its arrow, and
    F2's knowledge panel pushed the window 36 px past the screen. Rows of buttons stack instead."""
    tool.expect_request("/api/accounts/J-1").respond_with_json(ACCOUNT)
    window = open_window(qtbot, engine, tmp_path, tool, size=QSize(1366, 768))
    panel = window.editor.account_panel
    assert panel is not None
    qtbot.waitUntil(lambda: panel.panel is not None and panel.panel.state == "fresh", timeout=10_000)
    header = window.table.horizontalHeader()
    floors = [header.sectionSize(COLUMNS.index(name)) <= floor for name, floor in GIVES_WAY]
    assert header.sectionSize(SUBJECT_COLUMN) >= MIN_SUBJECT_WIDTH or all(floors)  # the others gave what they could
    assert not window.table.horizontalScrollBar().isVisible()  # every column shown fits
    composer = window.editor.composer_panel
    rows = (composer.modes, composer.actions, window.filters.choices)
    # The statuses arrive after the first page (a wider drop-down): the rows settle in a layout pass or two.
    qtbot.waitUntil(lambda: all(_cut_off(row) == [] for row in rows), timeout=5000)
    assert window.filters.choices.height() < 2 * window.filters.status.height()  # one row where it fits

    url = engine.url
    home = IndexHome.for_login("gui", str(url.database), f"{url.database}_alice", base=tmp_path / "search")
    search = Search(runtime_as(engine, "alice"), home)
    window.enable_search(search)
    qtbot.keyClick(window.table, Qt.Key.Key_F2)
    features = window.search_features
    assert features is not None
    qtbot.waitUntil(features.dock.isVisible)
    qtbot.waitUntil(lambda: window.runner.in_flight == 0, timeout=10_000)
    assert window.width() <= 1366 and window.minimumSizeHint().width() <= 1366
    assert features.dock.width() >= features.panel.minimumSizeHint().width()
    qtbot.waitUntil(lambda: all(_cut_off(row) == [] for row in rows), timeout=5000)
    close_window(window, qtbot)
    search.close()
