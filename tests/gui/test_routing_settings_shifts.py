"""A lead edits an agent's weekly shift (several intervals a day, a time zone) and out of office (an end
date, a substitute) in the routing settings dialog by keyboard, previews and saves, as her own login (carol
leads Billing); what landed is read back through her login. A queue handed to another lead meanwhile: the
database's refusal is shown as a sentence and nothing changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, select, update

from app.bootstrap import Runtime
from app.models import Agent, Queue
from app.services.desk import HelpDesk
from app.views.agent_schedule import AgentScheduleDialog
from app.views.routing_settings import SCHEDULE, RoutingSettingsDialog
from app.vocabulary import AgentRole
from tests.gui.test_routing_settings_dialog import open_settings
from tests.support.desk_window import close_window, open_desk_window, runtime_as
from tests.support.world import World, build_world

pytestmark = [
    pytest.mark.slow,
    pytest.mark.qt_log_ignore(  # the time zones' completer is a popup: offscreen Qt can neither raise it nor grab keys
        "^This plugin does not support grabbing the keyboard$", "^This plugin does not support raise\\(\\)$"
    ),
]
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    return build_world(committed_runtime.session_factory)


def replace_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(widget, text)


def open_schedule_of_first_agent(qtbot: QtBot, dialog: RoutingSettingsDialog) -> AgentScheduleDialog:
    """Alice's row (the arrow keys), then Alt+H."""
    dialog.agents.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.agents)
    qtbot.keyClick(dialog.agents, Qt.Key.Key_Home, CTRL)
    assert dialog.agents.currentRow() == 0
    qtbot.keyClick(dialog.agents, Qt.Key.Key_H, ALT)
    qtbot.waitUntil(lambda: dialog.schedule_dialog is not None and dialog.schedule_dialog.isVisible())
    schedule = dialog.schedule_dialog
    assert schedule is not None and schedule.facts.name == "Alice Archer"
    qtbot.waitExposed(schedule)
    schedule.activateWindow()  # as the window manager would (offscreen has none)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is schedule)
    return schedule


def preview_and_save(qtbot: QtBot, dialog: RoutingSettingsDialog) -> None:
    assert not dialog.save_button.isEnabled(), "an edit asks for a preview first"
    dialog.activateWindow()  # back from the agent's dialog, as the window manager would
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_P, ALT)
    qtbot.waitUntil(lambda: dialog.state == "previewed", timeout=30_000)
    assert dialog.save_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_V, ALT)


def test_a_lead_edits_a_shift_and_an_out_of_office_by_keyboard_previews_and_saves(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    window = open_desk_window(qtbot, engine, tmp_path, person="carol")
    dialog = open_settings(qtbot, window)
    qtbot.waitUntil(lambda: dialog.state == "ready", timeout=10_000)
    assert dialog.agents.item(0, SCHEDULE).text() == "UTC: no schedule"  # type: ignore[union-attr]
    schedule = open_schedule_of_first_agent(qtbot, dialog)

    qtbot.keyClick(schedule, Qt.Key.Key_Z, ALT)  # Time zone
    assert QApplication.focusWidget() is schedule.time_zone
    replace_text(qtbot, schedule.time_zone, "Europe/Berlin")
    qtbot.keyClick(schedule, Qt.Key.Key_M, ALT)  # Monday: a lunch break
    assert QApplication.focusWidget() is schedule.days[0]
    qtbot.keyClicks(schedule.days[0], "09:00-12:00, 13:00-25:00")
    qtbot.keyClick(schedule.days[0], Qt.Key.Key_Return)  # OK: refused, the dialog stays with what was typed
    assert schedule.isVisible() and "HH:MM-HH:MM" in schedule.message.text()
    replace_text(qtbot, schedule.days[0], "09:00-12:00, 13:00-17:30")
    qtbot.keyClick(schedule, Qt.Key.Key_F, ALT)  # Friday
    qtbot.keyClicks(schedule.days[4], "08:00-12:00")
    qtbot.keyClick(schedule, Qt.Key.Key_O, ALT)  # Out of office through
    qtbot.keyClicks(schedule.away_until, "2030-01-31")
    qtbot.keyClick(schedule, Qt.Key.Key_B, ALT)  # Substitute: nobody, then Bob
    assert QApplication.focusWidget() is schedule.substitute
    qtbot.keyClick(schedule.substitute, Qt.Key.Key_Down)
    assert schedule.substitute.currentText() == "Bob Baker"
    qtbot.keyClick(schedule.substitute, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not schedule.isVisible())
    shown = dialog.agents.item(0, SCHEDULE).text()  # type: ignore[union-attr]
    assert shown == "Europe/Berlin: mon 09:00-12:00, 13:00-17:30; fri 08:00-12:00; out of office through 2030-01-31"

    preview_and_save(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.saved_version is not None and dialog.state == "ready", timeout=10_000)
    seen_by_carol = HelpDesk(runtime_as(engine, "carol")).routing  # what landed, through her own login
    alice = next(a for a in seen_by_carol.queue_agents(world.billing) if a.name == "Alice Archer")
    assert alice.time_zone == "Europe/Berlin"
    assert dict(alice.shift or {}) == {"0": [[540, 720], [780, 1050]], "4": [[480, 720]]}
    assert alice.out_of_office_until == dt.date(2030, 1, 31) and alice.substitute == world.login("bob")
    dialog.reject()
    close_window(window, qtbot)


def test_a_queue_handed_to_another_lead_meanwhile_refuses_the_change_with_a_sentence(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    window = open_desk_window(qtbot, engine, tmp_path, person="carol")
    dialog = open_settings(qtbot, window)
    qtbot.waitUntil(lambda: dialog.state == "ready", timeout=10_000)
    with world.trusted_uow() as uow:  # the admin gives Billing to Erik while carol has the dialog open
        erik = Agent(
            display_name="Erik Berg", email="erik@example.test", db_login=world.login("erik"), role=AgentRole.SUPERVISOR
        )
        uow.session.add(erik)
        uow.session.flush()
        uow.session.execute(update(Queue).where(Queue.id == world.billing).values(team_lead_id=erik.id))
        uow.commit()
    schedule = open_schedule_of_first_agent(qtbot, dialog)  # alice works Billing only
    qtbot.keyClick(schedule, Qt.Key.Key_M, ALT)
    qtbot.keyClicks(schedule.days[0], "06:00-14:00")
    qtbot.keyClick(schedule.days[0], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not schedule.isVisible())

    preview_and_save(qtbot, dialog)
    expected = "Only the lead of one of the agent's queues changes their routing"
    qtbot.waitUntil(lambda: dialog.message.text() == expected, timeout=10_000)
    assert dialog.state == "ready" and dialog.saved_version is None
    with world.trusted_uow() as uow:
        assert uow.session.scalar(select(Agent.shift).where(Agent.id == world.alice)) is None
    dialog.reject()
    close_window(window, qtbot)
