"""The routing engine in the desktop client, driven by keys and clicks on a real database: "Why this agent?"
in the ticket's header, the availability menu in the status bar (with the drain, the idle away and the away
on close), and "Get next ticket" (G, and in the command palette). What landed is read back through the
person's own login."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, text

from app.bootstrap import Runtime, event_handlers
from app.services.desk import HelpDesk
from app.services.routing import engine as routing
from app.services.tickets import service
from app.services.tickets.dto import TicketSummary
from app.views.idle import IDLE_MINUTES_KEY
from app.views.main_window import MainWindow
from app.views.next_ticket import NO_QUEUE, NOTHING_WAITING
from app.views.routing_dialog import CANDIDATE_COLUMNS, RoutingDialog
from app.vocabulary import Availability
from tests.support.desk_window import close_window, keyboard_on_queue, open_desk_window, press, runtime_as
from tests.support.world import World, build_world

pytestmark = pytest.mark.slow


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    return build_world(committed_runtime.session_factory)


def set_availability(world: World, person: str, state: Availability) -> None:
    with world.uow(person, handlers=event_handlers()) as uow:
        routing.set_availability(uow, state)
        uow.commit()


def create(world: World, subject: str, *, queue: int | None = None, routed: bool = True) -> TicketSummary:
    """A ticket as carol's intake creates it: push-routed unless `routed` is false."""
    with world.uow("carol", handlers=event_handlers() if routed else None) as uow:
        created = service.create_ticket(
            uow, subject=subject, customer_id=world.jane, queue_id=queue or world.billing, body=f"{subject}."
        )
        uow.commit()
    return created.ticket


def open_window(qtbot: QtBot, engine: Engine, tmp_path: Path, rows: int) -> MainWindow:
    window = open_desk_window(qtbot, engine, tmp_path)
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.model.rowCount() == rows and window.availability.state is not None, timeout=10_000)
    return window


close = close_window


def go_to(qtbot: QtBot, window: MainWindow, number: int) -> None:
    """Ctrl+G, the number, Enter: the ticket opens."""
    keyboard_on_queue(qtbot, window)
    press(qtbot, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.command_palette.isVisible())
    qtbot.keyClicks(window.command_palette.search_field, str(number))
    qtbot.keyClick(window.command_palette.search_field, Qt.Key.Key_Return)  # at once: it opens when found
    qtbot.waitUntil(
        lambda: window.editor.detail is not None and window.editor.detail.ticket.number == number, timeout=5000
    )


def run_command(qtbot: QtBot, window: MainWindow, typed: str) -> None:
    """Ctrl+K, a few words of the command, Enter."""
    keyboard_on_queue(qtbot, window)
    press(qtbot, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.command_palette.isVisible())
    qtbot.keyClicks(window.command_palette.search_field, typed)
    qtbot.waitUntil(lambda: not window.command_palette.searching, timeout=5000)
    qtbot.keyClick(window.command_palette.search_field, Qt.Key.Key_Return)


def cells(table: QTableWidget, column: int) -> list[str]:
    return [item.text() if (item := table.item(row, column)) is not None else "" for row in range(table.rowCount())]


def why(qtbot: QtBot, window: MainWindow) -> RoutingDialog:
    """Click "Why this agent?" beside the assignee; the decision arrives in the background."""
    qtbot.mouseClick(window.editor.header_form.why_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(window.editor, "routing_dialog", None) is not None, timeout=5000)
    dialog = window.editor.routing_dialog
    qtbot.waitUntil(lambda: dialog.state == "shown", timeout=5000)
    return dialog


def test_why_this_agent_says_who_got_it_why_and_who_was_left_out(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    set_availability(world, "bob", Availability.AVAILABLE)
    routed = create(world, "Refund for a double charge")  # to bob: alice is offline
    set_availability(world, "bob", Availability.AWAY)
    nobody = create(world, "Card declined")  # bob away, alice offline: nobody eligible
    by_hand = create(world, "Address change", routed=False)
    window = open_window(qtbot, engine, tmp_path, rows=3)

    go_to(qtbot, window, routed.number)
    dialog = why(qtbot, window)
    explained = HelpDesk(runtime_as(engine, "alice")).routing.explain(routed.id)  # what alice may read
    assert explained is not None and explained.winner == "Bob Baker"
    assert dialog.headline.text().startswith(f"Routing gave #{routed.number} to Bob Baker on ")
    assert dialog.asked.text() == "Routing ran because a new ticket arrived (intake), asked through Carol Chen's login."
    assert explained.relaxed == ("language",)  # bob speaks no language on record
    assert dialog.relaxed.text() == "To find someone, routing relaxed: language (the built-in routing settings)."
    table = dialog.candidates
    headers = [table.horizontalHeaderItem(c) for c in range(table.columnCount())]
    assert [h.text() if h is not None else "" for h in headers] == CANDIDATE_COLUMNS
    bob = explained.candidates[0]
    assert cells(table, 1)[0] == "Bob Baker  (got it)" and cells(table, 2)[0] == f"{bob.total:.2f}"
    assert cells(table, 3) == [f.factor for f in bob.factors]  # each factor: its weighted score and its note
    assert cells(table, 4) == [f"{f.weighted:.2f}" for f in bob.factors]
    assert cells(table, 5) == [f.note for f in bob.factors]
    assert table.rowSpan(0, 1) == len(bob.factors)
    assert list(zip(cells(dialog.exclusions, 0), cells(dialog.exclusions, 1), strict=True)) == [
        ("Alice Archer", "offline")
    ]
    every_row = sum(table.rowHeight(r) for r in range(table.rowCount()))
    assert every_row <= table.viewport().height() <= every_row + table.rowHeight(0)  # its rows, no empty table
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())

    go_to(qtbot, window, nobody.number)
    dialog = why(qtbot, window)
    assert dialog.headline.text().startswith(f"Nobody was eligible for #{nobody.number} when routing last tried")
    assert "it waits, unassigned, until someone of its queue becomes available" in dialog.headline.text()
    assert not dialog.candidates.isVisibleTo(dialog)
    assert sorted(zip(cells(dialog.exclusions, 0), cells(dialog.exclusions, 1), strict=True)) == [
        ("Alice Archer", "offline"),
        ("Bob Baker", "away"),
    ]
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())

    go_to(qtbot, window, by_hand.number)
    dialog = why(qtbot, window)
    assert dialog.headline.text() == f"Routing has never decided on #{by_hand.number}: it waits for someone to take it."
    assert dialog.explanation is None and not dialog.exclusions.isVisibleTo(dialog)
    assert dialog.height() < 300  # one sentence and a Close button
    press(qtbot, Qt.Key.Key_Escape)
    close(window, qtbot)


@pytest.mark.qt_log_ignore(  # the menu is a popup: offscreen Qt can neither raise it nor grab keys
    "^This plugin does not support grabbing the keyboard$", "^This plugin does not support raise\\(\\)$"
)
def test_the_availability_menu_drains_goes_away_when_idle_and_on_close(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    QSettings().setValue(IDLE_MINUTES_KEY, 0.05)  # three seconds without input
    waiting = create(world, "Refund for a double charge")  # everyone offline: it waits for someone
    alice = HelpDesk(runtime_as(engine, "alice"))
    window = open_window(qtbot, engine, tmp_path, rows=1)
    menu = window.availability
    assert menu.text() == "Offline"  # as the database says: the default

    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(menu.states_menu.isVisible)
    qtbot.keyClick(menu.states_menu, Qt.Key.Key_A)  # &Available
    qtbot.waitUntil(lambda: menu.state is Availability.AVAILABLE, timeout=5000)
    assert menu.text() == "Available"
    assert window.status.currentMessage() == "You are available. Routing gave you 1 waiting ticket."
    assert alice.routing.availability() is Availability.AVAILABLE
    drained = alice.tickets.ticket(waiting.id).ticket
    assert drained.assignee_id == world.alice
    assert alice.routing.explain(waiting.id).asked_by == "drain"  # type: ignore[union-attr]

    # no input for three seconds: away, and routing gives her nothing new
    qtbot.waitUntil(lambda: menu.state is Availability.AWAY, timeout=10_000)
    assert window.status.currentMessage().startswith("You are away: no input for 3 seconds.")
    assert alice.routing.availability() is Availability.AWAY
    # back at the keyboard: still away until she says otherwise
    keyboard_on_queue(qtbot, window)
    press(qtbot, Qt.Key.Key_J)
    assert window.status.currentMessage().startswith("Welcome back. You are still away")
    assert window.runner.in_flight == 0 and menu.state is Availability.AWAY
    assert alice.routing.availability() is Availability.AWAY

    run_command(qtbot, window, "availability: available")  # the palette lists the states too
    qtbot.waitUntil(lambda: menu.state is Availability.AVAILABLE, timeout=5000)
    assert alice.routing.availability() is Availability.AVAILABLE
    assert window.status.currentMessage() == "You are available: routing gives you tickets. Nothing was waiting."

    close(window, qtbot)  # signing out: away, so routing stops giving her tickets
    assert alice.routing.availability() is Availability.AWAY


def test_get_next_ticket_with_g_and_from_the_palette_claims_from_my_queues_only(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    billing = [create(world, subject, routed=False) for subject in ("Printer on fire", "Invoice is wrong")]
    tech = create(world, "VPN drops hourly", queue=world.tech, routed=False)  # not alice's queue
    alice = HelpDesk(runtime_as(engine, "alice"))
    window = open_window(qtbot, engine, tmp_path, rows=2)
    keyboard_on_queue(qtbot, window)

    press(qtbot, Qt.Key.Key_G)
    press(qtbot, Qt.Key.Key_G)  # pressed twice while the first claim is under way: still one claim
    qtbot.waitUntil(lambda: window.status.currentMessage().endswith("is yours now."), timeout=5000)
    qtbot.waitUntil(lambda: window.runner.in_flight == 0, timeout=5000)
    mine = [t.id for t in billing if alice.tickets.ticket(t.id).ticket.assignee_id == world.alice]
    assert len(mine) == 1
    first = mine[0]
    qtbot.waitUntil(lambda: window.editor.detail is not None and window.editor.detail.ticket.id == first)
    assert window.editor.detail.ticket.assignee_id == world.alice  # type: ignore[union-attr]
    assert window.table.currentIndex().row() == window.model.row_of(first)  # the queue shows it, selected

    run_command(qtbot, window, "get next")
    second = next(t.id for t in billing if t.id != first)
    qtbot.waitUntil(lambda: window.editor.detail is not None and window.editor.detail.ticket.id == second, timeout=5000)
    assert alice.tickets.ticket(second).ticket.assignee_id == world.alice

    keyboard_on_queue(qtbot, window)
    press(qtbot, Qt.Key.Key_G)
    qtbot.waitUntil(lambda: window.status.currentMessage() == NOTHING_WAITING, timeout=5000)
    assert window.editor.detail.ticket.id == second  # type: ignore[union-attr]
    carol = HelpDesk(runtime_as(engine, "carol"))  # the Tech ticket stayed where it was
    assert carol.tickets.ticket(tech.id).ticket.assignee_id is None
    close(window, qtbot)


def test_get_next_tells_someone_who_works_no_queue_why_there_is_nothing(
    qtbot: QtBot, engine: Engine, committed_runtime: Runtime, world: World, tmp_path: Path
) -> None:
    """An admin sees every queue's unassigned tickets but claims only from the queues they work: "nothing is
    waiting" beside a list of urgent tickets read as a fault."""
    create(world, "Waiting in Billing", routed=False)
    with committed_runtime.uow() as uow:  # alice leaves Billing, her only queue
        uow.session.execute(text("DELETE FROM switchboard.queue_member WHERE agent_id = :a"), {"a": world.alice})
        uow.commit()
    window = open_desk_window(qtbot, engine, tmp_path)
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.editor.vocabulary is not None and window.runner.in_flight == 0, timeout=10_000)
    keyboard_on_queue(qtbot, window)
    press(qtbot, Qt.Key.Key_G)
    qtbot.waitUntil(lambda: window.status.currentMessage() == NO_QUEUE, timeout=5000)
    close(window, qtbot)
