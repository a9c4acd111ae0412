"""The SLA admin views (issue 14), driven by keys and clicks on a real database as each person's own login:
carol, who leads both queues, opens them from the supervisor view (Ctrl+Shift+L), edits the Billing policy's
resolution target, dry-runs it (Save is refused until then), saves it, and moves it below the default with
Ctrl+Down (dry-run, then applied); a policy over every queue is refused by the database, its sentence shown
and everything typed kept. dana, an admin, changes a calendar's hours, region and own dates (one from an
.ics file) and saves; a lead reads calendars only."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, text

from app.bootstrap import Runtime
from app.models import Agent
from app.services.desk import HelpDesk
from app.services.errors import InvalidInput
from app.services.sla.admin_dto import CalendarInfo, DryRun, PolicyInfo, SlaSetup
from app.services.sla.dto import minutes_words
from app.services.tickets import service
from app.views.appearance import dark_palette
from app.views.main_window import MainWindow
from app.views.sla_admin import ACTION, BEYOND_LED, PolicyListModel, SlaAdminDialog, SlaPolicyEditor, dry_run_words
from app.views.supervisor.view import SupervisorView
from app.views.tasks import TaskRunner
from app.vocabulary import AgentRole
from tests.support.desk_window import answer_question, close_window, open_desk_window, runtime_as
from tests.support.world import World, build_world, create_login

pytestmark = pytest.mark.slow
TARGETS = {"normal": {"first_response": 60, "resolution": 480}, "urgent": {"first_response": 15}}


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    world = build_world(committed_runtime.session_factory)
    with committed_runtime.uow() as uow:  # set up as the DBA
        create_login(uow.session, f"{world.database}_dana", AgentRole.ADMIN)
        uow.session.add(
            Agent(display_name="Dana Admin", email="dana@example.test", db_login=f"{world.database}_dana",
                  role=AgentRole.ADMIN)
        )  # fmt: skip
        uow.session.execute(
            text(
                "INSERT INTO switchboard.business_calendar (name, time_zone, weekly_hours, country)"
                " VALUES ('Office', 'Europe/Berlin', '{\"0\": [[540, 1020]], \"1\": [[540, 1020]]}', 'DE')"
            )
        )
        for name, position, conditions in (
            ("Billing standard", 10, {"queue_ids": [world.billing]}),
            ("Default", 100, {}),
        ):
            uow.session.execute(
                text(
                    "INSERT INTO switchboard.sla_policy (name, position, conditions, targets, business_hours)"
                    " VALUES (:n, :p, CAST(:c AS jsonb), CAST(:t AS jsonb), false)"
                ),
                {"n": name, "p": position, "c": json.dumps(conditions), "t": json.dumps(TARGETS)},
            )
        uow.commit()
    with world.uow("alice") as uow:
        service.create_ticket(uow, subject="Refund", customer_id=world.jane, queue_id=world.billing, body="?")
        uow.commit()
    return world


def open_sla_admin(qtbot: QtBot, window: MainWindow) -> SlaAdminDialog:
    """Ctrl+E from the queue, then Ctrl+Shift+L in the supervisor view."""
    qtbot.waitExposed(window)
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.table)
    qtbot.keyClick(window.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.supervisor_view is not None)
    view: SupervisorView = window.supervisor_view  # type: ignore[assignment]
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    qtbot.keyClick(view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: view.sla_admin_dialog is not None)
    dialog = view.sla_admin_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.state == "ready", timeout=10_000)
    become_active(qtbot, dialog)
    return dialog


def type_into_cell(qtbot: QtBot, table: QTableWidget, row: int, column: int, text: str) -> None:
    table.setFocus()
    table.setCurrentCell(row, column)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert editor is not None and editor is not table, "F2 opens the cell's editor"
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.state() is not QAbstractItemView.State.EditingState)
    assert table.item(row, column).text() == text  # type: ignore[union-attr]


def open_editor(qtbot: QtBot, dialog: SlaAdminDialog, row: int) -> SlaPolicyEditor:
    dialog.table.setFocus()
    dialog.table.setCurrentIndex(dialog.model.index(row, 0))
    editor_before = dialog.editor
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.editor is not None and dialog.editor is not editor_before)
    editor = dialog.editor
    assert editor is not None
    become_active(qtbot, editor)
    return editor


def become_active(qtbot: QtBot, window: QWidget) -> None:
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def dry_run_then(qtbot: QtBot, editor: SlaPolicyEditor) -> None:
    assert not editor.save_button.isEnabled(), "nothing is saved before a dry run"
    qtbot.mouseClick(editor.dry_run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.state in ("checked", "ready") and editor.dry_run_button.isEnabled(), timeout=10_000)
    assert editor.state == "checked", editor.message.text()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)


def test_a_lead_edits_dry_runs_saves_and_moves_a_policy_and_a_refusal_keeps_what_was_typed(
    qtbot: QtBot, qtmodeltester: ModelTester, engine: Engine, world: World, tmp_path: Path
) -> None:
    window = open_desk_window(qtbot, engine, tmp_path, person="carol")
    assert "SLA policies and calendars…" in window.actions_by_text  # in the palette too, for leads only
    dialog = open_sla_admin(qtbot, window)
    qtmodeltester.check(dialog.model)
    assert [p.name for p in dialog.model.policies] == ["Billing standard", "Default"]
    assert dialog.model.data(dialog.model.index(0, 2)) == "Billing"

    editor = open_editor(qtbot, dialog, 0)
    resolution = 2  # the targets' third column; normal is the second row
    type_into_cell(qtbot, editor.targets, 1, resolution, "4 h")  # as people think of it; minutes work too
    qtbot.mouseClick(editor.dry_run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.state == "checked", timeout=10_000)
    summary = editor.summary.text()  # the resolution moves; the soonest due time (first response) does not
    assert summary.startswith("1 of 1 open tickets would move; 0 would become breached at once.")
    dialog.table.setCurrentIndex(dialog.model.index(1, 0))  # the list behind has another chosen (as a new one has)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.state == "saved", timeout=10_000)
    qtbot.waitUntil(lambda: dialog.state == "ready" and dialog.model.policies[0].version == 2, timeout=10_000)
    carol = HelpDesk(runtime_as(engine, "carol")).supervision.sla_admin  # what landed, through her own login
    saved = next(p for p in carol.setup().policies if p.name == "Billing standard")
    assert saved.targets["normal"] == {"first_response": 60, "resolution": 240} and saved.version == 2
    assert dialog._current_id() == saved.id  # the policy just saved is the one chosen in the list

    # A policy over every queue is the admin's: carol unticks Billing; the database says no, nothing is lost.
    editor = open_editor(qtbot, dialog, 0)
    editor.name_edit.setFocus()
    qtbot.keyClick(editor.name_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor.name_edit, "Everything fast")
    editor.queue_list.setFocus()
    editor.queue_list.setCurrentRow(0)  # Billing
    qtbot.keyClick(editor.queue_list, Qt.Key.Key_Space)
    assert editor.spec()["conditions"] == {}
    qtbot.mouseClick(editor.dry_run_button, Qt.MouseButton.LeftButton)  # a dry run she may do; Save she may not
    qtbot.waitUntil(lambda: editor.state == "checked", timeout=10_000)
    assert not editor.save_button.isEnabled() and editor.message.text() == BEYOND_LED
    editor.save()  # sent anyway (a modified client): the database says no, nothing is lost
    qtbot.waitUntil(lambda: editor.state == "ready", timeout=10_000)
    assert "applies only to queues they lead" in editor.message.text()
    assert editor.isVisible() and editor.name_edit.text() == "Everything fast"
    assert editor.targets.item(1, resolution).text() == "4 h"  # type: ignore[union-attr]
    assert not editor.save_button.isEnabled()
    kept = answer_question(qtbot, discard=False)  # Esc asks first: "Everything fast" is not saved
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert kept == ["Your changes to this policy are not saved. Discard them?"] and editor.isVisible()
    dropped = answer_question(qtbot, discard=True)
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert dropped
    become_active(qtbot, dialog)

    # Ctrl+Down: Billing standard goes below the default (dry-run first, then applied).
    dialog.table.setFocus()
    dialog.table.setCurrentIndex(dialog.model.index(0, 0))
    assert not dialog.table.tabKeyNavigation()  # Tab leaves the list for the buttons (a usability probe)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.apply_move_button.isEnabled(), timeout=10_000)
    assert dialog.move_summary.text().startswith("Moving Billing standard down: 1 of 1 open tickets would move")
    qtbot.mouseClick(dialog.apply_move_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text() == "Moved; open tickets are recomputed.", timeout=10_000)
    assert [p.name for p in dialog.model.policies] == ["Default", "Billing standard"]
    assert [p.position for p in carol.setup().policies if p.is_active] == [100, 101]

    # Calendars are shared: a lead reads them.
    dialog.tabs.setCurrentIndex(1)
    calendar = dialog.calendar_editor
    qtbot.waitUntil(lambda: calendar.calendar is not None and calendar.holidays.rowCount() > 0, timeout=10_000)
    assert calendar.hours.item(0, 0).text() == "09:00-17:00" and not calendar.save_button.isEnabled()  # type: ignore[union-attr]
    assert not calendar.dry_run_button.isEnabled()  # nothing of theirs to try
    dialog.reject()
    close_window(window, qtbot)


def test_an_admin_changes_a_calendars_hours_region_and_own_dates_from_an_ics_file(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    ics = tmp_path / "team.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        "BEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20261228\r\n"
        "DTEND;VALUE=DATE:20261230\r\nSUMMARY:Team retreat\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    window = open_desk_window(qtbot, engine, tmp_path, person="dana")
    dialog = open_sla_admin(qtbot, window)
    dialog.tabs.setCurrentIndex(1)
    calendar = dialog.calendar_editor
    qtbot.waitUntil(lambda: calendar.calendar is not None and calendar.region_choice.count() > 1, timeout=10_000)
    assert calendar.save_button.isEnabled()
    type_into_cell(qtbot, calendar.hours, 2, 0, "08:00-12:00, 13:00-16:30")  # Wednesday, two intervals
    calendar.region_choice.setFocus()
    calendar.region_choice.setCurrentIndex(calendar.region_choice.findData("BE"))
    assert calendar.region_choice.currentText() == "Berlin (BE)"  # by name, not the bare code
    calendar.year_box.setValue(2026)
    calendar.choose_ics_file = lambda: str(ics)  # the file dialog's answer
    qtbot.mouseClick(calendar.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: calendar.own_dates.count() == 2, timeout=10_000)

    def closed_on() -> dict[str, str]:
        rows = range(calendar.holidays.rowCount())
        return {calendar.holidays.item(r, 0).text(): calendar.holidays.item(r, 1).text() for r in rows}  # type: ignore[union-attr]

    qtbot.waitUntil(lambda: "Mon 2026-12-28" in closed_on() and "Sun 2026-03-08" in closed_on(), timeout=10_000)
    assert closed_on()["Mon 2026-12-28"] == "Team retreat (own date)"  # the event's title, kept
    calendar.date_edit.setDate(QDate(2026, 12, 24))
    qtbot.keyClicks(calendar.why_edit, "Inventory day")
    qtbot.keyClick(calendar.why_edit, Qt.Key.Key_Return)  # Enter beside the date adds it, named
    qtbot.waitUntil(lambda: closed_on().get("Thu 2026-12-24") == "Inventory day (own date)", timeout=10_000)
    assert calendar.own_dates.item(0).text() == "Thu 2026-12-24  Inventory day"
    # Alt+D: what the calendar as shown would do to the open tickets, before anything is saved
    qtbot.keyClick(calendar.name_edit, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: calendar.message.text().endswith("Nothing was written."), timeout=20_000)
    assert re.match(r"\d+ of \d+ open tickets would move", calendar.message.text()), calendar.message.text()
    unsaved = HelpDesk(runtime_as(engine, "dana")).supervision.sla_admin.setup().calendars[0]
    assert unsaved.version == 1 and unsaved.closed_dates == ()
    qtbot.mouseClick(calendar.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: calendar.message.text().startswith("Saved Office (version 2)"), timeout=10_000)
    stored = HelpDesk(runtime_as(engine, "dana")).supervision.sla_admin.setup().calendars[0]
    assert stored.weekly_hours["2"] == [[480, 720], [780, 990]] and stored.subdivision == "BE"
    assert [d.isoformat() for d in stored.closed_dates] == ["2026-12-24", "2026-12-28", "2026-12-29"]
    assert stored.closed_date_names == {
        dt.date(2026, 12, 24): "Inventory day",
        dt.date(2026, 12, 28): "Team retreat",
        dt.date(2026, 12, 29): "Team retreat",
    }
    dialog.reject()
    close_window(window, qtbot)


def test_a_calendars_edits_not_saved_are_asked_about_before_esc_close_or_another_calendar_drops_them(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    """A team date added, then Esc: the dialog closed and the date was gone, where the policy editor and
    the routing settings ask first."""
    window = open_desk_window(qtbot, engine, tmp_path, person="dana")
    dialog = open_sla_admin(qtbot, window)
    dialog.tabs.setCurrentIndex(1)
    calendar = dialog.calendar_editor
    qtbot.waitUntil(lambda: calendar.calendar is not None and calendar.region_choice.count() > 1, timeout=10_000)
    assert not calendar.has_unsaved_edits()  # as shown, its region arrived after it: nothing to ask about
    calendar.date_edit.setDate(QDate(2026, 12, 24))
    qtbot.mouseClick(calendar.add_date_button, Qt.MouseButton.LeftButton)
    assert calendar.has_unsaved_edits()
    kept = answer_question(qtbot, discard=False)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert kept == ["Your changes to this calendar are not saved. Discard them?"] and dialog.isVisible()
    asked = answer_question(qtbot, discard=False)  # a new calendar over the edits: asked too, and kept
    qtbot.mouseClick(dialog.new_calendar_button, Qt.MouseButton.LeftButton)
    assert asked and calendar.own() == {dt.date(2026, 12, 24): ""} and calendar.calendar is not None
    dropped = answer_question(qtbot, discard=True)
    close = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Close)  # type: ignore[union-attr]
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dropped
    stored = HelpDesk(runtime_as(engine, "dana")).supervision.sla_admin.setup().calendars[0]
    assert stored.closed_dates == ()
    close_window(window, qtbot)


# --- conditions the editor does not edit field by field (the demo's "VIP accounts") ---------------------------

VIP: dict[str, object] = {"account.tier": "vip", "account.region": ["EU", "UK"], "organisation_ids": [7]}


def stored_conditions(runtime: Runtime, name: str) -> tuple[dict[str, object], int]:
    """The policy's conditions and version as the database holds them (read as the DBA)."""
    with runtime.uow() as uow:
        row = uow.session.execute(
            text("SELECT conditions, version FROM switchboard.sla_policy WHERE name = :n"), {"n": name}
        ).one()
    return dict(row.conditions), int(row.version)


def test_a_policy_with_account_conditions_opened_and_saved_unchanged_keeps_them(
    qtbot: QtBot, engine: Engine, world: World, committed_runtime: Runtime, tmp_path: Path
) -> None:
    """The VIP policy once showed "every ticket", no account condition in its editor, and a save unchanged
    stored {}: the VIP targets then applied to every ticket. Now dana sees them, saves unchanged (conditions
    identical), then types new account conditions by keys; a line that is no condition is refused."""
    with committed_runtime.uow() as uow:
        uow.session.execute(  # the organisation its conditions name (a policy naming none is refused)
            text("INSERT INTO switchboard.organisation (id, name) VALUES (7, 'VIP Corp') ON CONFLICT DO NOTHING")
        )
        uow.session.execute(
            text(
                "INSERT INTO switchboard.sla_policy (name, position, conditions, targets, business_hours)"
                " VALUES ('VIP accounts', 5, CAST(:c AS jsonb), CAST(:t AS jsonb), false)"
            ),
            {"c": json.dumps(VIP), "t": json.dumps(TARGETS)},
        )
        uow.commit()
    window = open_desk_window(qtbot, engine, tmp_path, person="dana")
    dialog = open_sla_admin(qtbot, window)
    assert dialog.model.policies[0].name == "VIP accounts"
    applies = dialog.model.data(dialog.model.index(0, 2))
    assert "account tier: vip" in applies and "account region: EU/UK" in applies and "every ticket" not in applies

    editor = open_editor(qtbot, dialog, 0)
    assert set(editor.account_edit.text().split("; ")) == {"account.tier = vip", "account.region = EU, UK"}
    assert "organisation_ids = 7" in editor.kept_note.text() and editor.kept_note.isVisibleTo(editor)
    dry_run_then(qtbot, editor)
    qtbot.waitUntil(lambda: editor.state == "saved", timeout=10_000)
    assert stored_conditions(committed_runtime, "VIP accounts") == (VIP, 2)

    qtbot.waitUntil(lambda: dialog.state == "ready" and dialog.model.policies[0].version == 2, timeout=10_000)
    editor = open_editor(qtbot, dialog, 0)
    editor.account_edit.setFocus()
    qtbot.keyClick(editor.account_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor.account_edit, "tier vip")
    qtbot.mouseClick(editor.dry_run_button, Qt.MouseButton.LeftButton)
    assert "account.NAME = value" in editor.message.text() and editor.state == "ready"
    qtbot.keyClick(editor.account_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor.account_edit, "tier = vip, gold; account.region=EU")
    dry_run_then(qtbot, editor)
    qtbot.waitUntil(lambda: editor.state == "saved", timeout=10_000)
    changed = {"account.tier": ["vip", "gold"], "account.region": "EU", "organisation_ids": [7]}
    assert stored_conditions(committed_runtime, "VIP accounts") == (changed, 3)
    qtbot.waitUntil(lambda: dialog.state == "ready" and dialog.model.policies[0].version == 3, timeout=10_000)
    assert "account tier: vip/gold" in dialog.model.data(dialog.model.index(0, 2))
    dialog.reject()
    close_window(window, qtbot)


def policy_info(policy_id: int, name: str, conditions: dict[str, object]) -> PolicyInfo:
    ladder = ({"level": 1, "after_breach_minutes": 0, "action": "notify_lead"},)
    return PolicyInfo(policy_id, name, policy_id * 10, conditions, TARGETS, False, None, 0.8, ladder, True, 1)


def test_the_list_shows_the_account_condition_and_every_condition_it_has(
    qtbot: QtBot, qtmodeltester: ModelTester
) -> None:
    model = PolicyListModel()
    policies = [policy_info(1, "VIP accounts", VIP), policy_info(2, "Billing", {"queue_ids": [1]})]
    model.set_policies(policies, {1: "Billing"}, retired=False)
    qtmodeltester.check(model)
    assert model.data(model.index(0, 2)) == "account tier: vip; account region: EU/UK; organisation ids: 7"
    assert model.data(model.index(1, 2)) == "Billing"


def test_the_dry_run_says_how_many_tickets_would_be_due_earlier_and_later() -> None:
    outcome = DryRun(dt.datetime(2026, 1, 5, tzinfo=dt.UTC), 20, 8, 8, 0, 0, ())
    assert dry_run_words(outcome).startswith(
        "8 of 20 open tickets would move (8 would be due earlier, 0 later); 0 would become breached at once."
    )


class NoArea:
    """The editor's area for what needs no database (it is asked nothing until a dry run)."""


def test_the_editor_fits_its_labels_and_actions_and_shows_unticked_boxes_in_the_dark(qtbot: QtBot) -> None:
    setup = SlaSetup((), (), ((1, "Billing"), (2, "Tech support")), frozenset({1, 2}), True, True)
    policy = policy_info(1, "VIP accounts", VIP)
    editor = SlaPolicyEditor(NoArea(), TaskRunner(), setup, policy)  # type: ignore[arg-type]
    qtbot.addWidget(editor)
    editor.setPalette(dark_palette())
    editor.show()
    qtbot.waitExposed(editor)
    for label in editor.findChildren(QLabel):
        if label.isVisible() and not label.wordWrap():
            assert label.width() >= label.sizeHint().width(), f"{label.text()!r} is cut off"
    action = editor.ladder.cellWidget(0, ACTION)
    assert isinstance(action, QComboBox) and action.width() >= action.sizeHint().width(), "the action is cut off"
    assert action.toolTip(), "the action's whole sentence is in its tooltip"

    queues = editor.queue_list
    image = queues.viewport().grab().toImage()
    row = queues.visualItemRect(queues.item(0))
    background = queues.palette().color(QPalette.ColorRole.Base).lightness()
    left = [
        image.pixelColor(x, y).lightness()
        for x in range(row.left(), row.left() + 24)
        for y in range(row.top(), row.bottom())
    ]
    assert max(left) - background > 60, "an unticked box is drawn as dark as the list behind it"


def test_every_condition_no_field_shows_is_kept_verbatim_and_named(qtbot: QtBot) -> None:
    """The class of the VIP bug: a queue the list lacks, a value no field can say, an account condition
    of one value or a list of one; opened and saved unchanged, they are the very same conditions."""
    stored: dict[str, object] = {
        "queue_ids": [2, 99],
        "priorities": ["urgent"],
        "types": "incident",  # no list: the engine's reader decides what it means, the editor keeps it
        "account.level": 3,
        "account.tier": ["vip"],
    }
    setup = SlaSetup((), (), ((1, "Billing"), (2, "Tech support")), frozenset({1, 2}), True, True)
    editor = SlaPolicyEditor(NoArea(), TaskRunner(), setup, policy_info(1, "Odd", stored))  # type: ignore[arg-type]
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    assert editor.spec()["conditions"] == stored
    shown = [editor.priority_list.item(row).text() for row in range(editor.priority_list.count())]
    assert shown == ["Low", "Normal", "High", "Urgent"]  # as the queue says them; "urgent" is what is stored
    assert not editor.types_edit.isEnabled()
    assert "types = incident" in editor.kept_note.text() and "queue_ids also 99" in editor.kept_note.text()

    editor.channels_edit.setFocus()
    qtbot.keyClicks(editor.channels_edit, "email")
    assert editor.spec()["conditions"] == {**stored, "channels": ["email"]}


def test_enter_in_a_field_dry_runs_and_tab_leaves_the_targets(qtbot: QtBot) -> None:
    """Enter after typing a name added an escalation step (Add step had become the default); Tab went round
    the targets' twelve cells for ever."""
    setup = SlaSetup((), (), ((1, "Billing"),), frozenset({1}), True, True)
    editor = SlaPolicyEditor(NoArea(), TaskRunner(), setup, policy_info(1, "Plain", {}))  # type: ignore[arg-type]
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    editor.activateWindow()
    steps = editor.ladder.rowCount()
    editor.add_step_button.setFocus()  # a button that had the keyboard once
    editor.name_edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.name_edit)
    pressed: list[str] = []
    editor.dry_run_button.clicked.disconnect()
    editor.dry_run_button.clicked.connect(lambda: pressed.append("dry run"))
    qtbot.keyClick(editor.name_edit, Qt.Key.Key_Return)
    assert pressed == ["dry run"] and editor.ladder.rowCount() == steps

    editor.targets.setFocus()
    editor.targets.setCurrentCell(0, 0)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.targets)
    qtbot.keyClick(editor.targets, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not editor.targets  # on to the next field, not the next cell


@pytest.mark.parametrize("typed", ["0", "99999999999", "two", "2 days", "1.51 h"])
def test_a_target_out_of_bounds_is_refused_naming_its_cell(qtbot: QtBot, typed: str) -> None:
    setup = SlaSetup((), (), ((1, "Billing"),), frozenset({1}), True, True)
    editor = SlaPolicyEditor(NoArea(), TaskRunner(), setup, policy_info(1, "Plain", {}))  # type: ignore[arg-type]
    qtbot.addWidget(editor)
    editor.targets.setItem(3, 0, QTableWidgetItem(typed))  # urgent, first response
    with pytest.raises(InvalidInput, match=r"^Urgent, first response: a time from 1 minute to 525,600 minutes"):
        editor.spec()


@pytest.mark.parametrize(("typed", "minutes"), [("90", 90), ("1 h 30 min", 90), ("1:30", 90), ("2,5h", 150)])
def test_a_target_is_typed_as_a_duration_and_shown_in_hours(qtbot: QtBot, typed: str, minutes: int) -> None:
    """A lead thinks in hours: the cells take durations as people write them and show them so."""
    setup = SlaSetup((), (), ((1, "Billing"),), frozenset({1}), True, True)
    editor = SlaPolicyEditor(NoArea(), TaskRunner(), setup, policy_info(1, "Plain", {}))  # type: ignore[arg-type]
    qtbot.addWidget(editor)
    editor.targets.setItem(3, 0, QTableWidgetItem(typed))  # urgent, first response
    assert editor.spec()["targets"]["urgent"]["first_response"] == minutes
    saved = replace(policy_info(1, "Plain", {}), targets={"urgent": {"first_response": minutes}})
    shown = SlaPolicyEditor(NoArea(), TaskRunner(), setup, saved)  # type: ignore[arg-type]
    qtbot.addWidget(shown)
    assert shown.targets.item(3, 0).text() == minutes_words(minutes)  # type: ignore[union-attr]


def test_business_minutes_wait_for_a_calendar(qtbot: QtBot) -> None:
    calendar = CalendarInfo(1, "Berlin office", "Europe/Berlin", {}, "DE", "BE", (), 1)
    setup = SlaSetup((), (calendar,), ((1, "Billing"),), frozenset({1}), True, True)
    editor = SlaPolicyEditor(NoArea(), TaskRunner(), setup, policy_info(1, "Plain", {}))  # type: ignore[arg-type]
    qtbot.addWidget(editor)
    editor.calendar_choice.setCurrentIndex(editor.calendar_choice.findData(""))
    assert not editor.business_hours_box.isEnabled()  # "(none: calendar time)": every minute counts
    editor.calendar_choice.setCurrentIndex(editor.calendar_choice.findData("Berlin office"))
    assert editor.business_hours_box.isEnabled()
