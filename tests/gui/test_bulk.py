"""Bulk changes on a multi-selection of the queue, by keys on a real database: Shift+Down selects, B opens
the bulk change, the status, assignee (by typing) and tag are chosen with the keyboard, Enter applies. Each
ticket is its own transaction at its own version: the summary says how many changed and which were refused
and why, and what landed is read back through the person's own login."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.bootstrap import Runtime
from app.services.desk import HelpDesk
from app.services.errors import NotPermitted, TicketConflict
from app.services.tickets import service
from app.services.tickets.dto import FieldChanges, TicketSummary
from app.views import bulk
from app.views.bulk import BulkOutcome, selected_tickets, summary
from app.views.main_window import MainWindow
from app.vocabulary import Priority
from tests.support.desk_window import close_window, open_desk_window, press, runtime_as
from tests.support.desk_window import create_billing_ticket as create
from tests.support.queue_rows import listed
from tests.support.summaries import made_up_summary
from tests.support.world import World, build_world

pytestmark = pytest.mark.slow

REFUSED_FOR_AGENTS = "Only a supervisor who leads the queue, or an admin, assigns tickets to others"


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    return build_world(committed_runtime.session_factory)


def test_a_summary_names_each_refused_ticket_under_its_reason_said_once() -> None:
    conflict = TicketConflict(number=10011, expected_version=1, current_version=2, changes=())
    closed = NotPermitted("A closed ticket cannot move.")
    outcome = BulkOutcome((), (10003,), ((10011, conflict), (10020, closed), (10024, closed)))
    assert summary(outcome) == (
        "0 changed, 1 already so, 3 refused.\n\n"
        "Someone saved first: #10011.\nA closed ticket cannot move: #10020, #10024."
    )
    assert summary(BulkOutcome((), (), ())) == "0 changed."


def test_tickets_the_queue_does_not_hold_whole_are_read_first_and_gone_ones_counted() -> None:
    now = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
    shown, later = made_up_summary(1, now=now), made_up_summary(3, now=now)  # 2: no longer to be seen
    changed_since = replace(later, version=4)  # a colleague saved it after the queue listed it at version 3
    asked: list[list[int]] = []

    def read(ids: list[int]) -> list[TicketSummary]:
        asked.append(ids)
        return [changed_since]

    tickets, gone = selected_tickets([1, 2, 3, 4], {1: shown}, {1: 1, 2: 1, 3: 3}, read)  # 4 left the queue
    assert (tickets, gone, asked) == ([shown, replace(changed_since, version=3)], 2, [[2, 3]])  # refused, not lost
    assert summary(BulkOutcome((), (), (), gone=1)) == "0 changed, 1 no longer in your queues."
    assert selected_tickets([1], {1: shown}, {1: 1}, read) == ([shown], 0) and len(asked) == 1  # nothing to read


@pytest.mark.qt_log_ignore(  # the type-ahead is a popup: offscreen Qt can neither raise it nor grab keys
    "^This plugin does not support grabbing the keyboard$", "^This plugin does not support raise\\(\\)$"
)
def test_bulk_status_assign_and_tag_change_each_ticket_on_its_own_and_say_what_was_refused(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    tickets = [create(world, f"Refund {n}") for n in range(3)]
    bobs = create(world, "Refund for bob", assignee="bob")
    window: MainWindow = open_desk_window(qtbot, engine, tmp_path, person="alice")
    qtbot.waitExposed(window)
    qtbot.waitUntil(
        lambda: window.model.rowCount() == 4 and window.editor.vocabulary is not None and window.runner.in_flight == 0,
        timeout=10_000,
    )
    stale = tickets[1]
    with world.uow("carol") as uow:  # a colleague saves after alice's queue was read: its version is old
        service.edit_ticket(
            uow,
            ticket_id=stale.id,
            changes=FieldChanges(subject="Refund, by carol"),
            status=None,
            expected_version=None,
        )
        uow.commit()

    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.table)
    qtbot.keyClick(window.table, Qt.Key.Key_Home)
    for _ in range(3):
        press(qtbot, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)  # four rows selected
    selected = [window.model.ticket_by_id(ticket_id) for ticket_id in window.table.selected_ids()]
    assert sorted(t.id for t in selected if t is not None) == sorted([*(t.id for t in tickets), bobs.id])

    press(qtbot, Qt.Key.Key_B)
    qtbot.waitUntil(lambda: getattr(window, "bulk_dialog", None) is not None and window.bulk_dialog.isVisible())
    dialog = window.bulk_dialog
    assert dialog.windowTitle() == "Change 4 tickets"
    offered = [dialog.assignee.itemText(i) for i in range(dialog.assignee.count())]
    assert "Me" in offered and offered.count("Alice Archer") == 0  # her own name once, as "Me"
    dialog.status.setFocus()
    qtbot.keyClicks(dialog.status, "In")  # type-to-find in the status list: In progress
    assert dialog.status.currentData() == "in_progress"
    line = dialog.assignee.lineEdit()
    assert line is not None
    qtbot.keyClick(line, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(line, "me")  # type-ahead: "Me" (and anyone with "me" in the name, e.g. Amelie)
    completer = dialog.assignee.completer()
    popup = completer.popup() if completer is not None else None
    assert popup is not None
    qtbot.waitUntil(popup.isVisible)
    assert popup.model().index(0, 0).data() == "Me"
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not popup.isVisible())
    dialog.priority.setCurrentIndex(dialog.priority.findText("High"))  # a priority too (it had none)
    qtbot.keyClicks(dialog.tag, "VIP")
    qtbot.keyClick(dialog.tag, Qt.Key.Key_Return)  # Enter: apply to each

    qtbot.waitUntil(lambda: getattr(window, "bulk_summary", None) is not None, timeout=10_000)
    order = [t.number for t in selected if t is not None]
    refused = sorted(
        [(stale.number, "Someone saved first"), (bobs.number, REFUSED_FOR_AGENTS.rstrip("."))],
        key=lambda r: order.index(r[0]),
    )
    changed = ", ".join(f"#{n}" for n in order if n in (tickets[0].number, tickets[2].number))
    assert window.bulk_summary.text() == f"2 changed ({changed}), 2 refused.\n\n" + "\n".join(
        f"{why}: #{n}." for n, why in refused
    )

    desk = HelpDesk(runtime_as(engine, "alice"))  # what alice's own login reads
    for ticket in (tickets[0], tickets[2]):
        seen = desk.tickets.ticket(ticket.id).ticket
        assert (seen.status, seen.assignee_name, seen.tags) == ("in_progress", "Alice Archer", ("vip",))
        assert seen.priority is Priority.HIGH
    seen = desk.tickets.ticket(stale.id).ticket
    assert (seen.status, seen.assignee_name, seen.tags, seen.subject) == ("new", None, (), "Refund, by carol")
    seen = desk.tickets.ticket(bobs.id).ticket  # the refused assignment took its status and tag with it
    assert (seen.status, seen.assignee_name, seen.tags) == ("new", "Bob Baker", ())
    shown = {t.id: t for t in listed(window.model)}
    assert shown[tickets[0].id].assignee_name == "Alice Archer"  # the queue shows what changed at once
    qtbot.keyClick(window.bulk_summary, Qt.Key.Key_Return)
    close_window(window, qtbot)


def test_a_selection_larger_than_a_bulk_change_takes_is_refused_with_what_to_do(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "BULK_AT_MOST", 2)
    for n in range(3):
        create(world, f"Refund {n}")
    window: MainWindow = open_desk_window(qtbot, engine, tmp_path, person="alice")
    qtbot.waitUntil(lambda: window.model.rowCount() == 3 and window.editor.vocabulary is not None, timeout=10_000)
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.table)
    qtbot.keyClick(window.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # all three
    press(qtbot, Qt.Key.Key_B)
    assert window.status.currentMessage() == (
        "A bulk change takes at most 2 tickets; 3 are selected. Narrow the view with a filter, or select fewer."
    )
    assert getattr(window, "bulk_dialog", None) is None
    close_window(window, qtbot)
