"""SLA: the sweep over many open tickets, finding due work, the recompute after a policy change, the
escalation board and the supervisor's overview, and a dry run — on a database of its own, dropped after.

    python -m benchmarks.bench_sla --server postgresql://postgres@127.0.0.1:5432/postgres --open 30000

Creates `switchboard_bench_sla`, migrates it to head, adds 8 queues, a Berlin business calendar (DE-BE
holidays), a default policy with a three-level ladder, a supervisor leading two queues, and `--open`
working tickets created over the last five days through the ticket triggers (so each has its SLA ledger).
Then it measures, as the worker's trusted session (the DBA) unless said otherwise:

1. the first sweep of every open ticket (due times from each ledger), in tickets per second;
2. finding due work: the watch-list query of one sweep batch (p50 / p95 of 50 runs);
3. a policy change: the recompute marks (every open ticket's ledger, in batches) and the sweeps that
   write the new due times, end to end;
4. the escalation board at that many open tickets: as the superuser and as the supervisor's own login
   (row-level security), and the supervisor view's whole overview (board, team, 28 days of compliance);
5. `sla dry-run` of a tighter policy set over every open ticket.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import psycopg
import psycopg.sql
from sqlalchemy import select, text
from sqlalchemy.engine import URL

from app.bootstrap import Runtime
from app.models import SlaWatch
from app.services.desk import HelpDesk
from app.services.platform.config import parse_database_url
from app.services.platform.database import schema
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.sla import dry_run, supervision
from app.services.sla.recompute import recompute_pending
from app.services.sla.sweep import BATCH, sla_sweep
from benchmarks.common import describe_ms, libpq, print_table
from benchmarks.sla_desk import seed_sla_desk

DATABASE = "switchboard_bench_sla"
QUEUES = 8
TARGETS = {
    "low": {"first_response": 1440, "resolution": 7200},
    "normal": {"first_response": 480, "resolution": 2880},
    "high": {"first_response": 120, "resolution": 960},
    "urgent": {"first_response": 30, "resolution": 240},
}
LADDER = [
    {"level": 1, "after_breach_minutes": 0, "action": "notify_assignee"},
    {"level": 2, "after_breach_minutes": 60, "action": "notify_lead"},
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", required=True, help="a maintenance URL; the benchmark's database is created")
    parser.add_argument("--open", type=int, default=30_000, help="open tickets")
    parser.add_argument("--keep", action="store_true", help="leave the database behind")
    args = parser.parse_args()
    server = parse_database_url(args.server, source="--server")
    url = server.set(database=DATABASE)
    _create(server)
    try:
        _run(url, args.open)
    finally:
        if not args.keep:
            _drop(server)


def _run(url: URL, open_tickets: int) -> None:
    engine = build_engine(url)
    schema.upgrade(engine)
    runtime = Runtime(engine, build_session_factory(engine))
    started = time.perf_counter()
    supervisor = _seed(runtime, open_tickets)
    print(f"{open_tickets:,} open tickets seeded through the triggers in {time.perf_counter() - started:.1f} s\n")
    rows: list[list[str]] = []

    started = time.perf_counter()
    swept = _sweep_all(runtime)
    seconds = time.perf_counter() - started
    rows.append(
        [
            "first sweep (due times of every open ticket)",
            f"{swept:,}",
            f"{seconds:.2f} s",
            f"{swept / seconds:,.0f} tickets/s",
        ]
    )

    with runtime.session_factory() as session:
        session.execute(text("UPDATE switchboard.sla_watch SET check_at = now() - interval '1 second'"))
        session.commit()
        samples = _repeat(
            50,
            lambda: session.execute(
                select(SlaWatch.check_at, SlaWatch.ticket_id)
                .where(SlaWatch.check_at <= text("now()"))
                .order_by(SlaWatch.check_at, SlaWatch.ticket_id)
                .limit(BATCH)
            ).all(),
        )
        session.rollback()
    median, p95, _max = describe_ms(samples)
    rows.append(["finding due work (one batch of the watch list)", f"{BATCH}", f"p50 {median} ms", f"p95 {p95} ms"])
    _sweep_all(runtime)  # the watch list back to its own times

    with runtime.uow() as uow:
        uow.session.execute(
            text("UPDATE switchboard.sla_policy SET targets = CAST(:t AS jsonb) WHERE name = 'Default'"),
            {"t": json.dumps({k: {t: m // 2 for t, m in v.items()} for k, v in TARGETS.items()})},
        )
        uow.commit()
    started = time.perf_counter()
    marked = recompute_pending(runtime.uow, max_batches=10**6)
    marking = time.perf_counter() - started
    swept = _sweep_all(runtime)
    total = time.perf_counter() - started
    rows.append(
        [
            "policy change: recompute marks (batches of 1,000)",
            f"{marked:,}",
            f"{marking:.2f} s",
            f"{marked / marking:,.0f} tickets/s",
        ]
    )
    rows.append(
        [
            "policy change: marks and new due times, end to end",
            f"{swept:,}",
            f"{total:.2f} s",
            f"{swept / total:,.0f} tickets/s",
        ]
    )

    with runtime.uow() as uow:
        samples = _repeat(20, lambda: supervision.escalation_board(uow))
        shown = len(supervision.escalation_board(uow))
    median, p95, _max = describe_ms(samples)
    rows.append(
        [f"escalation board, superuser ({shown} rows shown)", f"{open_tickets:,}", f"p50 {median} ms", f"p95 {p95} ms"]
    )
    lead_engine = build_engine(url.set(username=supervisor, password=None))
    lead = Runtime(lead_engine, build_session_factory(lead_engine))
    try:
        with lead.uow() as uow:
            samples = _repeat(20, lambda: supervision.escalation_board(uow))
            shown = len(supervision.escalation_board(uow))
        median, p95, _max = describe_ms(samples)
        rows.append(
            [
                f"escalation board, a lead of 2 queues, own login ({shown} rows)",
                f"{open_tickets:,}",
                f"p50 {median} ms",
                f"p95 {p95} ms",
            ]
        )
        desk = HelpDesk(lead)
        samples = _repeat(5, desk.supervision.overview)
        median, p95, _max = describe_ms(samples)
        rows.append(
            [
                "supervisor overview (board, team, 28 days of compliance), own login",
                f"{open_tickets:,}",
                f"p50 {median} ms",
                f"max {_max} ms",
            ]
        )
    finally:
        lead.close()

    tighter = [
        {
            "name": "Tight",
            "position": 1,
            "targets": {k: {t: max(1, m // 4) for t, m in v.items()} for k, v in TARGETS.items()},
        }
    ]
    started = time.perf_counter()
    with runtime.uow() as uow:
        outcome = dry_run.dry_run(uow, tighter)
    seconds = time.perf_counter() - started
    rows.append(
        [
            f"dry run of tighter targets ({outcome.moved:,} move, {outcome.newly_breached_count:,} breach)",
            f"{outcome.open_tickets:,}",
            f"{seconds:.2f} s",
            f"{outcome.open_tickets / seconds:,.0f} tickets/s",
        ]
    )
    print_table(["what", "tickets", "time", "rate"], rows)
    runtime.close()


def _seed(runtime: Runtime, open_tickets: int) -> str:
    """Queues, the calendar and policy, a supervisor leading two queues, customers and open tickets."""
    login = seed_sla_desk(runtime, queues=QUEUES, targets=TARGETS, ladder=LADDER)
    recompute_pending(runtime.uow, max_batches=10**6)  # nothing open yet: the requests finish at once
    done = 0
    while done < open_tickets:
        step = min(5000, open_tickets - done)
        with runtime.uow() as uow:
            uow.session.execute(
                text(
                    "INSERT INTO switchboard.ticket (subject, status, priority, type, queue_id, customer_id, channel,"
                    " created_at, updated_at)"
                    " SELECT 'Ticket ' || n, (ARRAY['new','in_progress','in_progress','waiting','pending'])[1 + n % 5],"
                    " (ARRAY[0,1,1,1,2,2,3])[1 + n % 7], 'question', (SELECT array_agg(id ORDER BY id) FROM"
                    " switchboard.queue)[1 + n % :queues], 1 + n % 1000, 'email',"
                    " now() - make_interval(mins => (n * 7919) % 7200), now()"
                    " FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) n"
                ),
                {"queues": QUEUES, "first": done + 1, "last": done + step},
            )
            uow.commit()
        done += step
    return login


def _sweep_all(runtime: Runtime) -> int:
    swept = 0
    while True:
        result = sla_sweep(runtime.uow)
        swept += int(result["tickets"])
        if not result["tickets"]:
            return swept


def _repeat(times: int, call: Callable[[], object]) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def _create(server: URL) -> None:
    with psycopg.connect(libpq(server), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
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
