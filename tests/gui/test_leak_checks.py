"""Closing the window stops everything it started: the live listener's thread, the draft journal's fsync
thread and every timer (issue 11: "the leak check misses the live-update and draft threads"). The checks
themselves (tests/gui/conftest.py) are shown to see what they must."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QObject, QTimer
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.bootstrap import Runtime
from app.services.platform.live_notices import ChangeNotice
from app.services.tickets import service
from app.views.memory import GuiThreadCollector
from tests.gui.conftest import dangling_threads, running_timers
from tests.support.desk_window import close_window, open_desk_window, wait_until_listening
from tests.support.world import World, build_world


def test_the_timer_check_sees_a_timer_without_a_parent_still_running(qtbot: QtBot) -> None:
    timer = QTimer()
    timer.setObjectName("forgotten")
    timer.start(60_000)
    assert running_timers() == ["no parent: forgotten every 60000 ms"]
    timer.stop()
    assert running_timers() == []


def test_the_timer_check_sees_a_timer_of_a_plain_qobject(qtbot: QtBot) -> None:
    owner = QObject()
    timer = QTimer(owner)
    timer.setSingleShot(True)
    timer.start(150)
    assert running_timers() == ["QObject: timer every 150 ms"]
    timer.stop()


@pytest.fixture
def world(committed_runtime: Runtime) -> World:
    world = build_world(committed_runtime.session_factory)
    with world.uow("alice") as uow:
        service.create_ticket(uow, subject="Printer on fire", customer_id=world.jane, queue_id=world.billing)
        uow.commit()
    return world


@pytest.mark.slow
def test_closing_the_window_stops_the_listener_the_draft_journal_and_every_timer(
    qtbot: QtBot, engine: Engine, world: World, tmp_path: Path
) -> None:
    window = open_desk_window(qtbot, engine, tmp_path, live_updates=True)
    qtbot.waitUntil(lambda: window.editor.detail is not None, timeout=10_000)
    wait_until_listening(qtbot, window)
    window.editor.start_reply()
    qtbot.keyClicks(window.editor.composer, "Half an answer")  # the journal's fsync thread starts
    ticket_id = window.editor.detail.ticket.id  # type: ignore[union-attr]
    with world.uow("carol") as uow:  # a colleague's change on its way while the window closes
        service.change_status(uow, ticket_id=ticket_id, status="waiting", expected_version=None)
        uow.commit()
    assert dangling_threads() == ["switchboard-draft-sync", "switchboard-live"]
    assert running_timers()  # the countdowns, the heartbeat...
    close_window(window, qtbot)
    assert dangling_threads() == []
    assert running_timers() == []
    QCoreApplication.sendPostedEvents()  # whatever the listener queued before it stopped: delivered now...
    assert window.bridge is not None
    window.bridge.changed.emit(ChangeNotice((1, 1), (ticket_id,)))  # ...as this one, queued, would be
    window.bridge.connection_changed.emit(False)
    window.bridge.connection_changed.emit(True)
    assert running_timers() == [] and window.runner.in_flight == 0  # ...and dropped, not acted on


def test_the_desktop_collects_garbage_on_the_gui_thread_only(qtbot: QtBot) -> None:
    """While the window lives, automatic collection is off (a pool thread would otherwise collect a cycle
    holding a Qt object and Qt would delete it off its thread); the GUI thread's timer collects instead."""
    collector = GuiThreadCollector()
    gc.enable()
    collector.start()
    try:
        assert not gc.isenabled()
        for _ in range(collector.threshold[0] + 10):  # past generation 0's threshold
            junk: list[object] = []
            junk.append(junk)
        qtbot.waitUntil(lambda: gc.get_count()[0] < collector.threshold[0], timeout=3000)
    finally:
        collector.stop()
    assert gc.isenabled()
    gc.disable()  # as the suite keeps it (tests/conftest.py)
