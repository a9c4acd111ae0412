"""Assigning in the desktop client, by keys and clicks on a real database: A (and "Assign to me") takes an
unassigned ticket at once and asks before taking a colleague's; the assignee in the header is chosen by
typing (the queue's agents, or Nobody) and saved with Ctrl+S; what the login may not do is refused by the
database and shown as its sentence. What landed is read back through the person's own login."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.bootstrap import Runtime
from app.services.desk import HelpDesk
from app.views.header_form import NOBODY_LABEL
from app.views.main_window import MainWindow
from tests.support.desk_window import close_window, go_to, keyboard_on_queue, open_window, press, runtime_as
from tests.support.desk_window import create_billing_ticket as create
from tests.support.world import World, build_world

pytestmark = pytest.mark.slow

# The type-ahead is a popup; the offscreen platform of the tests can neither raise it nor grab the keyboard
# for it (a real display can): the only Qt warnings these tests let pass.
offscreen_popups = pytest.mark.qt_log_ignore(
    "^This plugin does not support grabbing the keyboard$", "^This plugin does not support raise\\(\\)$"
)
REFUSED_FOR_AGENTS = "Only a supervisor who leads the queue, or an admin, assigns tickets to others"


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    return build_world(committed_runtime.session_factory)


def assignee_seen_by(engine: Engine, person: str, ticket_id: int) -> str | None:
    """The ticket's assignee as the person's own login reads it."""
    return HelpDesk(runtime_as(engine, person)).tickets.ticket(ticket_id).ticket.assignee_name


def confirmation(qtbot: QtBot, window: MainWindow) -> QMessageBox:
    qtbot.waitUntil(lambda: getattr(window.editor, "take_confirmation", None) is not None)
    box = window.editor.take_confirmation
    qtbot.waitUntil(box.isVisible)
    return box


def settled(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.runner.in_flight == 0, timeout=10_000)


def test_a_asks_before_taking_a_colleagues_ticket_and_takes_an_unassigned_one_at_once(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    bobs = create(world, "Refund for a double charge", assignee="bob")
    free = create(world, "Card declined")
    window = open_window(qtbot, engine, tmp_path, "carol")  # carol leads Billing: she may take bob's

    go_to(qtbot, window, bobs.number)
    press(qtbot, Qt.Key.Key_A)
    box = confirmation(qtbot, window)
    assert box.text() == f"Take #{bobs.number} from Bob Baker?"
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # Esc: it stays with bob
    qtbot.waitUntil(lambda: not box.isVisible())
    settled(qtbot, window)
    assert assignee_seen_by(engine, "carol", bobs.id) == "Bob Baker"

    keyboard_on_queue(qtbot, window)
    press(qtbot, Qt.Key.Key_A)
    box = confirmation(qtbot, window)
    qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter: take it
    qtbot.waitUntil(lambda: window.editor.header_form.assignee.currentText() == "Carol Chen", timeout=5000)
    assert assignee_seen_by(engine, "carol", bobs.id) == "Carol Chen"

    go_to(qtbot, window, free.number)
    window.editor.take_confirmation = None  # type: ignore[assignment]
    qtbot.mouseClick(window.editor.assign_me, Qt.MouseButton.LeftButton)  # unassigned: no question
    qtbot.waitUntil(lambda: window.editor.header_form.assignee.currentText() == "Carol Chen", timeout=5000)
    assert window.editor.take_confirmation is None
    assert assignee_seen_by(engine, "carol", free.id) == "Carol Chen"
    close_window(window, qtbot)


def test_taking_a_ticket_from_unassigned_keeps_it_open_and_j_goes_on_from_where_it_stood(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    """A in Unassigned: its row leaves the view, and the window opened whichever ticket took its place
    (with no row highlighted). The taken ticket stays open, the status bar says so, J goes to the next."""
    tickets = [create(world, subject) for subject in ("First in line", "Second in line", "Third in line")]
    window = open_window(qtbot, engine, tmp_path, "alice")
    window.navigation.choose("unassigned")
    qtbot.waitUntil(lambda: window.model.rowCount() == 3 and window.editor.detail is not None, timeout=5000)
    keyboard_on_queue(qtbot, window)
    window.table.select_ticket(tickets[1].id)
    qtbot.waitUntil(lambda: window.editor.detail is not None and window.editor.detail.ticket.id == tickets[1].id)
    press(qtbot, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5000)
    settled(qtbot, window)
    assert window.editor.detail is not None and window.editor.detail.ticket.id == tickets[1].id
    assert window.editor.header_form.assignee.currentText() == "Alice Archer"
    assert window.status.currentMessage() == f"#{tickets[1].number} is yours now."
    assert window.table.selected_ids() == []
    press(qtbot, Qt.Key.Key_J)  # the row that took its place
    qtbot.waitUntil(lambda: window.editor.detail is not None and window.editor.detail.ticket.id != tickets[1].id)
    assert window.table.selected_ids() == [window.editor.detail.ticket.id]
    close_window(window, qtbot)


def test_an_agent_confirming_a_take_from_a_colleague_reads_the_databases_refusal(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    bobs = create(world, "Refund for a double charge", assignee="bob")
    window = open_window(qtbot, engine, tmp_path, "alice")

    go_to(qtbot, window, bobs.number)
    qtbot.mouseClick(window.editor.assign_me, Qt.MouseButton.LeftButton)  # the button asks too
    box = confirmation(qtbot, window)
    assert box.text() == f"Take #{bobs.number} from Bob Baker?"
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: getattr(window.editor, "error_box", None) is not None, timeout=5000)
    assert window.editor.error_box.text() == REFUSED_FOR_AGENTS
    assert assignee_seen_by(engine, "alice", bobs.id) == "Bob Baker"
    window.editor.error_box.close()
    close_window(window, qtbot)


def choose_assignee(qtbot: QtBot, window: MainWindow, typed: str, offered: list[str]) -> None:
    """Click the assignee, type part of a name: the matches pop up; Down and Enter take the first."""
    combo = window.editor.header_form.assignee
    line = combo.lineEdit()
    assert line is not None
    qtbot.mouseClick(line, Qt.MouseButton.LeftButton)
    qtbot.keyClick(line, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(line, typed)
    completer = combo.completer()
    assert completer is not None
    popup = completer.popup()
    assert popup is not None
    qtbot.waitUntil(popup.isVisible)
    model = popup.model()
    assert [model.index(row, 0).data() for row in range(model.rowCount())] == offered
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not popup.isVisible())
    assert combo.currentText() == offered[0]


def save_header(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.editor.header_form.subject, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


@offscreen_popups
def test_a_lead_assigns_to_anyone_in_the_queue_by_typing_and_unassigns(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    ticket = create(world, "Refund for a double charge")
    window = open_window(qtbot, engine, tmp_path, "carol")
    go_to(qtbot, window, ticket.number)
    combo = window.editor.header_form.assignee
    offered = [combo.itemText(i) for i in range(combo.count())]
    assert offered == [NOBODY_LABEL, "Alice Archer", "Bob Baker", "Carol Chen"]  # Billing's agents and its lead

    choose_assignee(qtbot, window, "ak", ["Bob Baker"])  # part of a name, in the middle
    window.editor.header_form.tags.setText("vip")  # an edit saved with it, in the same transaction
    save_header(qtbot, window)
    qtbot.waitUntil(lambda: window.editor.detail.ticket.assignee_name == "Bob Baker", timeout=5000)  # type: ignore[union-attr]
    seen = HelpDesk(runtime_as(engine, "carol")).tickets.ticket(ticket.id).ticket
    assert (seen.assignee_name, seen.tags) == ("Bob Baker", ("vip",))

    choose_assignee(qtbot, window, "nob", [NOBODY_LABEL])
    save_header(qtbot, window)
    qtbot.waitUntil(lambda: window.editor.detail.ticket.assignee_id is None, timeout=5000)  # type: ignore[union-attr]
    assert assignee_seen_by(engine, "carol", ticket.id) is None
    assert combo.currentText() == NOBODY_LABEL
    close_window(window, qtbot)


@offscreen_popups
def test_an_agent_may_unassign_her_own_ticket_but_not_give_it_to_a_colleague(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    ticket = create(world, "Refund for a double charge", assignee="alice")
    window = open_window(qtbot, engine, tmp_path, "alice")
    go_to(qtbot, window, ticket.number)

    choose_assignee(qtbot, window, "bob", ["Bob Baker"])
    window.editor.header_form.tags.setText("vip")
    save_header(qtbot, window)
    qtbot.waitUntil(lambda: getattr(window.editor, "error_box", None) is not None, timeout=5000)
    assert window.editor.error_box.text() == REFUSED_FOR_AGENTS  # the database's sentence
    seen = HelpDesk(runtime_as(engine, "alice")).tickets.ticket(ticket.id).ticket
    assert (seen.assignee_name, seen.tags) == ("Alice Archer", ())  # nothing of the gesture was saved
    qtbot.keyClick(window.editor.error_box, Qt.Key.Key_Return)  # OK
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    window.editor.error_box = None  # type: ignore[assignment]
    window.activateWindow()  # offscreen Qt leaves no window active after a dialog closes
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)

    choose_assignee(qtbot, window, "nobody", [NOBODY_LABEL])
    window.editor.header_form.tags.clear()
    save_header(qtbot, window)
    qtbot.waitUntil(
        lambda: window.editor.detail.ticket.assignee_id is None or window.editor.error_box is not None,  # type: ignore[union-attr]
        timeout=5000,
    )
    assert window.editor.error_box is None
    assert assignee_seen_by(engine, "alice", ticket.id) is None
    close_window(window, qtbot)


@offscreen_popups
def test_the_queues_lead_is_offered_though_not_a_member_and_can_be_given_the_ticket(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    """Carol leads Billing without working it as a member; the database lets her hold its tickets
    (`works_queue`), so the picker offers her — to her, and to an agent of the queue, who reads it the same
    way through her own login. Dave (Tech only) is offered to neither."""
    bobs = create(world, "Refund for a double charge", assignee="bob")
    alice = open_window(qtbot, engine, tmp_path / "alice", "alice")
    go_to(qtbot, alice, bobs.number)
    combo = alice.editor.header_form.assignee
    assert [combo.itemText(i) for i in range(combo.count())] == [
        NOBODY_LABEL,
        "Alice Archer",
        "Bob Baker",
        "Carol Chen",
    ]
    close_window(alice, qtbot)

    carol = open_window(qtbot, engine, tmp_path / "carol", "carol")
    go_to(qtbot, carol, bobs.number)
    choose_assignee(qtbot, carol, "car", ["Carol Chen"])  # her own name, typed, as for anyone else
    save_header(qtbot, carol)
    qtbot.waitUntil(lambda: carol.editor.detail.ticket.assignee_name == "Carol Chen", timeout=5000)  # type: ignore[union-attr]
    assert assignee_seen_by(engine, "alice", bobs.id) == "Carol Chen"
    picker = carol.editor.header_form.assignee
    assert "Dave Dunn" not in [picker.itemText(i) for i in range(picker.count())]
    close_window(carol, qtbot)
