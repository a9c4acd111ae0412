"""The queue while colleagues work: their changes insert, move and remove rows of the real window's model
(real database, real listener, each person's own login), with qtmodeltester watching every signal and the
agent's selection following its ticket (issue 11: "qtmodeltester never watches live updates")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.bootstrap import Runtime
from app.services.platform.uow import UnitOfWork
from app.services.tickets import queries, service
from app.services.tickets.dto import FieldChanges, SortOrder
from app.views.main_window import MainWindow
from app.views.ticket_table import sort_key
from app.vocabulary import Priority
from tests.support.desk_window import close_window, open_desk_window, wait_until_listening
from tests.support.queue_rows import listed
from tests.support.world import World, build_world

pytestmark = pytest.mark.slow


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    world = build_world(committed_runtime.session_factory)
    with world.uow("alice") as uow:
        for subject in ("Printer on fire", "VPN drops hourly", "Invoice INV-2026-00042 is wrong", "Refund please"):
            service.create_ticket(uow, subject=subject, customer_id=world.jane, queue_id=world.billing, body="Help")
        uow.commit()
    return world


def ids_shown(window: MainWindow) -> list[int]:
    return [ticket.id for ticket in listed(window.model)]


def selected_id(window: MainWindow) -> int | None:
    ticket = window.model.ticket_at(window.table.currentIndex().row())
    return ticket.id if ticket is not None else None


def test_colleagues_changes_insert_move_and_remove_rows_and_the_model_stays_sound(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path, qtmodeltester: ModelTester
) -> None:
    window = open_desk_window(qtbot, engine, tmp_path, live_updates=True)
    qtbot.waitUntil(lambda: window.model.rowCount() == 4 and window.editor.detail is not None, timeout=10_000)
    window.filters.sort.setCurrentIndex(window.filters.sort.findData(SortOrder.UPDATED.value))  # latest first
    qtbot.waitUntil(lambda: window.model.sort_order is SortOrder.UPDATED and not window.model.loading)
    qtbot.waitUntil(lambda: window.runner.in_flight == 0)
    wait_until_listening(qtbot, window)
    qtmodeltester.check(window.model)  # watches every signal from here on
    newest, second, third, oldest = ids_shown(window)
    window.table.selectRow(2)
    qtbot.waitUntil(lambda: window.editor.detail is not None and window.editor.detail.ticket.id == third)

    def by_carol(change: str) -> None:
        with qtbot.waitSignal(window.live_updates.arrived, timeout=10_000), world.uow("carol") as uow:
            if change == "insert":
                service.create_ticket(uow, subject="Brand new", customer_id=world.jane, queue_id=world.billing)
            elif change == "move":
                service.change_status(uow, ticket_id=oldest, status="in_progress", expected_version=None)
            else:
                service.change_status(uow, ticket_id=second, status="closed", expected_version=None)
            uow.commit()

    by_carol("insert")  # a new ticket: a row inserted on top
    assert len(ids_shown(window)) == 5 and ids_shown(window)[1:] == [newest, second, third, oldest]
    by_carol("move")  # the oldest is updated now: it moves to the top
    assert ids_shown(window)[0] == oldest and ids_shown(window)[2:] == [newest, second, third]
    by_carol("remove")  # closed: no longer in All open
    assert second not in ids_shown(window) and len(ids_shown(window)) == 4
    key = sort_key(SortOrder.UPDATED)
    assert [key(t) for t in listed(window.model)] == sorted(key(t) for t in listed(window.model))
    assert selected_id(window) == third  # the agent's row followed its ticket through every change
    assert window.editor.detail is not None and window.editor.detail.ticket.id == third
    close_window(window, qtbot)


def test_a_colleagues_edit_on_my_ticket_outside_the_view_is_not_a_new_assignment(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    """What a ticket was before a change comes from the agent's own tickets as read after the first page, not
    only from the rows the queue holds: a colleague raising the priority of one of alice's tickets, while
    her queue lists other tickets, tells her nothing; assigning her another ticket does."""
    with world.uow("carol") as uow:
        by_subject = {t.subject: t.id for t in queries.list_tickets(uow).rows}
        mine, another = by_subject["Printer on fire"], by_subject["VPN drops hourly"]
        service.assign(uow, ticket_id=mine, assignee_id=world.alice, expected_version=None)
        uow.commit()
    window = open_desk_window(qtbot, engine, tmp_path, live_updates=True)
    told: list[tuple[str, str]] = []
    window.live_updates.notification.connect(lambda title, text: told.append((title, text)))
    qtbot.waitUntil(lambda: window.model.rowCount() > 0 and window.runner.in_flight == 0, timeout=10_000)
    wait_until_listening(qtbot, window)
    navigation = window.navigation
    items = [navigation.topLevelItem(row) for row in range(navigation.topLevelItemCount())]
    unassigned = next(item for item in items if item is not None and item.text(0) == "Unassigned")
    navigation.setCurrentItem(unassigned)  # her queue lists the three unassigned tickets, not hers
    qtbot.waitUntil(lambda: window.model.rowCount() == 3 and not window.model.loading)
    assert window.model.row_of(mine) is None

    def by_carol(change: Callable[[UnitOfWork], object]) -> None:
        with qtbot.waitSignal(window.live_updates.arrived, timeout=10_000), world.uow("carol") as uow:
            change(uow)
            uow.commit()

    raise_priority = FieldChanges(priority=Priority.HIGH)
    by_carol(
        lambda uow: service.edit_ticket(uow, ticket_id=mine, changes=raise_priority, status=None, expected_version=None)
    )
    assert told == []
    by_carol(lambda uow: service.assign(uow, ticket_id=another, assignee_id=world.alice, expected_version=None))
    assert [title for title, _text in told] == ["Assigned to you"]
    close_window(window, qtbot)
