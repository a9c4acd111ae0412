"""The SLA admin views (issue 14), driven by keys and clicks on a real database as each person's own login:
carol, who leads both queues, opens them from the supervisor view (Ctrl+Shift+L), edits the Billing policy's
resolution target, dry-runs it (Save is refused until then), saves it, and moves it below the default with
Ctrl+Down (dry-run, then applied); a policy over every queue is refused by the database, its sentence shown
and everything typed kept. dana, an admin, changes a calendar's hours, region and own dates (one from an
.ics file) and saves; a lead reads calendars only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QTableWidget, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, text

from app.bootstrap import Runtime
from app.models import Agent
from app.services.desk import HelpDesk
from app.services.tickets import service
from app.views.main_window import MainWindow
from app.views.sla_admin import SlaAdminDialog, SlaPolicyEditor
from app.views.supervisor.view import SupervisorView
from app.vocabulary import AgentRole
from tests.support.desk_window import close_window, open_desk_window, runtime_as
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
    type_into_cell(qtbot, editor.targets, 1, resolution, "240")
    qtbot.mouseClick(editor.dry_run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.state == "checked", timeout=10_000)
    summary = editor.summary.text()  # the resolution moves; the soonest due time (first response) does not
    assert summary.startswith("1 of 1 open tickets would move; 0 would become breached at once.")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.state == "saved", timeout=10_000)
    qtbot.waitUntil(lambda: dialog.state == "ready" and dialog.model.policies[0].version == 2, timeout=10_000)
    carol = HelpDesk(runtime_as(engine, "carol")).supervision.sla_admin  # what landed, through her own login
    saved = next(p for p in carol.setup().policies if p.name == "Billing standard")
    assert saved.targets["normal"] == {"first_response": 60, "resolution": 240} and saved.version == 2

    # A policy over every queue is the admin's: carol unticks Billing; the database says no, nothing is lost.
    editor = open_editor(qtbot, dialog, 0)
    editor.name_edit.setFocus()
    qtbot.keyClick(editor.name_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor.name_edit, "Everything fast")
    editor.queue_list.setFocus()
    editor.queue_list.setCurrentRow(0)  # Billing
    qtbot.keyClick(editor.queue_list, Qt.Key.Key_Space)
    assert editor.spec()["conditions"] == {}
    dry_run_then(qtbot, editor)
    qtbot.waitUntil(lambda: editor.state == "ready", timeout=10_000)
    assert "applies only to queues they lead" in editor.message.text()
    assert editor.isVisible() and editor.name_edit.text() == "Everything fast"
    assert editor.targets.item(1, resolution).text() == "240"  # type: ignore[union-attr]
    assert not editor.save_button.isEnabled()
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not editor.isVisible())
    become_active(qtbot, dialog)

    # Ctrl+Down: Billing standard goes below the default (dry-run first, then applied).
    dialog.table.setFocus()
    dialog.table.setCurrentIndex(dialog.model.index(0, 0))
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
    calendar.year_box.setValue(2026)
    calendar.choose_ics_file = lambda: str(ics)  # the file dialog's answer
    qtbot.mouseClick(calendar.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: calendar.own_dates.count() == 2, timeout=10_000)

    def closed_on() -> dict[str, str]:
        rows = range(calendar.holidays.rowCount())
        return {calendar.holidays.item(r, 0).text(): calendar.holidays.item(r, 1).text() for r in rows}  # type: ignore[union-attr]

    qtbot.waitUntil(lambda: "Mon 2026-12-28" in closed_on() and "Sun 2026-03-08" in closed_on(), timeout=10_000)
    qtbot.mouseClick(calendar.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: calendar.message.text().startswith("Saved Office (version 2)"), timeout=10_000)
    stored = HelpDesk(runtime_as(engine, "dana")).supervision.sla_admin.setup().calendars[0]
    assert stored.weekly_hours["2"] == [[480, 720], [780, 990]] and stored.subdivision == "BE"
    assert [d.isoformat() for d in stored.closed_dates] == ["2026-12-28", "2026-12-29"]
    dialog.reject()
    close_window(window, qtbot)
