"""The tests' check that the window does not wait on the database or open network connections: every SQL
statement run through SQLAlchemy, every pooled connection handed out and every socket connect or name lookup
made from Python on the GUI thread while the guard watches is recorded, and the test fails on any. Unlike a
stall timer it cannot pass or fail with the machine's load.

What it does not see: connections libpq opens itself (`psycopg.connect` outside SQLAlchemy: the live
listener's, on its own thread), Qt's own networking, a request over an HTTP connection kept alive, waiting on
a lock or a future, and plain CPU work. How long the GUI thread is busy is measured by the benchmarks with a
5 ms watchdog (`app.views.watchdog`: bench_hostile_html, bench_connector)."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

_NETWORK_EVENTS = frozenset({"socket.connect", "socket.getaddrinfo", "socket.gethostbyname"})
_watching: GuiThreadGuard | None = None  # the one guard the process-wide audit hook reports to


def _audit(name: str, args: tuple[Any, ...]) -> None:
    if name in _NETWORK_EVENTS and _watching is not None:
        target = args[1] if name == "socket.connect" else args[0]  # (socket, address) or (host, ...)
        _watching.record(f"{name} {target!r}")


_audit_hooked = False


class GuiThreadGuard:
    """Records blocking work on the GUI thread (the main thread, where the tests' QApplication lives)."""

    def __init__(self) -> None:
        self.blocking_work: list[str] = []

    def start(self) -> None:
        global _watching, _audit_hooked
        if not _audit_hooked:  # audit hooks cannot be removed: one for the run, silent while nothing watches
            sys.addaudithook(_audit)
            _audit_hooked = True
        event.listen(Engine, "before_cursor_execute", self._on_statement)
        event.listen(Pool, "checkout", self._on_checkout)
        _watching = self

    def stop(self) -> list[str]:
        global _watching
        if _watching is self:
            _watching = None
            event.remove(Engine, "before_cursor_execute", self._on_statement)
            event.remove(Pool, "checkout", self._on_checkout)
        return self.blocking_work

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """The test's own database work (a colleague's write, a read to check) is not the window's."""
        self.stop()
        try:
            yield
        finally:
            self.start()

    def record(self, what: str) -> None:
        if threading.current_thread() is threading.main_thread():
            self.blocking_work.append(what)

    def _on_statement(self, _conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        self.record(" ".join(statement.split())[:120])

    def _on_checkout(self, *_args: object) -> None:
        self.record("a database connection checked out of the pool")
