"""The guard that replaced the stall timer in the GUI tests must see what it claims to: a statement or a
connect on the GUI thread is recorded, the same on a pool thread is not, nor the test's own paused work."""

from __future__ import annotations

import socket
import threading

from sqlalchemy import Engine, text

from tests.support.gui_thread import GuiThreadGuard


def test_a_statement_on_the_gui_thread_is_recorded_and_one_on_another_thread_is_not(engine: Engine) -> None:
    guard = GuiThreadGuard()
    guard.start()
    elsewhere = threading.Thread(target=lambda: _select(engine, "SELECT 'elsewhere'"))
    elsewhere.start()
    elsewhere.join()
    with guard.paused():
        _select(engine, "SELECT 'the test''s own'")
    _select(engine, "SELECT 'on the gui thread'")
    recorded = list(guard.stop())

    assert "a database connection checked out of the pool" in recorded
    assert "SELECT 'on the gui thread'" in recorded
    assert not any("elsewhere" in what or "own" in what for what in recorded)
    _select(engine, "SELECT 'after stop'")
    assert guard.blocking_work == recorded, "nothing is recorded once stopped"


def test_a_network_connect_on_the_gui_thread_is_recorded() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        guard = GuiThreadGuard()
        guard.start()
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
        recorded = guard.stop()

    assert any(what.startswith("socket.connect") for what in recorded), recorded


def _select(engine: Engine, statement: str) -> None:
    with engine.connect() as connection:
        connection.execute(text(statement))
