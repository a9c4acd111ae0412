"""The queue while colleagues work: their changes insert, move and remove rows of the real window's model
(real database, real listener, each person's own login), with qtmodeltester watching every signal and the
agent's selection following its ticket (issue 11: "qtmodeltester never watches live updates")."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.bootstrap import Runtime
from app.services.tickets import service
from app.services.tickets.dto import SortOrder
from app.views.main_window import MainWindow
from app.views.ticket_table import sort_key
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
