"""Journeys through the real window on a real database: open a queue, open a ticket, reply, add a note,
change status, meet a conflict, get a draft back, see a colleague's change arrive — while the GUI thread
never waits on the database, even a slow one (the guard in tests/support/gui_thread.py; how long it is busy
is measured by the benchmarks)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import URL

from app.bootstrap import Runtime
from app.services.desk import HelpDesk
from app.services.desk_api import Desk, TicketArea
from app.services.platform.actor import Actor
from app.services.platform.database.engine import build_engine
from app.services.platform.uow import UnitOfWorkSource
from app.services.tickets import service
from app.services.tickets.dto import TicketDetail
from app.services.tickets.work import TicketWork
from app.views.drafts import DraftStore
from app.views.editor import CONVERSATION_TAB, HISTORY_TAB
from app.views.main_window import MainWindow
from app.views.memory import settle_memory
from app.views.tasks import TaskRunner
from app.vocabulary import MessageKind
from tests.support.desk_window import close_window, open_desk_window, runtime_as, wait_until_listening
from tests.support.gui_thread import GuiThreadGuard
from tests.support.queue_rows import listed
from tests.support.typing_client import TEXT as TYPED
from tests.support.world import World, build_world, login_url

pytestmark = pytest.mark.slow


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    world = build_world(committed_runtime.session_factory)
    with world.uow("alice") as uow:
        for subject in ("Printer on fire", "VPN drops hourly", "Invoice INV-2026-00042 is wrong"):
            service.create_ticket(
                uow, subject=subject, customer_id=world.jane, queue_id=world.billing, body=f"{subject}. Please help."
            )
        uow.commit()
    return world


def open_window(qtbot: QtBot, engine: Engine, tmp_path: Path, *, live_updates: bool = False) -> MainWindow:
    window = open_desk_window(qtbot, engine, tmp_path, live_updates=live_updates)
    qtbot.waitUntil(lambda: window.model.rowCount() == 3 and window.editor.detail is not None, timeout=10_000)
    settle_memory()  # as run_desktop does once the window is up
    return window


close = close_window  # quitting joins the listener thread (one 200 ms poll): not part of a journey measured


@pytest.mark.qt_log_ignore(  # the status menu is a popup: offscreen Qt can neither raise it nor grab keys
    "^This plugin does not support grabbing the keyboard$", "^This plugin does not support raise\\(\\)$"
)
def test_open_a_queue_reply_note_and_change_status(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path, gui_guard: GuiThreadGuard
) -> None:
    """By keys, as an agent works: R, the reply, Ctrl+Enter; N, the note, Ctrl+Enter; S, the status, Enter.
    What landed is read through alice's own login: a public reply (the first response) and an internal note,
    not two replies, and the status."""
    window = open_window(qtbot, engine, tmp_path)
    assert window.current_view is not None and window.current_view.key == "open"  # nothing of alice's yet
    editor = window.editor
    first = editor.detail.ticket  # type: ignore[union-attr]
    window.table.setFocus()
    gui_guard.start()

    def press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        focus = QApplication.focusWidget()
        assert focus is not None, "nothing has the keyboard"
        qtbot.keyClick(focus, key, modifier)

    def sent(text: str) -> bool:
        return text in editor.conversation.toPlainText() and QApplication.focusWidget() is window.table

    press(Qt.Key.Key_R)
    qtbot.keyClicks(QApplication.focusWidget(), "We are on it.")
    press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: sent("We are on it."), timeout=5000)  # and the keyboard is back on the queue
    assert editor.composer.toPlainText() == ""
    press(Qt.Key.Key_N)
    qtbot.keyClicks(QApplication.focusWidget(), "Checked the logs.")
    press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: sent("Checked the logs."), timeout=5000)
    press(Qt.Key.Key_S)
    menu = QApplication.activePopupWidget()
    assert menu is editor.status_menu
    for _ in range(len(menu.actions())):  # down the allowed moves to "Pending third party"
        if (active := menu.activeAction()) is not None and active.data() == "pending":
            break
        qtbot.keyClick(menu, Qt.Key.Key_Down)
    qtbot.keyClick(menu, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: (window.model.ticket_by_id(first.id) or first).status == "pending", timeout=5000)

    with gui_guard.paused():
        landed = HelpDesk(runtime_as(engine, "alice")).tickets.ticket(first.id)
    kinds = [(m.kind, m.body_text) for m in landed.messages[1:]]
    assert kinds == [(MessageKind.PUBLIC_REPLY, "We are on it."), (MessageKind.INTERNAL_NOTE, "Checked the logs.")]
    assert landed.ticket.first_response_at is not None and landed.ticket.status == "pending"
    close(window, qtbot)


@pytest.mark.qt_log_ignore(  # the response picker is a popup: offscreen Qt can neither raise it nor grab keys
    "^This plugin does not support grabbing the keyboard$", "^This plugin does not support raise\\(\\)$"
)
def test_triage_a_ticket_in_six_keys(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path, gui_guard: GuiThreadGuard
) -> None:
    """Open the next ticket, read it, apply a response, set the status, send, land on the next one: six keys
    pressed where the keyboard is (issue 11's goal; the README's shortcut table documents the same keys)."""
    with world.trusted_uow() as uow:
        for title, body in (
            ("Need more details", "Hi {customer_first_name}, could you send a screenshot of the error?"),
            ("Thanks, looking into it", "Hi {customer_first_name}, we are on it."),
        ):
            uow.session.execute(
                text("INSERT INTO switchboard.canned_response (title, body) VALUES (:t, :b)"), {"t": title, "b": body}
            )
        uow.commit()
    window = open_window(qtbot, engine, tmp_path)
    editor, picker = window.editor, window.editor.composer_panel.picker
    first, second, third = listed(window.model)[:3]
    window.table.setFocus()  # the agent starts on the queue, on the first ticket
    assert editor.detail is not None and editor.detail.ticket.id == first.id
    gui_guard.start()
    presses: list[str] = []

    def press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        focus = QApplication.focusWidget()
        assert focus is not None, "nothing has the keyboard"
        qtbot.keyClick(focus, key, modifier)
        presses.append(QKeySequence(key.value | modifier.value).toString())

    press(Qt.Key.Key_J)  # 1: open the next ticket
    qtbot.waitUntil(lambda: editor.detail is not None and editor.detail.ticket.id == second.id, timeout=5000)
    assert f"{second.subject}. Please help." in editor.conversation.toPlainText()  # read it
    press(Qt.Key.Key_R)  # 2: reply
    press(Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)  # 3: the response picker
    qtbot.waitUntil(lambda: picker.isVisible() and picker.responses is not None, timeout=5000)
    press(Qt.Key.Key_N)  # 4: "n" finds "Need more details"
    press(Qt.Key.Key_Return)  # 5: inserts it, once
    assert editor.composer_panel.then() == "answered"  # the status: preselected, the likely one after a reply
    press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)  # 6: send, next
    qtbot.waitUntil(
        lambda: (
            editor.detail is not None
            and editor.detail.ticket.id == third.id
            and QApplication.focusWidget() is window.table
        ),
        timeout=10_000,
    )
    assert len(presses) == 6, presses

    with gui_guard.paused():
        landed = HelpDesk(runtime_as(engine, "alice")).tickets.ticket(second.id)
    reply = landed.messages[-1]
    assert reply.kind is MessageKind.PUBLIC_REPLY and reply.author_name == "Alice Archer"
    assert reply.body_text == "Hi Jane, could you send a screenshot of the error?"
    assert (landed.ticket.status, landed.ticket.version) == ("answered", second.version + 1)  # one transaction
    assert landed.ticket.first_response_at is not None
    assert editor.composer.toPlainText() == ""
    close(window, qtbot)


def test_a_colleagues_save_in_between_opens_the_conflict_dialog_and_keeps_my_text(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path, gui_guard: GuiThreadGuard
) -> None:
    window = open_window(qtbot, engine, tmp_path)
    gui_guard.start()
    editor = window.editor
    ticket = editor.detail.ticket  # type: ignore[union-attr]
    with gui_guard.paused(), world.uow("carol") as uow:  # carol changes the ticket after alice opened it
        service.change_status(uow, ticket_id=ticket.id, status="in_progress", expected_version=ticket.version)
        uow.commit()
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_R)
    qtbot.keyClicks(editor.composer, "My careful answer")
    qtbot.keyClick(editor.composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: getattr(editor, "conflict_dialog", None) is not None and editor.conflict_dialog.isVisible(),
        timeout=5000,
    )
    assert "Carol Chen" in editor.conflict_dialog.windowTitle() or "Carol" in _dialog_text(editor.conflict_dialog)
    assert editor.composer.toPlainText() == "My careful answer"
    qtbot.mouseClick(editor.conflict_dialog.reload_button, Qt.MouseButton.LeftButton)  # reload, keep my text
    qtbot.waitUntil(lambda: editor.detail is not None and editor.detail.ticket.status == "in_progress", timeout=5000)
    assert editor.composer.toPlainText() == "My careful answer"
    with gui_guard.paused():
        landed = HelpDesk(runtime_as(engine, "alice")).tickets.ticket(ticket.id)
    assert [m.kind for m in landed.messages] == [MessageKind.CUSTOMER_MESSAGE]  # nothing of alice's went out
    assert landed.ticket.status == "in_progress"  # carol's change stands
    close(window, qtbot)


def _dialog_text(dialog: object) -> str:
    from PySide6.QtWidgets import QLabel, QTableWidget

    texts = [label.text() for label in dialog.findChildren(QLabel)]  # type: ignore[attr-defined]
    for table in dialog.findChildren(QTableWidget):  # type: ignore[attr-defined]
        texts += [table.item(r, c).text() for r in range(table.rowCount()) for c in range(table.columnCount())]
    return " ".join(texts)


def test_a_draft_survives_the_window(qtbot: QtBot, engine: Engine, world: World, tmp_path: Path) -> None:
    window = open_window(qtbot, engine, tmp_path)
    ticket_id = window.editor.detail.ticket.id  # type: ignore[union-attr]
    qtbot.keyClicks(window.editor.composer, "Half-written answer")
    assert "Half-written answer" in (tmp_path / "drafts" / "drafts.journal").read_text()  # at once, no delay
    assert ticket_id == window.editor.composer_panel.ticket_id
    window.shutdown()  # no orderly close: as after a crash, only what is on disk remains
    window.hide()
    again = open_window(qtbot, engine, tmp_path)
    qtbot.waitUntil(lambda: again.editor.composer.toPlainText() == "Half-written answer", timeout=5000)
    qtbot.keyClicks(again.editor.composer, ", and more")  # goes on at its end, not in front of it
    assert again.editor.composer.toPlainText() == "Half-written answer, and more"
    close(again, qtbot)


def test_another_processs_change_appears_without_a_refresh(
    qtbot: QtBot, engine: Engine, database_url: URL, world: World, tmp_path: Path, gui_guard: GuiThreadGuard
) -> None:
    window = open_window(qtbot, engine, tmp_path, live_updates=True)
    wait_until_listening(qtbot, window)
    gui_guard.start()
    target = window.model.ticket_at(1)
    assert target is not None
    with gui_guard.paused():
        done = run_cli(database_url, target.number)
    assert done.returncode == 0, done.stderr
    qtbot.waitUntil(  # a notification, not a poll: bench_client measures how soon (docs/benchmarks.md)
        lambda: (window.model.ticket_at(window.model.row_of(target.id) or 0) or target).status == "waiting",
        timeout=10_000,
    )
    close(window, qtbot)


def run_cli(database_url: URL, number: int) -> subprocess.CompletedProcess[str]:
    """A colleague's change, made by another process (the CLI, signed in as carol's own login)."""
    url = login_url(database_url, "carol").render_as_string(hide_password=False)
    command = [
        sys.executable,
        "-m",
        "app",
        "--database",
        url,
        "ticket",
        "status",
        str(number),
        "waiting",
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env={**os.environ})


def test_a_slow_database_never_freezes_the_window(
    qtbot: QtBot, database_url: URL, world: World, tmp_path: Path, gui_guard: GuiThreadGuard
) -> None:
    slow = build_engine(database_url)
    event.listen(slow, "begin", lambda connection: connection.exec_driver_sql("SELECT pg_sleep(0.25)"))
    try:
        window = open_window(qtbot, slow, tmp_path)
        gui_guard.start()
        window.move_selection(1)
        qtbot.waitUntil(
            lambda: window.editor.detail is not None and window.editor.detail.ticket.id == window.model.ticket_at(1).id,  # type: ignore[union-attr]
            timeout=10_000,
        )
        close(window, qtbot)
    finally:
        slow.dispose()


def test_a_lost_connection_shows_reconnecting_goes_read_only_and_comes_back(
    qtbot: QtBot, engine: Engine, database_url: URL, world: World, tmp_path: Path
) -> None:
    """The server kills the listener's backend: the window says so and goes read-only, the listener comes
    back on its own, catches up on a change made while it was away, and a change made after it listens
    again arrives by a live notice (not by the catch-up read of the views)."""
    window = open_window(qtbot, engine, tmp_path, live_updates=True)
    assert "Connecting" in window.connection_label.text() or window.bridge.listening  # type: ignore[union-attr]
    wait_until_listening(qtbot, window)
    assert "Connected" in window.connection_label.text()
    away, later = listed(window.model)[1], listed(window.model)[2]
    dba = database_url.set(drivername="postgresql").render_as_string(hide_password=False)
    dropped = qtbot.waitSignal(window.bridge.connection_changed, check_params_cb=lambda up: not up, timeout=5000)  # type: ignore[union-attr]
    with dropped, psycopg.connect(dba, autocommit=True) as connection:  # the server drops the live connection
        killed = connection.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = 'switchboard-live' AND datname = current_database()"
        ).fetchone()
    assert killed == (1,)
    assert "Reconnecting" in window.connection_label.text()
    assert window.editor.read_only and not window.editor.send_button.isEnabled()
    assert window.model.rowCount() == 3  # the last data stays on screen
    change_status_as(world, "carol", away.id, "waiting")  # while the listener is away

    wait_until_listening(qtbot, window)
    assert "Connected" in window.connection_label.text() and not window.editor.read_only
    qtbot.waitUntil(lambda: status_shown(window, away.id) == "waiting" and window.runner.in_flight == 0, timeout=5000)

    with qtbot.waitSignal(window.live_updates.arrived, timeout=5000) as arrived:
        change_status_as(world, "carol", later.id, "waiting")  # after it listens again
    assert [ticket.id for ticket in arrived.args[0]] == [later.id]
    assert status_shown(window, later.id) == "waiting"
    close(window, qtbot)


def change_status_as(world: World, person: str, ticket_id: int, status: str) -> None:
    """A colleague's change, committed through their own login."""
    with world.uow(person) as uow:
        service.change_status(uow, ticket_id=ticket_id, status=status, expected_version=None)
        uow.commit()


def status_shown(window: MainWindow, ticket_id: int) -> str | None:
    row = window.model.row_of(ticket_id)
    ticket = window.model.ticket_at(row) if row is not None else None
    return ticket.status if ticket is not None else None


def test_killing_the_app_mid_reply_and_starting_again_restores_the_draft(
    qtbot: QtBot, engine: Engine, database_url: URL, world: World, tmp_path: Path
) -> None:
    command = [
        sys.executable,
        "-m",
        "tests.support.typing_client",
        database_url.render_as_string(hide_password=False),
        str(tmp_path / "drafts"),
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as client:
        try:
            line = client.stdout.readline() if client.stdout else ""  # the last key is on its screen
            assert line.startswith("TYPED "), line
            ticket_id = int(line.split()[1])
        finally:
            client.kill()  # SIGKILL at once: no close event, no cleanup, no time for a timer to fire
            client.communicate(timeout=10)
    again = open_window(qtbot, engine, tmp_path)
    assert again.editor.detail is not None and again.editor.detail.ticket.id == ticket_id
    qtbot.waitUntil(lambda: again.editor.composer.toPlainText() == TYPED, timeout=5000)
    close(again, qtbot)


def test_colleagues_see_who_is_viewing_and_who_is_typing(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    alice = open_window(qtbot, engine, tmp_path / "alice", live_updates=True)
    carol_runtime = runtime_as(engine, "carol")
    carol = MainWindow(
        HelpDesk(carol_runtime),
        TaskRunner(),
        DraftStore(tmp_path / "carol"),
        listen=carol_runtime.listener(),
    )
    qtbot.addWidget(carol)
    carol.show()
    qtbot.waitUntil(lambda: carol.editor.detail is not None, timeout=10_000)
    shared = alice.editor.detail.ticket.id  # type: ignore[union-attr]
    row = carol.model.row_of(shared)
    assert row is not None
    carol.table.selectRow(row)
    qtbot.waitUntil(lambda: carol.editor.detail is not None and carol.editor.detail.ticket.id == shared)
    wait_until_listening(qtbot, alice)
    wait_until_listening(qtbot, carol)
    alice.presence_tracker.announce(shared, "viewing")
    qtbot.waitUntil(lambda: alice.runner.in_flight == 0)  # saved before she types: it must not land after 'typing'
    qtbot.waitUntil(lambda: "Alice Archer is viewing" in carol.editor.presence.text(), timeout=3000)
    qtbot.keyClicks(alice.editor.composer, "Let me answer this one")
    qtbot.waitUntil(lambda: "Alice Archer is typing" in carol.editor.presence.text(), timeout=3000)
    alice.presence_tracker.heartbeat()  # the 15-second heartbeat comes while alice is still typing
    qtbot.waitUntil(lambda: alice.runner.in_flight == 0)  # saved: she stays 'typing' where carol reads it
    with world.uow("carol") as uow:
        states = uow.session.execute(
            text(
                "SELECT p.state FROM switchboard.ticket_presence p JOIN switchboard.agent a ON a.id = p.agent_id "
                "WHERE p.ticket_id = :t AND a.display_name = 'Alice Archer'"
            ),
            {"t": shared},
        ).all()
    assert states == [("typing",)]
    assert "Alice Archer is typing" in carol.editor.presence.text()
    assert "Carol" not in carol.editor.presence.text()  # nobody is told about themselves
    close(carol, qtbot)
    close(alice, qtbot)


def test_hostile_customer_text_is_never_rich_text(qtbot: QtBot, engine: Engine, world: World, tmp_path: Path) -> None:
    with world.uow("alice") as uow:
        hostile = service.create_ticket(
            uow,
            subject="<b>Bold</b> <img src=/dev/zero>",
            customer_id=world.jane,
            queue_id=world.billing,
            body="<script>alert(1)</script>",
        ).ticket
        uow.commit()
    window = MainWindow(
        HelpDesk(runtime_as(engine, "alice")),
        TaskRunner(),
        DraftStore(tmp_path / "drafts"),
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.model.row_of(hostile.id) is not None, timeout=10_000)
    row = window.model.row_of(hostile.id)
    window.table.selectRow(row or 0)
    qtbot.waitUntil(lambda: window.editor.detail is not None and window.editor.detail.ticket.id == hostile.id)
    assert window.editor.subject.text() == "<b>Bold</b> <img src=/dev/zero>"
    assert "<script>alert(1)</script>" in window.editor.conversation.toPlainText()
    tooltip = window.model.data(window.model.index(row or 0, 1), Qt.ItemDataRole.ToolTipRole)
    assert tooltip == '<p style="white-space:pre-wrap">&lt;b&gt;Bold&lt;/b&gt; &lt;img src=/dev/zero&gt;</p>'
    close(window, qtbot)


def test_the_layout_and_column_choices_are_remembered(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    first = open_window(qtbot, engine, tmp_path)
    customer = 5
    first.table.horizontalHeader().setSectionHidden(customer, True)
    first.table.setColumnWidth(3, 133)  # the status (the subject takes what the others leave)
    first.splitter.setSizes([150, 900, 450])
    close(first, qtbot)
    second = open_window(qtbot, engine, tmp_path)
    assert second.table.horizontalHeader().isSectionHidden(customer)
    assert second.table.columnWidth(3) == 133
    second.table.horizontalHeader().setSectionHidden(customer, False)
    close(second, qtbot)


class _SlowFirstTicket(TicketWork):
    """One ticket takes long to load, as on a busy server."""

    def __init__(self, runtime: UnitOfWorkSource, me: Actor, slow_id: int) -> None:
        super().__init__(runtime, me)
        self.slow_id = slow_id

    def ticket(self, ticket_id: int) -> TicketDetail:
        if ticket_id == self.slow_id:
            time.sleep(0.8)
        return super().ticket(ticket_id)


def test_a_slow_load_never_lands_on_top_of_the_ticket_chosen_after_it(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    window = open_window(qtbot, engine, tmp_path)
    first, second = (listed(window.model)[i].id for i in (0, 1))
    slow = HelpDesk(runtime_as(engine, "alice"))
    slow.tickets = _SlowFirstTicket(slow.tickets.runtime, slow.me, slow_id=first)
    window.editor.desk = slow
    window.editor.open_ticket(first)  # slow
    window.editor.open_ticket(second)  # chosen after it, arrives first
    qtbot.waitUntil(lambda: window.runner.in_flight == 0, timeout=10_000)  # both answers are in
    assert window.editor.detail is not None and window.editor.detail.ticket.id == second
    close(window, qtbot)


def test_a_quick_second_gesture_never_conflicts_with_the_agents_own_first(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    """Saving the header, then at once 'assign to me': the second waits (its buttons are disabled) instead of
    carrying the same version and conflicting with the agent's own first change. The header — status and
    subject — is saved as one change."""
    window = open_window(qtbot, engine, tmp_path)
    editor = window.editor
    ticket = editor.detail.ticket  # type: ignore[union-attr]
    editor.subject.setText("Printer on fire, still")
    editor.status.setCurrentIndex(editor.status.findData("in_progress"))
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert not editor.assign_me.isEnabled()  # the first write is in flight
    qtbot.mouseClick(editor.assign_me, Qt.MouseButton.LeftButton)  # ignored: disabled
    editor.assign_to_me()  # a shortcut while disabled is ignored too
    qtbot.waitUntil(lambda: editor.assign_me.isEnabled(), timeout=10_000)
    qtbot.waitUntil(lambda: editor.detail is not None and editor.detail.ticket.version == ticket.version + 1)
    assert getattr(editor, "conflict_dialog", None) is None
    saved = editor.detail.ticket  # type: ignore[union-attr]
    assert (saved.subject, saved.status) == ("Printer on fire, still", "in_progress")
    close(window, qtbot)


def test_statuses_an_admin_adds_are_offered_everywhere_statuses_are_chosen(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO switchboard.ticket_status (key, label, category, position, is_builtin)"
            " VALUES ('on_hold_legal', 'On hold (legal)', 'paused', 9, false)"
        )
        connection.exec_driver_sql(  # offered where the lifecycle allows the move (issue 11, finding 4)
            "INSERT INTO switchboard.status_transition (from_status, to_status, kind)"
            " VALUES ('new', 'on_hold_legal', 'change')"
        )
    try:
        window = open_window(qtbot, engine, tmp_path)
        qtbot.waitUntil(lambda: window.filters.status.findData("on_hold_legal") >= 0, timeout=5000)
        assert window.filters.status.itemText(window.filters.status.findData("on_hold_legal")) == "On hold (legal)"
        assert window.editor.status.findData("on_hold_legal") >= 0
        close(window, qtbot)
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM switchboard.ticket_status WHERE key = 'on_hold_legal'")


def shown_state(qtbot: QtBot, window: MainWindow) -> dict[str, object]:
    """Everything the editor shows of its ticket (the history tab looked at, which may read it)."""
    editor, header, history = window.editor, window.editor.header_form, window.editor.history_tab
    editor.tabs.setCurrentIndex(HISTORY_TAB)
    qtbot.waitUntil(lambda: not history.stale and window.runner.in_flight == 0, timeout=10_000)
    state: dict[str, object] = {
        "detail": editor.detail,
        "header": (
            header.number.text(),
            header.subject.text(),
            header.status.currentData(),
            header.priority.currentText(),
            header.queue.currentData(),
            header.assignee.currentText(),
            header.tags.text(),
        ),
        "conversation": editor.conversation.toPlainText(),
        "history": [[history.item(r, c).text() for c in range(4)] for r in range(history.rowCount())],  # type: ignore[union-attr]
        "composer": (editor.composer.toPlainText(), editor.composer_panel.mode),
        "writable": (editor.isEnabled(), editor.send_button.isEnabled(), editor.save_button.isEnabled()),
    }
    editor.tabs.setCurrentIndex(CONVERSATION_TAB)
    return state


def reopened_state(qtbot: QtBot, window: MainWindow) -> dict[str, object]:
    """What opening the ticket afresh shows."""
    before = window.editor.detail
    window.editor.reload()
    qtbot.waitUntil(lambda: window.editor.detail is not before and window.runner.in_flight == 0, timeout=10_000)
    return shown_state(qtbot, window)


def test_after_its_own_writes_the_editor_shows_what_opening_the_ticket_afresh_shows(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    window = open_window(qtbot, engine, tmp_path)
    editor = window.editor
    version = editor.detail.ticket.version  # type: ignore[union-attr]
    then = editor.composer_panel.then_status
    qtbot.waitUntil(lambda: then.findData("pending") >= 0, timeout=5000)

    editor.start_reply()  # a reply that leaves the ticket pending: one write, a message and a status
    qtbot.keyClicks(editor.composer, "The duplicate charge is refunded.")
    then.setCurrentIndex(then.findData("pending"))
    qtbot.keyClick(editor.composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "The duplicate charge is refunded." in editor.conversation.toPlainText(), timeout=5000)
    after_reply = shown_state(qtbot, window)
    ticket = editor.detail.ticket  # type: ignore[union-attr]
    assert (ticket.status, ticket.version) == ("pending", version + 1)
    assert ticket.first_response_at is not None  # stamped by the database, carried back by the write
    assert after_reply == reopened_state(qtbot, window)

    editor.subject.setText("Printer on fire, refund sent")  # the header: status and fields as one write
    editor.status.setCurrentIndex(editor.status.findData("in_progress"))
    editor.header_form.priority.setCurrentText("High")
    editor.header_form.tags.setText("refund, vip")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.detail.ticket.version == version + 2, timeout=5000)  # type: ignore[union-attr]
    after_edit = shown_state(qtbot, window)
    assert (ticket := editor.detail.ticket).subject == "Printer on fire, refund sent"  # type: ignore[union-attr]
    assert (ticket.status, ticket.priority.label, ticket.tags) == ("in_progress", "high", ("refund", "vip"))
    assert after_edit == reopened_state(qtbot, window)

    editor.assign_to_me()
    qtbot.waitUntil(lambda: editor.detail.ticket.version == version + 3, timeout=5000)  # type: ignore[union-attr]
    after_assign = shown_state(qtbot, window)
    assert editor.header_form.assignee.currentText() == "Alice Archer"
    assert after_assign == reopened_state(qtbot, window)
    close(window, qtbot)


class CountingTickets:
    """The ticket area, every call counted by name (calls come from pool threads; list.append is atomic)."""

    def __init__(self, tickets: TicketArea) -> None:
        self._tickets = tickets
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> object:
        method = getattr(self._tickets, name)

        def counted(*args: object, **kwargs: object) -> object:
            self.calls.append(name)
            return method(*args, **kwargs)

        return counted


class CountingDesk:
    def __init__(self, desk: Desk) -> None:
        self._desk = desk
        self.counting = CountingTickets(desk.tickets)
        self.me, self.navigation, self.presence = desk.me, desk.navigation, desk.presence
        self.responses, self.routing = desk.responses, desk.routing
        self.knowledge = desk.knowledge

        self.supervision = desk.supervision

    @property
    def tickets(self) -> TicketArea:
        return self.counting  # type: ignore[return-value]


def test_a_write_reads_only_what_it_does_not_return_and_never_the_whole_ticket_again(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    window = open_window(qtbot, engine, tmp_path, live_updates=True)
    editor = window.editor
    desk = CountingDesk(editor.desk)
    editor.desk = desk
    calls = desk.counting.calls
    version = editor.detail.ticket.version  # type: ignore[union-attr]

    editor.start_reply()
    qtbot.keyClicks(editor.composer, "On it.")
    with qtbot.waitSignal(window.live_updates.arrived, timeout=5000):  # the write's own live echo, read and applied
        editor.send()
    qtbot.waitUntil(lambda: "On it." in editor.conversation.toPlainText() and window.runner.in_flight == 0)
    assert calls == ["reply", "message"]  # the new message by its id; the history tab is not shown

    editor.subject.setText("Printer on fire, still")
    with qtbot.waitSignal(window.live_updates.arrived, timeout=5000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.runner.in_flight == 0)
    assert editor.detail.ticket.version == version + 2  # type: ignore[union-attr]
    assert calls == ["reply", "message", "edit_ticket"]

    editor.tabs.setCurrentIndex(HISTORY_TAB)  # the history is read when it is looked at, once
    qtbot.waitUntil(lambda: not editor.history_tab.stale and window.runner.in_flight == 0)
    editor.tabs.setCurrentIndex(CONVERSATION_TAB)
    editor.tabs.setCurrentIndex(HISTORY_TAB)
    assert calls == ["reply", "message", "edit_ticket", "history"]

    editor.change_status_to("in_progress")  # with the history shown, it follows the write at once
    qtbot.waitUntil(lambda: editor.detail.ticket.status == "in_progress" and window.runner.in_flight == 0)  # type: ignore[union-attr]
    assert calls[4:] == ["change_status", "history"]
    assert not editor.history_tab.stale

    shown = editor.detail.ticket  # type: ignore[union-attr]
    with world.uow("carol") as uow:  # a colleague's change is still read in full
        service.change_status(uow, ticket_id=shown.id, status="pending", expected_version=shown.version)
        uow.commit()
    qtbot.waitUntil(lambda: editor.detail.ticket.status == "pending" and window.runner.in_flight == 0, timeout=5000)  # type: ignore[union-attr]
    assert calls[6:] == ["ticket", "history"]
    close(window, qtbot)
