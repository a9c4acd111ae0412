"""The desk window as GUI journeys open it, and the helpers they share (a key where the keyboard is, the
keyboard back on the queue, go to a ticket by number, a Billing ticket by carol): signed in as a person's own
login, their runtimes closed when the test ends (a window let go of keeps no connection alive, and an open
connection collected later fails whichever test is running then; tests/gui/conftest.py closes them)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.bootstrap import Runtime
from app.services.desk import HelpDesk
from app.services.tickets import service
from app.services.tickets.dto import TicketSummary
from app.views.drafts import DraftStore
from app.views.main_window import MainWindow
from app.views.tasks import TaskRunner
from tests.support.world import World
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


def press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed where the keyboard is."""
    focus = QApplication.focusWidget()
    assert focus is not None, "nothing has the keyboard"
    qtbot.keyClick(focus, key, modifier)


def keyboard_on_queue(qtbot: QtBot, window: MainWindow) -> None:
    """Where an agent's keyboard usually is (a closed dialog leaves offscreen Qt with no active window)."""
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.table)


def create_billing_ticket(world: World, subject: str, *, assignee: str | None = None) -> TicketSummary:
    """A Billing ticket from Jane, created by carol (no routing), given to `assignee` by carol (the lead)."""
    with world.uow("carol") as uow:
        ticket = service.create_ticket(
            uow, subject=subject, customer_id=world.jane, queue_id=world.billing, body=f"{subject}."
        ).ticket
        if assignee is not None:
            agent_id = getattr(world, assignee)
            ticket = service.assign(
                uow, ticket_id=ticket.id, assignee_id=agent_id, expected_version=ticket.version
            ).ticket
        uow.commit()
    return ticket


def go_to(qtbot: QtBot, window: MainWindow, number: int) -> None:
    """Ctrl+G, the number, Enter: the ticket opens, the keyboard back on the queue."""
    keyboard_on_queue(qtbot, window)
    press(qtbot, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.command_palette.isVisible())
    qtbot.keyClicks(window.command_palette.search_field, str(number))
    qtbot.keyClick(window.command_palette.search_field, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: (
            window.editor.detail is not None
            and window.editor.detail.ticket.number == number
            and window.editor.header_form.vocabulary is not None
        ),
        timeout=5000,
    )
    qtbot.waitUntil(lambda: not window.command_palette.isVisible() and QApplication.activeModalWidget() is None)
    keyboard_on_queue(qtbot, window)


def open_window(qtbot: QtBot, engine: Engine, tmp_path: Path, person: str) -> MainWindow:
    window = open_desk_window(qtbot, engine, tmp_path, person=person)
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.editor.vocabulary is not None and window.runner.in_flight == 0, timeout=10_000)
    return window


def answer_question(qtbot: QtBot, *, discard: bool) -> list[str]:
    """Answer the next "Discard changes?" question as it opens (it is modal: the test's next key waits for
    it): Esc keeps editing; Discard is clicked. Returns, once answered, the question's text in a list."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        asked.append(box.text())
        if discard:
            box.button(QMessageBox.StandardButton.Discard).click()
        else:
            qtbot.keyClick(box, Qt.Key.Key_Escape)

    QTimer.singleShot(0, answer)
    return asked
