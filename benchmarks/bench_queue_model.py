"""The queue's table model without a database: pages of 100 arriving up to the row limit, then live batches
of 50 changed tickets (moves, inserts, removals) against the full model, and finding a ticket's row.
Offscreen; the pages are handed to the model as the task runner would, on the GUI thread.

    python -m benchmarks.bench_queue_model [--rows 10000] [--model-file PATH]

`--model-file` loads another ticket_table.py (an older one, to compare: `git show REV:app/views/ticket_table.py`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import random
import statistics
import time
from types import ModuleType

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.desktop import application
from app.services.tickets.dto import PageCursor, SortOrder, TicketFilter, TicketPage, TicketSummary
from app.views import ticket_table
from app.views.tasks import TaskRunner
from benchmarks.common import print_table
from tests.support.summaries import made_up_summary

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
PAGE = 100
BATCH = 50


def summary(n: int, due_minutes: int, version: int = 1, status: str = "new") -> TicketSummary:
    return made_up_summary(n, now=NOW, due_minutes=due_minutes, version=version, status=status)


def load_module(path: str | None) -> ModuleType:
    if path is None:
        return ticket_table
    spec = importlib.util.spec_from_file_location("ticket_table_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--model-file")
    args = parser.parse_args()
    application()
    module = load_module(args.model_file)
    tickets = [summary(n, due_minutes=n) for n in range(1, args.rows + PAGE + 1)]  # one page more than held
    model = module.TicketTableModel(TaskRunner(), clock=lambda: NOW)
    model.show_view(lambda _cursor: TicketPage((), None), TicketFilter(statuses=("new",)), SortOrder.SLA_DUE)
    model._generation += 1  # the show_view's own first page (empty) is ignored when it answers
    generation = model._generation
    page_ms: list[float] = []
    for start in range(0, args.rows, PAGE):
        rows = tuple(tickets[start : start + PAGE])
        page = TicketPage(rows, PageCursor(rows[-1].sla_due_at, rows[-1].id))
        began = time.perf_counter()
        model._page_arrived(generation, page)
        page_ms.append((time.perf_counter() - began) * 1000)
    held = model.rowCount()
    chance = random.Random(11)
    batch_ms: list[float] = []
    for round_ in range(40):
        changed = []
        for _ in range(BATCH):
            n = chance.randrange(1, args.rows)
            kind = chance.random()
            if kind < 0.1:  # closed: out of the view
                changed.append(summary(n, n, version=round_ + 2, status="closed"))
            else:  # a new due time: it moves (or a newcomer arrives) somewhere in the loaded pages
                changed.append(summary(n if kind < 0.9 else args.rows + 10_000 + n, chance.randrange(1, args.rows)))
        began = time.perf_counter()
        model.apply_live(changed, [t.id for t in changed])
        batch_ms.append((time.perf_counter() - began) * 1000)
    ids = model.listed_ids() if hasattr(model, "listed_ids") else [t.id for t in model.rows]  # an older model
    began = time.perf_counter()
    for ticket_id in ids[:: max(1, len(ids) // 1000)]:
        model.row_of(ticket_id)
    lookups = len(ids[:: max(1, len(ids) // 1000)])
    lookup_us = (time.perf_counter() - began) / lookups * 1e6
    model.stop()
    print_table(
        ["rows held", "page of 100: median ms", "last page ms", "live batch of 50: median ms", "row_of µs"],
        [
            [
                f"{held:,}",
                f"{statistics.median(page_ms):.2f}",
                f"{page_ms[-1]:.2f}",
                f"{statistics.median(batch_ms):.1f}",
                f"{lookup_us:.1f}",
            ]
        ],
    )


if __name__ == "__main__":
    main()
