"""The routing settings dialog, driven by keys and clicks on a real database as a lead's own login (carol
leads Billing): a weight and an agent's capacity and skills are changed, the last 30 days previewed (Save
is refused until the edits shown were previewed), then saved; what landed is read back through carol's
own login. An agent who leads nothing is told so and can change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.bootstrap import Runtime, event_handlers
from app.services.desk import HelpDesk
from app.services.routing import engine as routing
from app.services.tickets import service
from app.views.main_window import MainWindow
from app.views.routing_settings import CAPACITY, SKILLS, RoutingSettingsDialog
from app.vocabulary import Availability
from tests.support.desk_window import answer_question, close_window, open_desk_window, runtime_as
from tests.support.world import World, build_world

pytestmark = pytest.mark.slow


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    return build_world(committed_runtime.session_factory)


def _routed_tickets(world: World, count: int) -> None:
    for person in ("alice", "bob"):
        with world.uow(person, handlers=event_handlers()) as uow:
            routing.set_availability(uow, Availability.AVAILABLE)
            uow.commit()
    for n in range(count):
        with world.uow("carol", handlers=event_handlers()) as uow:
            service.create_ticket(uow, subject=f"Invoice {n}", customer_id=world.jane, queue_id=world.billing, body="?")
            uow.commit()


def open_settings(qtbot: QtBot, window: MainWindow) -> RoutingSettingsDialog:
    """Ctrl+Shift+R from the queue."""
    qtbot.waitExposed(window)
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.table)
    qtbot.keyClick(window.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: getattr(window, "routing_settings_dialog", None) is not None, timeout=5000)
    return window.routing_settings_dialog


def type_into_cell(qtbot: QtBot, dialog: RoutingSettingsDialog, row: int, column: int, text: str) -> None:
    """Go to the cell, F2, replace what is there, Enter."""
    table = dialog.agents
    table.setFocus()
    table.setCurrentCell(row, column)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert editor is not None and editor is not table, "F2 opens the cell's editor"
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the view commits and closes the editor a moment later
    qtbot.waitUntil(lambda: table.state() is not QAbstractItemView.State.EditingState)
    assert table.item(row, column).text() == text  # type: ignore[union-attr]


def test_a_lead_changes_weights_and_facts_previews_the_last_30_days_then_saves(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    _routed_tickets(world, 4)
    window = open_desk_window(qtbot, engine, tmp_path, person="carol")
    dialog = open_settings(qtbot, window)
    qtbot.waitUntil(lambda: dialog.state == "ready", timeout=10_000)
    assert dialog.queue_choice.currentText() == "Billing"
    assert [dialog.queue_choice.itemText(i) for i in range(dialog.queue_choice.count())] == [
        "Billing",
        "Technical Support",
    ]
    names = [dialog.agents.item(r, 0).text() for r in range(dialog.agents.rowCount())]  # type: ignore[union-attr]
    assert names == ["Alice Archer", "Bob Baker"]
    assert not dialog.save_button.isEnabled(), "nothing is saved before a preview"

    skill = dialog.weight_boxes["skill"]
    skill.setFocus()
    qtbot.keyClick(skill, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(skill, "5")
    assert skill.value() == 5.0
    type_into_cell(qtbot, dialog, 0, CAPACITY, "12")
    type_into_cell(qtbot, dialog, 0, SKILLS, "billing:3, refunds:2")
    assert not dialog.save_button.isEnabled()

    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.state == "previewed", timeout=30_000)
    assert dialog.summary.text().startswith("Replayed 4 tickets of the last 30 days with these settings: ")
    assert "someone other than who got them (assigned by hand, claimed, or routed under earlier settings)" in (
        dialog.summary.text()
    )
    assert dialog.summary.text().endswith("Nothing was written.")
    would_get = sum(
        int(cell.text()) for r in range(dialog.preview_table.rowCount()) if (cell := dialog.preview_table.item(r, 1))
    )
    assert would_get == 4
    assert dialog.save_button.isEnabled()
    assert HelpDesk(runtime_as(engine, "carol")).routing.queue_settings(world.billing).own is False  # nothing written

    qtbot.keyClick(dialog.weight_boxes["room"], Qt.Key.Key_Up)  # an edit after the preview asks for a new one
    assert not dialog.save_button.isEnabled()
    qtbot.keyClick(dialog.weight_boxes["room"], Qt.Key.Key_Down)
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.state == "previewed", timeout=30_000)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.saved_version is not None and dialog.state == "ready", timeout=10_000)
    assert dialog.saved_version == 1
    assert dialog.message.text() == "Saved: Billing routes by settings version 1."

    seen_by_carol = HelpDesk(runtime_as(engine, "carol")).routing  # what landed, through her own login
    saved = seen_by_carol.queue_settings(world.billing)
    assert saved.own and dict(saved.weights)["skill"] == 5.0 and dict(saved.weights)["room"] == 2.0
    alice = next(a for a in seen_by_carol.queue_agents(world.billing) if a.name == "Alice Archer")
    assert alice.capacity == 12 and dict(alice.skills) == {"billing": 3, "refunds": 2}
    assert not dialog.has_unsaved_edits()  # what is shown was saved: Close asks nothing

    # An edit previewed but not saved: Close (Esc) asks; Esc in the question keeps editing, Discard drops it.
    type_into_cell(qtbot, dialog, 0, CAPACITY, "14")
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.state == "previewed", timeout=30_000)
    kept = answer_question(qtbot, discard=False)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert kept == ["Your changes to the routing settings are not saved. Discard them?"] and dialog.isVisible()
    assert dialog.agents.item(0, CAPACITY).text() == "14"  # type: ignore[union-attr]
    dropped = answer_question(qtbot, discard=True)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dropped
    close_window(window, qtbot)


def test_an_agent_is_offered_no_routing_settings(qtbot: QtBot, engine: Engine, world: World, tmp_path: Path) -> None:
    """Agents change no routing settings (the database refuses them): no menu entry, no palette entry, and
    the shortcut opens nothing — before, a greyed dialog said 'you lead no queue'."""
    window = open_desk_window(qtbot, engine, tmp_path, person="alice")
    assert "Routing settings…" not in window.actions_by_text
    qtbot.waitExposed(window)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.wait(200)
    assert getattr(window, "routing_settings_dialog", None) is None
    close_window(window, qtbot)


def test_the_replay_says_when_one_agent_would_get_most_of_the_work() -> None:
    """Amélie would have got 116 of 163 tickets, already at 112 % of her capacity, and nothing said so."""
    from app.services.routing.dto import AgentTally, DryRunPreview
    from app.views.routing_settings import summary_words

    lopsided = DryRunPreview(
        30, 163, 104, 0, (AgentTally("Amélie Durand", 116, 39), AgentTally("Ben Okafor", 47, 60)), ()
    )
    assert "Amélie Durand alone would get 116 of them (71%): check their capacity." in summary_words(lopsided)
    even = DryRunPreview(30, 100, 10, 0, (AgentTally("Ann", 50, 50), AgentTally("Ben", 50, 50)), ())
    assert "alone would get" not in summary_words(even)
