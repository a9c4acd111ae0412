"""Ticket creation throughput through the service: each ticket its own transaction, audited, logged
and notified, as an agent creates it — signed in as an agent's own login, so row-level security, the
guard triggers and the change-log triggers all run.

    python -m benchmarks.bench_ticket_create --database postgresql://postgres@127.0.0.1:5432/switchboard_bench
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time

from sqlalchemy import Engine, select, text
from sqlalchemy.engine import URL, make_url

from app.bootstrap import Runtime
from app.models import Agent, Customer, Queue
from app.services.people.agents import ensure_session_agent
from app.services.platform.config import parse_database_url
from app.services.platform.database import schema
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.platform.events import EventHandlers
from app.services.tickets import service
from app.vocabulary import Priority
from benchmarks.common import (
    WRITTEN_BY_TICKET_CHANGES,
    autovacuum_setting,
    describe_ms,
    ensure_database,
    load_average,
    login_in_group,
    print_table,
    vacuum,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--tickets", type=int, default=2_000, help="tickets per worker")
    parser.add_argument(
        "--without-routing",
        action="store_true",
        help="no in-transaction policies (push routing): the creation's own cost, as before routing landed",
    )
    parser.add_argument(
        "--with-sla-policy",
        action="store_true",
        help="first add what a configured desk has (the corpus has none): a default SLA policy in business"
        " hours on a calendar with Berlin's public holidays, and an account priority rule (the customer's"
        " account is not cached: the rule is checked, nothing raised)",
    )
    args = parser.parse_args()
    url = parse_database_url(args.database, source="--database")
    ensure_database(url)
    engine = build_engine(url)
    schema.upgrade(engine)
    agent_url = _bench_agent(engine)
    if args.with_sla_policy:
        _configure(engine)
    with build_session_factory(engine)() as session:
        ensure_session_agent(session)  # the superuser's row, for the raw-SQL comparison
        session.commit()
    engine.dispose()
    rows = []
    runs = [("agent login (RLS)", agent_url, w) for w in (1, 2, 4)] + [("superuser (no RLS)", url, 1)]
    print(
        f"load average at start: {load_average()}; autovacuum {autovacuum_setting(url)};"
        " what creations write is vacuumed before each row\n"
    )
    for who, run_url, workers in runs:
        vacuum(url, (*WRITTEN_BY_TICKET_CHANGES, "message", "sla_ledger", "routing_decision"))
        samples, elapsed = _run(run_url, workers, args.tickets, routing=not args.without_routing)
        rows.append(
            [
                who,
                str(workers),
                f"{len(samples):,}",
                f"{elapsed:.1f}",
                f"{len(samples) / elapsed:,.0f}",
                *describe_ms(samples),
            ]
        )
    print_table(["as", "workers", "tickets", "seconds", "tickets/s", "median ms", "p95 ms", "max ms"], rows)


BENCH_AGENT = "bench_agent"


def _bench_agent(engine: Engine) -> URL:
    """An agent login of the first queue (trust authentication on the benchmark server: no password)."""
    with engine.begin() as connection:
        database = connection.execute(text("SELECT current_database()")).scalar_one()
        login = f"{database}_{BENCH_AGENT}"
        for statement in login_in_group(login, f"{database}_agent"):
            connection.exec_driver_sql(statement)
        connection.execute(
            text(
                "INSERT INTO switchboard.agent (display_name, email, db_login, role, availability)"
                " VALUES ('Bench Agent', :email, :login, 'agent', 'available') ON CONFLICT (db_login) DO NOTHING"
            ),
            {"email": f"{login}@bench.test", "login": login},
        )
        connection.execute(
            text(
                "INSERT INTO switchboard.queue_member (queue_id, agent_id)"
                " SELECT (SELECT min(id) FROM switchboard.queue), id FROM switchboard.agent WHERE db_login = :login"
                " ON CONFLICT DO NOTHING"
            ),
            {"login": login},
        )
    return engine.url.set(username=login, password=None)


def _configure(engine: Engine) -> None:
    """A business calendar, a default SLA policy on it and an account priority rule (idempotent)."""
    weekdays = json.dumps({str(day): [[540, 1020]] for day in range(5)})
    targets = json.dumps({p.label: {"first_response": 240, "resolution": 2400} for p in Priority})
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO switchboard.business_calendar (name, time_zone, weekly_hours, country, subdivision)"
                " VALUES ('Bench Berlin', 'Europe/Berlin', CAST(:hours AS jsonb), 'DE', 'BE')"
                " ON CONFLICT (name) DO NOTHING"
            ),
            {"hours": weekdays},
        )
        connection.execute(
            text(
                "INSERT INTO switchboard.sla_policy (name, position, targets, business_hours, calendar_id)"
                " SELECT 'Bench default', 1000, CAST(:targets AS jsonb), true, id FROM switchboard.business_calendar"
                " WHERE name = 'Bench Berlin' ON CONFLICT (name) DO NOTHING"
            ),
            {"targets": targets},
        )
        connection.execute(
            text(
                "INSERT INTO switchboard.account_priority_rule (name, conditions, priority)"
                """ VALUES ('Bench VIP', '{"account.tier": "vip"}', 2) ON CONFLICT (name) DO NOTHING"""
            )
        )


def _run(url: URL, workers: int, per_worker: int, *, routing: bool = True) -> tuple[list[float], float]:
    """Latency samples of every create, and the wall time from the first create to the last
    (process start-up and imports are not counted)."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers) as pool:
        job = (url.render_as_string(hide_password=False), per_worker, routing)
        results = pool.starmap(_create_many, [job] * workers)
    elapsed = max(end for _s, _b, end in results) - min(begin for _s, begin, _e in results)
    return [sample for samples, _b, _e in results for sample in samples], elapsed


def _create_many(url_text: str, count: int, routing: bool = True) -> tuple[list[float], float, float]:
    engine = build_engine(make_url(url_text))
    runtime = Runtime(engine, build_session_factory(engine))
    if not routing:
        runtime.handlers = EventHandlers()
    with runtime.uow() as uow:
        queue_id = uow.session.scalar(select(Queue.id).order_by(Queue.id).limit(1))
        customer_id = uow.session.scalar(select(Customer.id).order_by(Customer.id).limit(1))
        assert queue_id is not None and customer_id is not None, "load the corpus first (benchmarks.corpus)"
        _ = uow.session.scalar(select(Agent.id).limit(1))
    samples = []
    begin = time.time()
    for n in range(count):
        started = time.perf_counter()
        with runtime.uow() as uow:
            service.create_ticket(
                uow,
                subject=f"Benchmark ticket {n}: sync fails with E1042",
                body="Since this morning the sync fails with error E1042 for 40 users.",
                customer_id=customer_id,
                queue_id=queue_id,
            )
            uow.commit()
        samples.append(time.perf_counter() - started)
    end = time.time()
    engine.dispose()
    return samples, begin, end


if __name__ == "__main__":
    main()
