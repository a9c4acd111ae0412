"""The desktop client at 1M tickets: time to the first screen of a queue, and time and memory to scroll as far
as the table goes (its model lists at most ROW_LIMIT rows, holds their places and the tickets of the rows
shown lately). Offscreen; against a database loaded by benchmarks.corpus.

    python -m benchmarks.bench_client --database postgresql://postgres@127.0.0.1:5432/switchboard_bench
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import psutil

from app.desktop import application
from app.services.desk import HelpDesk
from app.services.navigation.dto import DeskView
from app.services.tickets.queries import SortOrder, TicketFilter
from app.views.drafts import DraftStore
from app.views.main_window import MainWindow
from app.views.tasks import TaskRunner
from app.views.ticket_table import ROW_LIMIT
from app.views.waiting import process_events_until
from benchmarks.common import print_table, trusted_runtime

SCROLL_ROWS = min(ROW_LIMIT, 100_000)  # the goal of issue 12: 100,000 rows


def wait_until(condition: Callable[[], bool], timeout: float = 600) -> None:
    if not process_events_until(condition, timeout):
        raise TimeoutError("gave up waiting")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--rows", type=int, default=SCROLL_ROWS)
    args = parser.parse_args()
    runtime = trusted_runtime(args.database)
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
    every = DeskView("bench", "Whole queue", TicketFilter(queue_id=1), SortOrder.UPDATED)
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
    print(f"first screen: {label} ({total or 0:,} tickets); scrolled: every ticket of queue 1, newest first\n")
    print_table(
        ["measure", "value"],
        [
            ["first screen of the queue painted", f"{first_screen * 1000:.0f} ms"],
            ["… and the first ticket open", f"{with_ticket * 1000:.0f} ms"],
            [f"scrolling through {window.model.rowCount():,} rows", f"{scrolled:.1f} s"],
            ["resident memory at start (Qt loaded)", f"{rss_start / 2**20:.0f} MB"],
            [f"resident memory after {window.model.rowCount():,} rows", f"{rss_end / 2**20:.0f} MB"],
            ["memory growth while scrolling, a row", f"{per_row / 1024:.2f} KB"],
            ["the table says more match than it holds", str(window.model.capped)],
        ],
    )
    window.close()
    wait_until(lambda: window.runner.in_flight == 0)
    runtime.close()


if __name__ == "__main__":
    main()
