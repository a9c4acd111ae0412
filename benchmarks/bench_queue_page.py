"""Queue pages at the corpus size (1M tickets), every sort, first page to last, as an agent's own login
(row-level security on) and as the superuser, beside raw SQL in the same run.

    python -m benchmarks.bench_queue_page --database postgresql://postgres@127.0.0.1:5432/switchboard_bench

`list_tickets` through the service (the session, the one statement, the frozen rows), 100 rows a page, for
the views an agent opens: their queue's working tickets, Unassigned, Waiting and All open. Each walk as the
agent runs twice on the same connection: the first ("agent") is what a client's first walk of a view
costs, each statement shape planned anew for its first five runs (the server's custom plans) and the
first page's shape run once; the second ("warm") is every later walk, on the plans kept. The raw anchor
is the same keyset walk as one hand-written statement of ids through psycopg, as the same login. Also the
pages of places the queue reads after its first page (`list_ticket_places`: 2,000 ids, sort values and
versions a page, as the agent), the navigation's counts (sums over the tally), and the overdue sweep
(working tickets past their SLA due).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import psycopg

from app.bootstrap import Runtime
from app.models.ticket import WORKING_STATUSES
from app.services.navigation.dto import DeskView
from app.services.navigation.views import Navigation
from app.services.platform.actor import Actor
from app.services.platform.config import parse_database_url
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.tickets import queries
from app.services.tickets.dto import PageCursor, SortOrder, TicketFilter
from app.vocabulary import AgentRole
from benchmarks.common import libpq, load_average, percentile, print_table, queue_agent, trusted_runtime

PAGE = 100
PLACES_PAGE = 2_000  # as app.views.ticket_table.PLACES_PER_PAGE (views are not imported here)
PAUSED = ("waiting", "pending", "answered")
AGENT = "pager"
RAW_ORDER = {
    SortOrder.SLA_DUE: ("sla_due_at", "ASC"),
    SortOrder.PRIORITY: ("priority", "DESC"),
    SortOrder.UPDATED: ("updated_at", "DESC"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--max-pages", type=int, default=60, help="pages walked per view and sort (first to last)")
    args = parser.parse_args()
    url = parse_database_url(args.database, source="--database")
    superuser = trusted_runtime(args.database)
    agent_url, queue = queue_agent(superuser, url, AGENT)
    engine = build_engine(agent_url)
    agent = Runtime(engine, build_session_factory(engine))
    views = {
        "my queue": TicketFilter(statuses=WORKING_STATUSES, queue_id=queue),
        "unassigned": TicketFilter(statuses=WORKING_STATUSES, unassigned=True),
        "waiting": TicketFilter(statuses=PAUSED),
        "all open": TicketFilter(statuses=WORKING_STATUSES),
    }
    print(f"load average at start: {load_average()}; {PAGE} rows a page\n")
    rows = []
    for name, ticket_filter in views.items():
        for sort in SortOrder:
            walked = {}
            for who, runtime in (("agent", agent), ("superuser", superuser)):
                walked[who] = _walk(runtime, ticket_filter, sort, args.max_pages)
            warm = _walk(agent, ticket_filter, sort, args.max_pages)[0]  # the same walk again, its plans made
            raw = _walk_raw(libpq(agent_url), ticket_filter, sort, args.max_pages)
            agent_p95 = percentile(walked["agent"][0], 0.95)
            rows.append(
                [
                    name,
                    sort.value,
                    str(walked["agent"][1]),
                    *_ms(walked["agent"][0]),
                    *_ms(warm),
                    *_ms(walked["superuser"][0]),
                    *_ms(raw),
                    f"{agent_p95 / percentile(walked['superuser'][0], 0.95):.2f}",
                ]
            )
    print_table(
        [
            "view",
            "sort",
            "tickets",
            "agent p50",
            "agent p95",
            "warm p50",
            "warm p95",
            "super p50",
            "super p95",
            "raw p50",
            "raw p95",
            "agent/super p95",
        ],
        rows,
    )
    _plans(agent)
    print()
    _places(agent, views)
    print()
    _counts(agent, superuser, views)
    print()
    _overdue(superuser, libpq(url))
    engine.dispose()


def _plans(runtime: Runtime) -> None:
    """How the server planned the agent's prepared page statements (generic plans are kept; a custom plan is
    made anew at each run). The pool hands back the one connection the walks used: they ran one at a time."""
    with runtime.uow() as uow:
        prepared, generic, custom = (
            uow.reads()
            .exec_driver_sql("SELECT count(*), sum(generic_plans), sum(custom_plans) FROM pg_prepared_statements")
            .one()
        )
    print(f"\nthe agent's connection: {prepared} prepared statements, {generic} runs on generic plans, {custom} custom")


def _ms(samples: list[float]) -> list[str]:
    return [f"{statistics.median(samples) * 1000:.2f}", f"{percentile(samples, 0.95) * 1000:.2f}"]


def _walk(runtime: Runtime, ticket_filter: TicketFilter, sort: SortOrder, max_pages: int) -> tuple[list[float], int]:
    samples: list[float] = []
    after: PageCursor | None = None
    seen = 0
    for _ in range(max_pages):
        started = time.perf_counter()
        with runtime.uow() as uow:
            page = queries.list_tickets(uow, ticket_filter=ticket_filter, sort=sort, after=after, limit=PAGE)
        samples.append(time.perf_counter() - started)
        seen += len(page.rows)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    return samples, seen


def _walk_raw(dsn: str, f: TicketFilter, sort: SortOrder, max_pages: int) -> list[float]:
    """The same keyset walk, ids only, one hand-written statement a page (SLA: due part, then undated)."""
    where = ["merged_into_id IS NULL", "status IN (" + ", ".join(f"'{s}'" for s in f.statuses) + ")"]
    if f.queue_id is not None:
        where.append(f"queue_id = {int(f.queue_id)}")
    if f.unassigned:
        where.append("assignee_id IS NULL")
    column, direction = RAW_ORDER[sort]
    samples = []
    with psycopg.connect(dsn, autocommit=True) as connection:
        cursor: tuple[Any, int] | None = None
        undated = False
        for _ in range(max_pages):
            started = time.perf_counter()
            clauses = list(where)
            if sort is SortOrder.SLA_DUE:
                clauses.append("sla_due_at IS NULL" if undated else "sla_due_at IS NOT NULL")
                order = "id" if undated else "sla_due_at, id"
                if cursor is not None:
                    clauses.append("id > %(id)s" if undated else "(sla_due_at, id) > (%(value)s, %(id)s)")
            else:
                order = f"{column} {direction}, id {direction}"
                if cursor is not None:
                    clauses.append(f"({column}, id) < (%(value)s, %(id)s)")
            params = {} if cursor is None else {"value": cursor[0], "id": cursor[1]}
            sql = (
                f"SELECT id, {column} FROM switchboard.ticket WHERE {' AND '.join(clauses)}"
                f" ORDER BY {order} LIMIT {PAGE}"
            )
            rows = connection.execute(sql, params).fetchall()
            samples.append(time.perf_counter() - started)
            if len(rows) < PAGE:
                if sort is SortOrder.SLA_DUE and not undated:
                    undated, cursor = True, None
                    continue
                break
            cursor = (rows[-1][1], rows[-1][0])
    return samples


def _places(agent: Runtime, views: dict[str, TicketFilter], max_pages: int = 15) -> None:
    """The pages after the first as the queue reads them: places only, `PLACES_PAGE` a page, as the agent."""
    rows = []
    for name, ticket_filter in views.items():
        for sort in SortOrder:
            samples, seen, after = [], 0, None
            for _ in range(max_pages):
                started = time.perf_counter()
                with agent.uow() as uow:
                    page = queries.list_ticket_places(
                        uow, ticket_filter=ticket_filter, sort=sort, after=after, limit=PLACES_PAGE
                    )
                samples.append(time.perf_counter() - started)
                seen += len(page.places)
                if (after := page.next_cursor) is None:
                    break
            per_thousand = statistics.median(samples) * 1000 / (PLACES_PAGE / 1000)
            rows.append([name, sort.value, f"{seen:,}", *_ms(samples), f"{per_thousand:.2f}"])
    print_table(["places as the agent", "sort", "rows read", "page p50 ms", "page p95 ms", "p50 ms a 1,000 rows"], rows)


def _timed(action: Callable[[], object], repeats: int = 50) -> list[float]:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def _counts(agent: Runtime, superuser: Runtime, views: dict[str, TicketFilter]) -> None:
    desk_views = [DeskView(name, name, f) for name, f in views.items()]

    def count_all(runtime: Runtime) -> dict[str, int]:
        """As the navigation asks: every view's count at once (the tallied ones are one statement)."""
        with runtime.uow() as uow:
            me = uow.actor if runtime is agent else Actor(0, "postgres", "superuser", AgentRole.ADMIN)
        return Navigation(runtime, me).counts(desk_views)

    rows = []
    for who, runtime in (("agent", agent), ("superuser", superuser)):
        counts = count_all(runtime)
        samples = _timed(partial(count_all, runtime))
        rows.append([who, ", ".join(f"{k} {v:,}" for k, v in counts.items()), *_ms(samples)])
    print_table(["navigation counts as", "counts", "p50 ms (all four)", "p95 ms"], rows)


def _overdue(superuser: Runtime, dsn: str) -> None:
    statuses = ", ".join(f"'{s}'" for s in WORKING_STATUSES)
    sql = (
        f"SELECT count(*) FROM switchboard.ticket WHERE status IN ({statuses}) AND merged_into_id IS NULL"
        " AND sla_due_at < TIMESTAMPTZ '2026-11-01 12:00+00'"
    )
    with psycopg.connect(dsn, autocommit=True) as connection:
        overdue = connection.execute(sql).fetchone()
        samples = _timed(lambda: connection.execute(sql).fetchone())
    print_table(
        ["overdue sweep (working tickets past due, as of the corpus's now)", "tickets", "p50 ms", "p95 ms"],
        [["count over ix_ticket_open_sla", f"{overdue[0] if overdue else 0:,}", *_ms(samples)]],
    )


if __name__ == "__main__":
    main()
