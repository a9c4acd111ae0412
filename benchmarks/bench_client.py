"""The desktop client at 1M tickets, as an agent's own login (row-level security on): time to the first screen
of a queue, and time and memory to scroll as far as the table goes (its model lists at most ROW_LIMIT rows,
holds their places and the tickets of the rows shown lately). Offscreen; against a database loaded by
benchmarks.corpus.

    python -m benchmarks.bench_client --database postgresql://postgres@127.0.0.1:5432/switchboard_bench

The raw anchor, in its own process in the same run: a bare QTableView over a minimal model that keeps the
scrolled rows' six shown columns, fetched by keyset pages of the same size and order through psycopg as the
same login — what PySide6 and the server allow with none of the client's work.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import psutil

from app.bootstrap import Runtime
from app.desktop import application
from app.services.desk import HelpDesk
from app.services.navigation.dto import DeskView
from app.services.platform.config import parse_database_url
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.tickets.queries import SortOrder, TicketFilter
from app.views.drafts import DraftStore
from app.views.main_window import MainWindow
from app.views.tasks import TaskRunner
from app.views.ticket_table import ROW_LIMIT
from app.views.waiting import process_events_until
from benchmarks.common import libpq, load_average, print_table, queue_agent, trusted_runtime

SCROLL_ROWS = min(ROW_LIMIT, 100_000)  # the goal of issue 12: 100,000 rows
AGENT = "scroller"


def wait_until(condition: Callable[[], bool], timeout: float = 600) -> None:
    if not process_events_until(condition, timeout):
        raise TimeoutError("gave up waiting")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--rows", type=int, default=SCROLL_ROWS)
    parser.add_argument("--raw-anchor", type=int, metavar="QUEUE", help=argparse.SUPPRESS)  # the anchor's process
    args = parser.parse_args()
    if args.raw_anchor is not None:
        print(json.dumps(_raw_scroll(args.database, args.raw_anchor, args.rows)))
        return
    superuser = trusted_runtime(args.database)
    agent_url, queue = queue_agent(superuser, parse_database_url(args.database, source="--database"), AGENT)
    superuser.close()
    print(f"load average at start: {load_average()}; as the agent login {agent_url.username}\n")
    raw = _raw_anchor(libpq(agent_url), queue, args.rows)
    engine = build_engine(agent_url)
    runtime = Runtime(engine, build_session_factory(engine))
    process = psutil.Process()
    app = application()
    rss_start = process.memory_info().rss
    started = time.perf_counter()
    desk = HelpDesk(runtime)
    window = MainWindow(desk, TaskRunner(), DraftStore(Path(tempfile.mkdtemp()) / "drafts"))
    window.resize(1500, 900)
    window.show()
    wait_until(lambda: window.model.rowCount() > 0)
    app.processEvents()
    first_screen = time.perf_counter() - started
    wait_until(lambda: window.editor.detail is not None)
    with_ticket = time.perf_counter() - started
    view = window.current_view
    wait_until(lambda: view is not None and view.key in window.counts)
    total = window.counts.get(view.key) if view is not None else None
    # Scroll a bigger view: every ticket of the first queue, newest first.
    every = DeskView("bench", "Whole queue", TicketFilter(queue_id=queue), SortOrder.UPDATED)
    window.show_in_table(every)  # as the window shows a view: the first page whole, then places
    wait_until(lambda: window.model.rowCount() > 0)
    rss_scroll_start, rows_at_start = process.memory_info().rss, window.model.rowCount()
    scroll_started = time.perf_counter()
    while window.model.rowCount() < args.rows and window.model.canFetchMore():  # stops at the model's limit
        window.table.scrollToBottom()  # the view asks the model for more, as when an agent scrolls
        window.model.fetchMore()
        wait_until(lambda: not window.model.loading)
        app.processEvents()  # the bottom rows painted: their tickets are asked for
    window.table.scrollToBottom()
    bottom = window.model.rowCount() - 1
    wait_until(lambda: window.model.ticket_at(bottom) is not None)  # the last screen shows its tickets
    scrolled = time.perf_counter() - scroll_started
    rss_end = process.memory_info().rss
    per_row = (rss_end - rss_scroll_start) / max(1, window.model.rowCount() - rows_at_start)
    label = view.label if view else "?"
    rows = window.model.rowCount()
    print(f"first screen: {label} ({total or 0:,} tickets); scrolled: every ticket of queue {queue}, newest first\n")
    print_table(
        ["measure", "client", "raw anchor"],
        [
            ["first screen of the queue painted", f"{first_screen * 1000:.0f} ms", "—"],
            ["… and the first ticket open", f"{with_ticket * 1000:.0f} ms", "—"],
            ["rows scrolled", f"{rows:,}", f"{raw['rows']:,}"],
            ["scrolling time", f"{scrolled:.1f} s", f"{raw['seconds']:.1f} s"],
            ["resident memory at start (Qt loaded)", _mb(rss_start), _mb(raw["rss_start"])],
            ["resident memory at the end", _mb(rss_end), _mb(raw["rss_end"])],
            ["memory growth while scrolling, a row", f"{per_row / 1024:.2f} KB", f"{raw['per_row'] / 1024:.2f} KB"],
            ["the table says more match than it holds", str(window.model.capped), "—"],
        ],
    )
    window.close()
    wait_until(lambda: window.runner.in_flight == 0)
    runtime.close()


def _mb(size: float) -> str:
    return f"{size / 2**20:.0f} MB"


def _raw_anchor(dsn: str, queue: int, rows: int) -> dict[str, float]:
    """The anchor's figures, from a process of its own (its memory is not the client's)."""
    command = [sys.executable, "-m", "benchmarks.bench_client", "--database", dsn, "--rows", str(rows)]
    output = subprocess.run([*command, "--raw-anchor", str(queue)], check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _raw_scroll(dsn: str, queue: int, rows: int) -> dict[str, float]:
    """Scroll a bare QTableView over keyset pages of (id, number, subject, status, priority, updated_at)."""
    import psycopg
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
    from PySide6.QtWidgets import QTableView

    page = 2_000  # as the client's places a page
    connection = psycopg.connect(dsn, autocommit=True)
    statement = (
        "SELECT id, number, subject, status, priority, updated_at FROM switchboard.ticket"
        " WHERE queue_id = %s AND merged_into_id IS NULL AND (updated_at, id) < (%s, %s)"
        " ORDER BY updated_at DESC, id DESC LIMIT %s"
    )

    class RawModel(QAbstractTableModel):
        def __init__(self) -> None:
            super().__init__()
            self.rows: list[tuple[object, ...]] = []
            self.done = False

        def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
            return 0 if parent.isValid() else len(self.rows)

        def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
            return 0 if parent.isValid() else 5

        def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
            if role != Qt.ItemDataRole.DisplayRole:
                return None
            return str(self.rows[index.row()][index.column() + 1])

        def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
            return not self.done and len(self.rows) < rows

        def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
            last = self.rows[-1] if self.rows else (2**62, 0, "", "", 0, "infinity")
            batch = connection.execute(statement, (queue, last[5], last[0], page)).fetchall()
            self.done = len(batch) < page
            if batch:
                self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(batch) - 1)
                self.rows.extend(batch)
                self.endInsertRows()

    app = application()
    process = psutil.Process()
    table = QTableView()
    model = RawModel()
    table.setModel(model)
    table.resize(1500, 900)
    table.show()
    model.fetchMore(QModelIndex())
    app.processEvents()
    rss_start, rows_at_start = process.memory_info().rss, model.rowCount()
    started = time.perf_counter()
    while model.canFetchMore(QModelIndex()):
        table.scrollToBottom()
        model.fetchMore(QModelIndex())
        app.processEvents()
    table.scrollToBottom()
    app.processEvents()
    seconds = time.perf_counter() - started
    rss_end = process.memory_info().rss
    per_row = (rss_end - rss_start) / max(1, model.rowCount() - rows_at_start)
    connection.close()
    shown = model.rowCount()
    return {"rows": shown, "seconds": seconds, "rss_start": rss_start, "rss_end": rss_end, "per_row": per_row}


if __name__ == "__main__":
    main()
