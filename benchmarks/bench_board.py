"""The escalation board ranked by predicted breach, at scale: the worker's job that measures the typical
handling of every (queue, priority, type) in business minutes over 4 weeks of history (`sla_typical`,
migration 0031), then the board's one statement (the 500 soonest-due open tickets, their groups' typical
handling, the acknowledgements) and the whole `escalation_board` call (with the policy book and the
business minutes per row).

    python -m benchmarks.bench_board --server postgresql://postgres@127.0.0.1:5432/postgres --history 1000000

Creates `switchboard_bench_board`, migrates it to head, adds 8 queues, a Berlin business calendar with
DE-BE holidays, a default policy and a supervisor leading two queues, then writes in bulk, with the
triggers off (`session_replication_role = replica`: this measures reading, not writing): `--history`
closed tickets over the last year (each with a first response and a resolution) and `--open` working
tickets due from 8 hours ago to 8 hours ahead. Measured as the superuser and as the lead's own login
(row-level security), 20 runs each.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import psycopg
import psycopg.sql
from sqlalchemy.engine import URL

from app.bootstrap import Runtime
from app.services.platform.config import parse_database_url
from app.services.platform.database import schema
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.sla import supervision, typical
from benchmarks.common import describe_ms, libpq, print_table
from benchmarks.sla_desk import seed_sla_desk

DATABASE = "switchboard_bench_board"
QUEUES = 8
TARGETS = {p: {"first_response": 120, "resolution": 960} for p in ("low", "normal", "high", "urgent")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", required=True, help="a maintenance URL; the benchmark's database is created")
    parser.add_argument("--history", type=int, default=1_000_000, help="closed tickets over the last year")
    parser.add_argument("--open", type=int, default=30_000, help="working tickets")
    parser.add_argument("--keep", action="store_true", help="leave the database behind")
    args = parser.parse_args()
    server = parse_database_url(args.server, source="--server")
    _create(server)
    try:
        _run(server.set(database=DATABASE), args.history, args.open)
    finally:
        if not args.keep:
            _drop(server)


def _run(url: URL, history: int, open_tickets: int) -> None:
    engine = build_engine(url)
    schema.upgrade(engine)
    runtime = Runtime(engine, build_session_factory(engine))
    started = time.perf_counter()
    lead = _seed(runtime, url, history, open_tickets)
    print(f"{history:,} closed and {open_tickets:,} open tickets written in {time.perf_counter() - started:.1f} s\n")
    rows: list[list[str]] = []
    outcome: dict[str, object] = {}
    samples = _repeat(3, lambda: outcome.update(typical.refresh_typical_handling(runtime.uow)))
    median, p95, _max = describe_ms(samples)
    rows.append(
        [
            "the worker's typical handling job (business minutes, every 15 min)",
            f"{outcome['groups']} groups, {outcome['tickets_measured']:,} tickets measured",
            f"p50 {median} ms",
            f"max {_max} ms",
        ]
    )
    for who, login in (("superuser", None), ("a lead of 2 queues, own login", lead)):
        person = runtime if login is None else _runtime(url.set(username=login, password=None))
        try:
            with person.uow() as uow:
                board = supervision.escalation_board(uow)
                samples = _repeat(20, lambda uow=uow: supervision.escalation_board(uow))  # type: ignore[misc]
            median, p95, _max = describe_ms(samples)
            with_typical = sum(1 for row in board if row.typical_minutes is not None)
            rows.append(
                [
                    f"escalation board ranked by predicted breach, {who}",
                    f"{len(board)} rows ({with_typical} with a typical time)",
                    f"p50 {median} ms",
                    f"p95 {p95} ms",
                ]
            )
        finally:
            if login is not None:
                person.close()
    print_table(["what", "shown", "time", "tail"], rows)
    runtime.close()


def _runtime(url: URL) -> Runtime:
    engine = build_engine(url)
    return Runtime(engine, build_session_factory(engine))


def _seed(runtime: Runtime, url: URL, history: int, open_tickets: int) -> str:
    login = seed_sla_desk(runtime, queues=QUEUES, targets=TARGETS)
    with psycopg.connect(libpq(url), autocommit=True) as connection:
        connection.execute("SET session_replication_role = replica")
        for first in range(1, history + 1, 100_000):
            last = min(history, first + 99_999)
            connection.execute(
                "INSERT INTO switchboard.ticket (subject, status, priority, type, queue_id, customer_id, channel,"
                " created_at, updated_at, first_response_at, resolved_at, closed_at)"
                " SELECT 'Old ' || n, 'closed', (ARRAY[0,1,1,1,2,2,3])[1 + n %% 7],"
                " (ARRAY['question','incident','problem','task'])[1 + n %% 4],"
                " (SELECT array_agg(id ORDER BY id) FROM switchboard.queue)[1 + n %% 8], 1 + n %% 1000, 'email',"
                " c, c, c + make_interval(mins => 5 + (n * 31) %% 600),"
                " c + make_interval(mins => 60 + (n * 97) %% 5000),"
                " c + make_interval(mins => 6000)"
                " FROM (SELECT n, now() - make_interval(mins => ((n::bigint * 7919) %% 525600)::int) AS c"
                "       FROM generate_series(%s::int, %s::int) n) g",
                (first, last),
            )
        connection.execute(
            "INSERT INTO switchboard.ticket (subject, status, priority, type, queue_id, customer_id, channel,"
            " created_at, updated_at, first_response_due_at, resolution_due_at)"
            " SELECT 'Open ' || n, (ARRAY['new','in_progress','in_progress','waiting','pending'])[1 + n %% 5],"
            " (ARRAY[0,1,1,1,2,2,3])[1 + n %% 7], (ARRAY['question','incident','problem','task'])[1 + n %% 4]"
            ", (SELECT array_agg(id ORDER BY id) FROM switchboard.queue)[1 + n %% 8], 1 + n %% 1000,"
            " 'email', now() - interval '1 day', now(),"
            " CASE WHEN n %% 3 = 0 THEN now() + make_interval(mins => (n * 13) %% 960 - 480) END,"
            " now() + make_interval(mins => (n * 17) %% 4000 - 480)"
            " FROM generate_series(1, %s::int) n",
            (open_tickets,),
        )
        connection.execute("VACUUM ANALYZE switchboard.ticket")  # as autovacuum leaves a settled table
    return login


def _repeat(times: int, call: Callable[[], object]) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def _create(server: URL) -> None:
    _drop(server)  # what a run with --keep left, roles included
    with psycopg.connect(libpq(server), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{DATABASE}"')


def _drop(server: URL) -> None:
    """The database and the roles named after it (logins first, the owner last)."""
    with psycopg.connect(libpq(server), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        names = [
            r[0]
            for r in connection.execute(
                "SELECT rolname FROM pg_roles WHERE starts_with(rolname, %s)", (f"{DATABASE}_",)
            )
        ]
        groups = [f"{DATABASE}_{g}" for g in ("agent", "supervisor", "admin", "owner")]
        for name in [n for n in names if n not in groups] + [g for g in groups if g in names]:
            connection.execute(psycopg.sql.SQL("DROP ROLE IF EXISTS {}").format(psycopg.sql.Identifier(name)))


if __name__ == "__main__":
    main()
