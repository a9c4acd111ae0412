"""The first page of a queue sorted by SLA due, at the corpus size (1M tickets), and deeper pages.

    python -m benchmarks.bench_queue_page --database postgresql://postgres@127.0.0.1:5432/switchboard_bench

Measures what an agent waits for when opening a queue: `list_tickets` through the service (SQL plus
building the frozen rows), keyset pagination, 50 rows a page. Prints the plan of the first-page query.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial

from sqlalchemy import func, select, text

from app.bootstrap import Runtime
from app.models import Queue, Ticket
from app.services.tickets import queries
from benchmarks.common import describe_ms, print_table, trusted_runtime

OPEN_STATUSES = ("new", "in_progress", "waiting", "pending", "answered")
REPEATS = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    runtime = trusted_runtime(args.database)
    engine = runtime.engine
    with runtime.session_factory() as session:
        total = session.scalar(select(func.count()).select_from(Ticket))
        queue_ids = list(session.scalars(select(Queue.id).order_by(Queue.id)))
    print(f"tickets in the database: {total:,}; queues: {len(queue_ids)}; {REPEATS} runs per case\n")
    rows = []
    for label, sort, depth in [
        ("first page, SLA due", queries.SortOrder.SLA_DUE, 0),
        ("page 20, SLA due", queries.SortOrder.SLA_DUE, 19),
        ("first page, priority", queries.SortOrder.PRIORITY, 0),
        ("first page, last update", queries.SortOrder.UPDATED, 0),
    ]:
        samples = _measure(runtime, queue_ids, sort, depth)
        rows.append([label, *describe_ms(samples)])
    print_table(["query (one queue, open tickets, 50 rows)", "median ms", "p95 ms", "max ms"], rows)
    _print_plan(engine, queue_ids[0])
    engine.dispose()


def _measure(runtime: Runtime, queue_ids: list[int], sort: queries.SortOrder, depth: int) -> list[float]:
    cursors = {queue_id: _cursor_at(runtime, queue_id, sort, depth) for queue_id in queue_ids}
    samples = []
    for n in range(REPEATS):
        queue_id = queue_ids[n % len(queue_ids)]
        samples.append(_timed(partial(_page, runtime, queue_id, sort, cursors[queue_id])))
    return samples


def _page(
    runtime: Runtime, queue_id: int, sort: queries.SortOrder, after: queries.PageCursor | None
) -> queries.TicketPage:
    with runtime.uow() as uow:
        return queries.list_tickets(
            uow,
            ticket_filter=queries.TicketFilter(queue_id=queue_id, statuses=OPEN_STATUSES),
            sort=sort,
            after=after,
            limit=50,
        )


def _cursor_at(runtime: Runtime, queue_id: int, sort: queries.SortOrder, depth: int) -> queries.PageCursor | None:
    cursor = None
    for _ in range(depth):
        cursor = _page(runtime, queue_id, sort, cursor).next_cursor
    return cursor


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _print_plan(engine: object, queue_id: int) -> None:
    statuses = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
    sql = text(
        "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT t.id FROM switchboard.ticket t "
        f"WHERE t.queue_id = {queue_id} AND t.status IN ({statuses}) AND t.merged_into_id IS NULL "
        "AND t.sla_due_at IS NOT NULL ORDER BY t.sla_due_at, t.id LIMIT 50"
    )
    with engine.connect() as connection:  # type: ignore[attr-defined]
        print("\nPlan of the first-page query:")
        for (line,) in connection.execute(sql):
            print(f"    {line}")


if __name__ == "__main__":
    main()
