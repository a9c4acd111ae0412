"""The supervisor view (issue 14) in the desktop client, on a real database as each person's own login:
carol, who leads both queues, opens it with Ctrl+E and sees the escalation board (breached first, with the
step the sweep took), the team's load and the compliance chart, and Enter on the board opens the ticket in
the main window; live changes bring a new read. alice, an agent, has no such action and her desk refuses."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, text

from app.bootstrap import Runtime
from app.services.errors import NotPermitted
from app.services.sla.dto import BoardRow, BoardState, Risk
from app.services.sla.sweep import sla_sweep
from app.services.tickets import service
from app.views.main_window import MainWindow
from app.views.supervisor.charts import ComplianceSeries
from app.views.supervisor.models import EscalationBoardModel, clock_words, risk_words
from app.views.supervisor.view import ALL_QUEUES, NOBODY_EMPTY, SupervisorView
from app.vocabulary import Priority
from tests.support.desk_window import answer_question, close_window, open_desk_window
from tests.support.world import World, build_world

pytestmark = pytest.mark.slow
COLUMNS = EscalationBoardModel.COLUMNS


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    world = build_world(committed_runtime.session_factory)
    targets = {p.label: {"first_response": 60, "resolution": 1440} for p in Priority}
    ladder = [{"level": 1, "after_breach_minutes": 0, "action": "notify_assignee"}]
    with committed_runtime.uow() as uow:
        uow.session.execute(
            text(
                "INSERT INTO switchboard.sla_policy (name, position, targets, business_hours, ladder)"
                " VALUES ('Default', 100, CAST(:targets AS jsonb), false, CAST(:ladder AS jsonb))"
            ),
            {"targets": json.dumps(targets), "ladder": json.dumps(ladder)},
        )
        uow.commit()
    return world


def create(world: World, person: str, queue: int, subject: str) -> int:
    with world.uow(person) as uow:
        changed = service.create_ticket(uow, subject=subject, customer_id=world.jane, queue_id=queue, body="Help")
        uow.commit()
    return changed.ticket.id


def started_hours_ago(runtime: Runtime, ticket_id: int, hours: int) -> None:
    """The ticket's first-response clock started afresh `hours` ago (set up as the DBA: the ledger is
    append-only and staff write none)."""
    with runtime.uow() as uow:
        uow.session.execute(
            text(
                "INSERT INTO switchboard.sla_ledger (ticket_id, target, entry, at, note)"
                " VALUES (:t, 'first_response', 'restart', now() - make_interval(hours => :h), 'test')"
            ),
            {"t": ticket_id, "h": hours},
        )
        uow.session.execute(
            text("UPDATE switchboard.sla_watch SET check_at = now() WHERE ticket_id = :t"), {"t": ticket_id}
        )
        uow.commit()


@pytest.fixture
def tickets(committed_runtime: Runtime, world: World) -> dict[str, int]:
    late = create(world, "alice", world.billing, "Refund never arrived")
    soon = create(world, "dave", world.tech, "VPN drops every hour")
    answered = create(world, "bob", world.billing, "Invoice address")
    with world.uow("bob") as uow:
        service.assign(uow, ticket_id=late, assignee_id=world.bob, expected_version=None)
        service.reply(uow, ticket_id=answered, body="Changed it for you.", expected_version=None)
        uow.commit()
    started_hours_ago(committed_runtime, late, 2)
    while sla_sweep(committed_runtime.uow)["tickets"]:
        pass
    return {"late": late, "soon": soon, "answered": answered}


def keyboard_on_queue(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitExposed(window)
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.table)


def open_supervisor(qtbot: QtBot, window: MainWindow) -> None:
    keyboard_on_queue(qtbot, window)
    qtbot.keyClick(window.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.supervisor_view is not None)
    view = window.supervisor_view
    assert view is not None
    failures: list[Exception] = []
    view.failed.connect(failures.append)
    qtbot.waitUntil(lambda: view.overview is not None or bool(failures), timeout=10_000)
    assert failures == []


@pytest.mark.qt_log_ignore("^This plugin does not support raise\\(\\)$")  # the ticket's window comes to the front
def test_a_team_lead_sees_the_board_the_team_and_compliance_and_opens_a_ticket_by_enter(
    qtbot: QtBot, qtmodeltester: ModelTester, engine: Engine, world: World, tickets: dict[str, int], tmp_path: Path
) -> None:
    window = open_desk_window(qtbot, engine, tmp_path, person="carol", live_updates=True)
    open_supervisor(qtbot, window)
    view = window.supervisor_view
    assert view is not None
    qtmodeltester.check(view.board_model)
    qtmodeltester.check(view.team_model)
    assert view.board_note.label.isHidden()  # escalations listed
    assert not view.nobody_note.label.isHidden() and view.nobody_note.label.text() == NOBODY_EMPTY  # not a blank

    board = view.board_model.rows
    assert [row.ticket_id for row in board] == [tickets["late"], tickets["soon"]]  # soonest due first
    late, soon = board
    assert late.state is BoardState.BREACHED and late.level == 1 and late.assignee == "Bob Baker"
    assert soon.state is BoardState.DUE_SOON and soon.assignee is None and soon.queue == "Technical Support"
    assert view.board_model.data(view.board_model.index(0, COLUMNS.index("State"))) == "Breached"
    assert COLUMNS[:6] == ("Due", "Left", "Clock", "Ticket", "Subject", "Assignee")  # what fits a 1366-pixel screen
    clock = view.board_model.data(view.board_model.index(0, COLUMNS.index("Clock")))
    assert clock == clock_words(late.target)  # which clock "Left" is the business time of
    assert view.board_model.data(view.board_model.index(0, COLUMNS.index("Risk"))) == "Breached"
    # the header counts in the board's own words: breached, likely to breach (its Risk), the rest due soon
    likely = sum(1 for row in board if row.risk is Risk.LIKELY)
    assert f"1 breached, {likely} likely to breach, {1 - likely} more due soon" in view.summary.text()

    team = {agent.name: agent for agent in view.team_model.rows}
    assert set(team) == {"Alice Archer", "Bob Baker", "Dave Dunn"}
    assert (team["Bob Baker"].open_tickets, team["Bob Baker"].capacity, team["Bob Baker"].breaches_today) == (1, 20, 1)
    assert team["Alice Archer"].open_tickets == 0

    # Tab leaves each table for the next control (it went from cell to cell, and never out: a usability probe)
    assert not any(table.tabKeyNavigation() for table in (view.board, view.team, view.nobody))
    shown = view.chart.shown
    assert shown is not None and shown.title == "Resolution, all queues"
    view.target_choice.setCurrentText("First response")
    shown = view.chart.shown
    assert shown is not None and sum(shown.met) == 1 and sum(shown.breached) == 0  # the answered ticket
    # the share met is drawn on the one day a clock finished, none on the quiet days
    assert view.chart.share_points() == [(float(len(shown.days) - 1), 100.0)]
    assert shown.describe_day(len(shown.days) - 1).endswith(
        ": 1 met, 0 breached (100% met); 100% met in the 7 days to it"
    )
    view.queue_choice.setCurrentText("Technical Support")
    assert view.chart.shown is not None and sum(view.chart.shown.met) == 0
    assert [view.queue_choice.itemText(i) for i in range(view.queue_choice.count())] == [
        ALL_QUEUES,
        "Billing",
        "Technical Support",
    ]

    # Enter on an agent in Team load lists their open tickets in the main window: All open, narrowed to them.
    view.tabs.setCurrentWidget(view.team)
    view.activateWindow()
    view.team.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.team)
    view.team.setCurrentIndex(view.team_model.index([a.name for a in view.team_model.rows].index("Bob Baker"), 0))
    qtbot.keyClick(view.team, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.filters.assignee.currentText() == "Bob Baker", timeout=10_000)
    assert window.current_view is not None and window.current_view.key == "open"
    qtbot.waitUntil(
        lambda: [window.model.ticket_at(r).id for r in range(window.model.rowCount())] == [tickets["late"]],  # type: ignore[union-attr]
        timeout=10_000,
    )
    assert "choose Anyone" in window.status.currentMessage()  # how to see everyone's again
    # Letters typed into the drop-down choose in it: J moved to the next ticket, L linked, A took the ticket.
    before = window.editor.detail.ticket if window.editor.detail is not None else None
    window.activateWindow()
    window.filters.assignee.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.filters.assignee)
    qtbot.keyClicks(window.filters.assignee, "al")
    assert window.filters.assignee.currentText() == "Alice Archer"
    assert (window.editor.detail.ticket if window.editor.detail is not None else None) == before
    # Another view forgets the colleague: "My tickets" is carol's own, not Bob's.
    window.filters.assignee.setCurrentIndex(window.filters.assignee.findText("Bob Baker"))
    window.navigation.choose("mine")
    qtbot.waitUntil(lambda: window.filters.assignee.currentData() is None, timeout=5000)

    # Enter on the board's first row opens that ticket in the main window.
    view.tabs.setCurrentWidget(view.board)
    view.activateWindow()  # back from the main window
    qtbot.waitUntil(view.isActiveWindow)
    view.board.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.board)
    view.board.setCurrentIndex(view.board_model.index(0, 0))
    qtbot.keyClick(view.board, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.editor.detail is not None and window.editor.detail.ticket.id == tickets["late"], timeout=10_000
    )

    # A colleague's change reaches the board through the live updates: bob answers the late ticket.
    with world.uow("bob") as uow:
        service.reply(uow, ticket_id=tickets["late"], body="Sorry, sent now.", expected_version=None)
        uow.commit()
    sla_sweep(lambda: world.trusted_uow())
    with qtbot.waitSignal(view.loaded, timeout=15_000):
        pass
    qtbot.waitUntil(lambda: tickets["late"] not in [row.ticket_id for row in view.board_model.rows], timeout=15_000)
    close_window(window, qtbot)


@pytest.mark.qt_log_ignore("^This plugin does not support raise\\(\\)$")  # the ticket's window comes to the front
def test_the_tickets_routing_found_nobody_for_are_listed_and_enter_opens_one(
    qtbot: QtBot, qtmodeltester: ModelTester, engine: Engine, world: World, committed_runtime: Runtime, tmp_path: Path
) -> None:
    """Issue 14's "no eligible agent" list, which only `switchboard routing unassigned` had: the lead sees
    why nobody qualified, opens the ticket (Enter) and assigns it by hand from the list (R), each name with
    its load; the ticket then leaves the list."""
    waiting = create(world, "dave", world.tech, "Printer jammed on the third floor")
    with committed_runtime.uow() as uow:  # routing's last word on it: nobody (as the DBA: decisions are the router's)
        uow.session.execute(
            text(
                "INSERT INTO switchboard.routing_decision (ticket_id, asked_by, winner_agent_id, exclusions)"
                " VALUES (:t, 'intake', NULL, CAST(:x AS jsonb))"
            ),
            {
                "t": waiting,
                "x": json.dumps(
                    [
                        {"agent_id": world.dave, "name": "Dave Dunn", "reason": "offline"},
                        {"agent_id": world.bob, "name": "Bob Baker", "reason": "at capacity 20/20"},
                    ]
                ),
            },
        )
        uow.commit()
    window = open_desk_window(qtbot, engine, tmp_path, person="carol")
    open_supervisor(qtbot, window)
    view = window.supervisor_view
    assert view is not None
    qtmodeltester.check(view.nobody_model)
    assert [row.ticket_id for row in view.nobody_model.rows] == [waiting]
    assert view.nobody_note.label.isHidden()
    assert view.tabs.tabText(view.tabs.indexOf(view.nobody_page)).endswith("(1)")
    why = view.nobody_model.data(view.nobody_model.index(0, 6))
    assert why in ("1 offline, 1 at capacity", "1 at capacity, 1 offline")
    view.tabs.setCurrentWidget(view.nobody_page)
    view.activateWindow()
    view.nobody.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.nobody)
    view.nobody.setCurrentIndex(view.nobody_model.index(0, 0))
    qtbot.keyClick(view.nobody, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.editor.detail is not None and window.editor.detail.ticket.id == waiting, timeout=10_000
    )

    view.activateWindow()  # back from the main window
    qtbot.waitUntil(view.isActiveWindow)
    view.nobody.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.nobody)
    qtbot.keyClick(view.nobody, Qt.Key.Key_R)
    dialog = view.action_dialog
    assert dialog is not None and dialog.windowTitle().startswith("Assign #")
    qtbot.waitUntil(dialog.assignee.isEnabled, timeout=10_000)
    names = [dialog.assignee.itemText(i) for i in range(dialog.assignee.count())]
    assert not any(name.startswith("Nobody") for name in names)  # nobody has it already
    dave = dialog.assignee.findData(world.dave)
    assert names[dave].startswith("Dave Dunn — ")  # with his load, as Team load reads it
    dialog.assignee.setCurrentIndex(dave)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.reason.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.reason)
    qtbot.keyClicks(dialog.reason, "Printers are his")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: not view.nobody_model.rows, timeout=10_000)
    assert "assigned to Dave Dunn" in view.notice.text()
    with world.trusted_uow() as uow:
        holder = uow.session.execute(
            text("SELECT assignee_id FROM switchboard.ticket WHERE id = :t"), {"t": waiting}
        ).scalar_one()
    assert holder == world.dave
    close_window(window, qtbot)


def test_an_agent_has_no_supervisor_view_and_her_desk_refuses_it(
    qtbot: QtBot, engine: Engine, world: World, tickets: dict[str, int], tmp_path: Path
) -> None:
    window = open_desk_window(qtbot, engine, tmp_path, person="alice")
    assert "Supervisor view" not in window.actions_by_text
    assert "SLA policies and calendars…" not in window.actions_by_text
    window.open_palette()  # nor any of the board's actions in her palette
    assert not {"Acknowledge the escalation", "Reassign with a reason…"} & set(window.command_palette.shown_labels())
    window.command_palette.reject()
    keyboard_on_queue(qtbot, window)
    qtbot.keyClick(window.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.supervisor_view is None
    with pytest.raises(NotPermitted):
        window.desk.supervision.overview()
    close_window(window, qtbot)


def test_the_compliance_series_has_every_day_and_counts_only_the_chosen_queue_and_target() -> None:
    from app.services.sla.dto import ComplianceCount
    from app.views.supervisor.view import compliance_series

    now = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)
    today = now.astimezone().date()
    counts = (
        ComplianceCount(today, "Billing", "resolution", 3, 1, "urgent"),
        ComplianceCount(today, "Tech", "resolution", 2, 2),
        ComplianceCount(today - dt.timedelta(days=3), "Billing", "first_response", 5, 0),
        ComplianceCount(today - dt.timedelta(days=40), "Billing", "resolution", 9, 9),  # outside the window
    )
    everything = compliance_series(counts, now, ALL_QUEUES, "resolution")
    assert len(everything.days) == 28 and everything.days[-1] == today
    assert (sum(everything.met), sum(everything.breached)) == (5, 3)
    assert everything.share_met == pytest.approx(5 / 8)
    assert everything.summary.startswith("5 of 8 finished clocks met (62%) in these 28 days")
    billing = compliance_series(counts, now, "Billing", "first_response")
    assert (sum(billing.met), sum(billing.breached), billing.met[-4]) == (5, 0, 5)
    urgent = compliance_series(counts, now, ALL_QUEUES, "resolution", priority="Urgent")
    assert (
        sum(urgent.met) == 3 and sum(urgent.breached) == 1 and urgent.title == "Resolution, all queues, urgent priority"
    )
    quiet = compliance_series(counts, now, "Tech", "first_response")
    assert quiet.share_met is None and quiet.summary == "no clock finished in these 28 days"
    # a clock dated on a calendar's clock a day ahead of the workstation's (Berlin past midnight, New York not):
    # its day is shown, as `sla compliance` counts it (a real-world probe: five resolutions were dropped)
    ahead = compliance_series((*counts, ComplianceCount(today + dt.timedelta(days=1), "Tech", "resolution", 5, 0)),
                              now, ALL_QUEUES, "resolution")  # fmt: skip
    assert ahead.days[-1] == today + dt.timedelta(days=1) and len(ahead.days) == 28
    assert (sum(ahead.met), sum(ahead.breached)) == (10, 3)


def test_the_assignee_is_told_of_a_warning_and_a_step_on_her_ticket_once(
    qtbot: QtBot, committed_runtime: Runtime, engine: Engine, world: World, tmp_path: Path
) -> None:
    mine = create(world, "alice", world.billing, "Refund twice")
    with world.uow("alice") as uow:
        service.assign(uow, ticket_id=mine, assignee_id=world.alice, expected_version=None)
        uow.commit()
    sla_sweep(committed_runtime.uow)
    window = open_desk_window(qtbot, engine, tmp_path, person="alice")
    qtbot.waitUntil(lambda: window.sla_alerts.after is not None)  # the first ask only says from when
    told: list[tuple[str, str]] = []
    window.sla_alerts.notification.connect(lambda title, text: told.append((title, text)))
    started_hours_ago(committed_runtime, mine, 2)
    sla_sweep(committed_runtime.uow)
    window.sla_alerts.ask()  # the minute's ask, without waiting a minute
    qtbot.waitUntil(lambda: len(told) == 2)
    assert told[0][0] == "SLA warning" and told[0][1].startswith(f"#{number_of(world, mine)} Refund twice: first")
    assert told[1] == (
        "SLA breached: escalation level 1",
        f"#{number_of(world, mine)} Refund twice: first response breached; notify assignee",
    )
    window.sla_alerts.ask()  # asked again over the overlapping minute: nothing is told twice
    qtbot.waitUntil(lambda: not window.sla_alerts._asking)
    assert len(told) == 2
    close_window(window, qtbot)


def number_of(world: World, ticket_id: int) -> int:
    with world.trusted_uow() as uow:
        return int(
            uow.session.execute(
                text("SELECT number FROM switchboard.ticket WHERE id = :t"), {"t": ticket_id}
            ).scalar_one()
        )


def test_a_team_lead_acknowledges_reassigns_and_comments_from_the_board_by_keys(
    qtbot: QtBot, engine: Engine, world: World, tickets: dict[str, int], tmp_path: Path
) -> None:
    """A, R and C on the board's selected row; what lands is read back from the database."""
    window = open_desk_window(qtbot, engine, tmp_path, person="carol")
    open_supervisor(qtbot, window)
    view = window.supervisor_view
    assert view is not None
    assert [a.shortcut().toString() for a in view.board_actions.values()] == ["A", "R", "C", "Enter"]
    assert view.board_model.headerData(COLUMNS.index("Left"), Qt.Orientation.Horizontal) == "Left"
    late = view.board_model.rows[0]
    assert late.ticket_id == tickets["late"] and late.minutes_left is not None and late.minutes_left < 0
    assert view.board_model.data(view.board_model.index(0, COLUMNS.index("Left"))).endswith(" over")  # not "-1 h"
    assert view.focusWidget() is view.board  # opened with the board's keys ready, not the policies button
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.board)
    view.board.setCurrentIndex(view.board_model.index(0, 0))

    qtbot.keyClick(view.board, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: view.board_model.rows[0].acknowledged_by == "Carol Chen", timeout=10_000)
    assert "acknowledged by Carol Chen" in view.notice.text()
    assert view.board_model.data(view.board_model.index(0, COLUMNS.index("Acknowledged"))).startswith("Carol Chen, ")

    qtbot.keyClick(view.board, Qt.Key.Key_R)
    dialog = view.action_dialog
    assert dialog is not None and dialog.mode == "reassign"
    qtbot.waitUntil(dialog.assignee.isEnabled, timeout=10_000)
    assert dialog.assignee.currentData() is None  # nobody chosen for her: one Enter gave it to the first name
    offered = [dialog.assignee.itemData(i) for i in range(1, dialog.assignee.count())]
    assert offered and world.bob not in offered  # the one holding it is not offered
    dialog.reason.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.reason)
    qtbot.keyClicks(dialog.reason, "Refunds are her field")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.problem.text() == "Choose who gets the ticket."
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.assignee)  # the keyboard goes to what is missing
    qtbot.keyClick(dialog.assignee, Qt.Key.Key_Down)
    assert dialog.assignee.currentData() == offered[0]
    name, load = dialog.assignee.currentText().split(" — ")  # each offered with their load, as team load reads it
    assert load == "load 0 of 20 (0%), 0 open, offline"  # Alice: nothing open, and not signed in to work
    dialog.reason.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.reason)
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: "reassigned" in view.notice.text())

    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.board)
    qtbot.keyClick(view.board, Qt.Key.Key_C)
    comment = view.action_dialog
    assert comment is not None and comment.mode == "comment"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is comment.body)
    qtbot.keyClicks(comment.body, "Customer called twice")
    asked = answer_question(qtbot, discard=False)
    qtbot.keyClick(comment.body, Qt.Key.Key_Escape)  # asks before the typed note is dropped: kept
    assert asked == [f"Your changes to this note on #{late.number} are not saved. Discard them?"]
    assert comment.isVisible() and comment.body.toPlainText() == "Customer called twice"
    comment.activateWindow()  # (offscreen Qt gives the question's focus back to no one)
    comment.body.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is comment.body)
    qtbot.keyClick(comment.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not comment.isVisible(), timeout=10_000)

    with world.trusted_uow() as uow:
        assignee = uow.session.execute(
            text("SELECT assignee_id FROM switchboard.ticket WHERE id = :t"), {"t": tickets["late"]}
        ).scalar_one()
        notes = uow.session.execute(
            text(
                "SELECT body_text FROM switchboard.message WHERE ticket_id = :t AND kind = 'internal_note' ORDER BY id"
            ),
            {"t": tickets["late"]},
        ).scalars()
        acknowledged = uow.session.execute(
            text("SELECT count(*) FROM switchboard.audit_event WHERE ticket_id = :t AND action = 'acknowledge'"),
            {"t": tickets["late"]},
        ).scalar_one()
        names = list(notes)
    assert assignee == offered[0] and acknowledged == 1
    assert names[-2:] == [
        f"Reassigned to {name}: Refunds are her field",
        "Customer called twice",
    ]
    close_window(window, qtbot)


def palette_labels(view: SupervisorView) -> list[str]:
    palette = view.command_palette
    assert palette is not None and palette.isVisible()
    return palette.shown_labels()


def run_from_palette(qtbot: QtBot, view: SupervisorView, typed: str) -> None:
    """Ctrl+K on the board, type part of a name, Enter: as a lead does it."""
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.board)
    qtbot.keyClick(view.board, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    palette = view.command_palette
    assert palette is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is palette.search_field)
    qtbot.keyClicks(palette.search_field, typed)
    qtbot.keyClick(palette.search_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not palette.isVisible())


def test_the_boards_actions_are_in_the_palette_while_the_board_is_shown_and_do_what_the_keys_do(
    qtbot: QtBot, engine: Engine, world: World, tickets: dict[str, int], tmp_path: Path
) -> None:
    window = open_desk_window(qtbot, engine, tmp_path, person="carol")
    open_supervisor(qtbot, window)
    view = window.supervisor_view
    assert view is not None
    view.activateWindow()
    view.board.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.board)
    view.board.setCurrentIndex(view.board_model.index(0, 0))
    assert view.board_model.rows[0].ticket_id == tickets["late"]

    qtbot.keyClick(view.board, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    labels = palette_labels(view)
    assert labels[:4] == [
        "Acknowledge the escalation",
        "Reassign with a reason…",
        "Comment (an internal note)…",
        "Open the ticket",
    ]
    assert "Refresh the supervisor view" in labels
    assert view.command_palette is not None
    qtbot.keyClick(view.command_palette.search_field, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not view.command_palette.isVisible())  # type: ignore[union-attr]

    run_from_palette(qtbot, view, "ackn")
    qtbot.waitUntil(lambda: view.board_model.rows[0].acknowledged_by == "Carol Chen", timeout=10_000)
    assert "acknowledged by Carol Chen" in view.notice.text()

    view.board.setFocus()
    run_from_palette(qtbot, view, "comm")
    comment = view.action_dialog
    assert comment is not None and comment.mode == "comment"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is comment.body)
    qtbot.keyClicks(comment.body, "Asked on the phone")
    qtbot.keyClick(comment.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not comment.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: "Note added" in view.notice.text(), timeout=10_000)

    # Another tab: the board's actions are not offered (they would act on a row nobody sees).
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.board)
    qtbot.keyClick(view.board, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)  # as in a browser
    qtbot.waitUntil(lambda: view.tabs.currentIndex() == 1)
    view.team.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.team)
    qtbot.keyClick(
        view.team, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.waitUntil(lambda: view.tabs.currentIndex() == 0)
    view.board.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.board)
    qtbot.keyClick(view.board, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.tabs.currentIndex() == 1)
    qtbot.keyClick(view.team, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    labels = palette_labels(view)
    assert "Acknowledge the escalation" not in labels and "Previous tab" in labels
    view.command_palette.reject()

    with world.trusted_uow() as uow:
        acknowledged = uow.session.execute(
            text("SELECT count(*) FROM switchboard.audit_event WHERE ticket_id = :t AND action = 'acknowledge'"),
            {"t": tickets["late"]},
        ).scalar_one()
        notes = list(
            uow.session.execute(
                text("SELECT body_text FROM switchboard.message WHERE ticket_id = :t AND kind = 'internal_note'"),
                {"t": tickets["late"]},
            ).scalars()
        )
    assert acknowledged == 1 and notes == ["Asked on the phone"]
    close_window(window, qtbot)


def test_the_risk_says_the_margin_the_board_is_ranked_by() -> None:
    """A ticket breached by 33 minutes ranked below one with 1 h 27 left: similar tickets take 3 h more to
    finish that one, and the Risk column now says so."""
    due = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)
    row = BoardRow(1, 10001, "Refund", "Billing", "high", None, due, BoardState.DUE_SOON, None)
    late = dataclasses.replace(row, minutes_left=87, typical_minutes=300, margin=-213, risk=Risk.LIKELY)
    assert risk_words(late) == "3 h 33 min late"
    spare = dataclasses.replace(row, minutes_left=87, typical_minutes=60, margin=27, risk=Risk.ON_TRACK)
    assert risk_words(spare) == "27 min to spare"
    overrun = dataclasses.replace(spare, margin=87, past_typical=True)  # open longer than similar ones take
    assert risk_words(overrun) == "1 h 27 min left, past typical"
    assert "no estimate beyond the time left" in EscalationBoardModel._why(overrun)
    breached = dataclasses.replace(row, state=BoardState.BREACHED, minutes_left=-33, margin=-33, risk=Risk.BREACHED)
    assert risk_words(breached) == "Breached"
    why = EscalationBoardModel._why  # the tooltip: the reasoning, once
    assert why(late).endswith("for the resolution; similar tickets take 5 h of business time to meet the resolution:"
                              " likely to breach, 3 h 33 min late (the board's order)")  # fmt: skip
    paused = dataclasses.replace(row, risk=Risk.PAUSED)
    assert why(paused).endswith(": paused (the board's order)")


def test_the_board_is_read_again_as_time_moves_on_while_it_is_shown(
    qtbot: QtBot, engine: Engine, world: World, tickets: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "As of 10:42" at 10:45, and the Left of every row three minutes stale: with nothing changing, nothing
    read it again. Each minute while shown (here a fifth of a second), never while hidden."""
    monkeypatch.setattr("app.views.supervisor.view.TIMES_MOVE_ON_MS", 200)
    window = open_desk_window(qtbot, engine, tmp_path, person="carol")
    open_supervisor(qtbot, window)
    view = window.supervisor_view
    assert view is not None and view.overview is not None
    first = view.overview.as_of
    qtbot.waitUntil(lambda: view.overview is not None and view.overview.as_of > first, timeout=10_000)
    view.hide()
    qtbot.waitUntil(lambda: not view._reading, timeout=10_000)
    hidden = view.overview.as_of
    qtbot.wait(700)
    assert view.overview.as_of == hidden
    close_window(window, qtbot)


def test_what_an_action_did_is_said_under_the_board_for_a_while_not_for_ever(
    qtbot: QtBot, engine: Engine, world: World, tickets: dict[str, int], tmp_path: Path
) -> None:
    """ "Note added to #10463." still stood under the board seven minutes later, read as news."""
    window = open_desk_window(qtbot, engine, tmp_path, person="carol")
    open_supervisor(qtbot, window)
    view = window.supervisor_view
    assert view is not None
    view.notice_timer.setInterval(50)
    view._say("Note added to #10001.")
    assert view.notice.text() == "Note added to #10001."
    qtbot.waitUntil(lambda: view.notice.text() == "", timeout=2_000)
    close_window(window, qtbot)


def test_a_compliance_bar_says_its_day_counts_and_share() -> None:
    days = (dt.date(2026, 11, 30), dt.date(2026, 12, 1), dt.date(2026, 12, 2))
    series = ComplianceSeries("Resolution, all queues", days, met=(3, 0, 0), breached=(1, 0, 2))
    assert series.describe_day(0) == "Mon 30 Nov 2026: 3 met, 1 breached (75% met); 75% met in the 7 days to it"
    assert series.describe_day(1) == "Tue 01 Dec 2026: no clock finished; 75% met in the 7 days to it"
    assert series.describe_day(2).endswith(": 0 met, 2 breached (0% met); 50% met in the 7 days to it")
    assert (series.share_on(0), series.share_on(1), series.share_on(2)) == (0.75, None, 0.0)
    quiet = ComplianceSeries("Resolution, all queues", days, met=(0, 0, 5), breached=(0, 0, 0))
    assert [quiet.trailing_share(i) for i in range(3)] == [None, None, 1.0]
    # a week back and no further: the breach of eight days before has left the trend
    month = tuple(dt.date(2026, 11, 1) + dt.timedelta(days=i) for i in range(9))
    older = ComplianceSeries("Resolution, all queues", month, met=(0,) * 8 + (1,), breached=(1,) + (0,) * 8)
    assert older.trailing_share(6) == 0.0 and older.trailing_share(7) is None and older.trailing_share(8) == 1.0


def test_a_board_that_cannot_be_read_again_says_it_is_not_up_to_date(
    qtbot: QtBot, engine: Engine, world: World, tickets: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the server gone the board still said "As of 00:12 …" and looked live (a usability probe); the
    server's loss itself is the driver's to report, so the read is made to fail as it then does."""
    from app.services.errors import DatabaseUnavailable
    from app.services.platform.database.failures import unreachable_words

    window = open_desk_window(qtbot, engine, tmp_path, person="carol")
    open_supervisor(qtbot, window)
    view = window.supervisor_view
    assert view is not None and view.overview is not None
    read_at = f"{view.overview.as_of.astimezone():%H:%M}"

    def gone() -> object:
        raise DatabaseUnavailable(unreachable_words("connection to server failed: Connection refused"))

    monkeypatch.setattr(view.supervision, "overview", gone)
    view.refresh()
    qtbot.waitUntil(lambda: view.summary.text().startswith("Not up to date"), timeout=10_000)
    assert view.summary.text().startswith(f"Not up to date, showing what was read at {read_at}: No connection to")
    assert view.board_model.rows  # what was read stays
    close_window(window, qtbot)
