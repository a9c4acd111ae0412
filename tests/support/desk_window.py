"""The desk window as GUI journeys open it: signed in as a person's own login, their runtimes closed when
the test ends (a window let go of keeps no connection alive, and an open connection collected later fails
whichever test is running then; tests/gui/conftest.py closes them)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.bootstrap import Runtime
from app.services.desk import HelpDesk
from app.views.drafts import DraftStore
from app.views.main_window import MainWindow
from app.views.tasks import TaskRunner
from tests.support.world import runtime_as as _runtime_as

_signed_in: list[Runtime] = []


def runtime_as(engine: Engine, person: str) -> Runtime:
    """A runtime signed in as the person's own login, closed by `close_signed_in()` after the test."""
    runtime = _runtime_as(engine.url, person)
    _signed_in.append(runtime)
    return runtime


def close_signed_in() -> None:
    while _signed_in:
        _signed_in.pop().close()


def open_desk_window(
    qtbot: QtBot, engine: Engine, tmp_path: Path, *, person: str = "alice", live_updates: bool = False
) -> MainWindow:
    """The main window as the person, shown (each test waits for what it needs to be there)."""
    runtime = runtime_as(engine, person)
    listen = runtime.listener() if live_updates else None  # as the app has it: one cursor for the window's life
    window = MainWindow(HelpDesk(runtime), TaskRunner(), DraftStore(tmp_path / "drafts"), listen=listen)
    qtbot.addWidget(window)
    window.show()
    return window


def wait_until_listening(qtbot: QtBot, window: MainWindow, timeout: int = 10_000) -> None:
    """Until the window's live listener has LISTENed (its `connection_changed(True)`): a change committed
    after this returns reaches the window. No sleeping and hoping."""
    bridge = window.bridge
    assert bridge is not None, "the window was opened without live updates"
    if not bridge.listening:  # the GUI thread hears it only inside the wait below: no race
        with qtbot.waitSignal(bridge.connection_changed, timeout=timeout, check_params_cb=bool):
            pass
    assert bridge.listening


def close_window(window: MainWindow, qtbot: QtBot) -> None:
    """Closing waits for the window's background work (the listener thread joins within one poll)."""
    window.close()
    qtbot.waitUntil(lambda: window.runner.in_flight == 0, timeout=10_000)
