"""Routing: push-routed ticket creation beside creation without routing (the same service, the same run), and
the dry-run over the last 30 days of the corpus, as the superuser and as a supervisor's and an agent's own
logins (row-level security on).

    python -m benchmarks.corpus --database postgresql://postgres@127.0.0.1:5432/switchboard_bench
    python -m benchmarks.bench_routing --database postgresql://postgres@127.0.0.1:5432/switchboard_bench

The corpus's agents are set available with room (capacity 10,000) so every creation is routed to someone;
their availability and capacity are restored afterwards. Two logins are added to the first queue for the
run (`<db>_route_agent`, an agent, and `<db>_route_lead`, a supervisor made its lead; the queue's lead is
restored afterwards; the logins stay, as the claims benchmark's do). The dry-run's "now" is the corpus's
(2026-11-01 12:00 UTC), so its 30 days hold a month of the corpus (about 27,000 tickets), not the few
tickets benchmarks created since.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from sqlalchemy import select, text
from sqlalchemy.engine import URL

from app.bootstrap import Runtime, event_handlers
from app.models import Customer, Queue
from app.services.people.agents import ensure_session_agent
from app.services.platform.config import parse_database_url
from app.services.platform.database.engine import build_engine, build_session_factory
from app.services.platform.events import EventHandlers
from app.services.routing.dry_run import DryRun, dry_run
from app.services.tickets import service
from app.vocabulary import Channel
from benchmarks.common import describe_ms, login_in_group, print_table
from benchmarks.corpus import NOW as CORPUS_NOW

DRY_RUN_SETTINGS = {"weights": {"skill": 3, "language": 2, "room": 2}, "overflow_cap": 2}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--tickets", type=int, default=500)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--now", type=dt.datetime.fromisoformat, default=CORPUS_NOW, help="the dry-run's now")
    parser.add_argument("--repeat", type=int, default=3, help="dry-runs per row (the best is shown)")
    args = parser.parse_args()
    url = parse_database_url(args.database, source="--database")
    engine = build_engine(url)
    factory = build_session_factory(engine)
    with factory() as session:
        ensure_session_agent(session)  # the superuser's agent row (creations need an agent behind the login)
        session.commit()
    superuser = Runtime(engine, factory)
    with superuser.uow() as uow:
        saved = uow.session.execute(text("SELECT id, availability, capacity FROM switchboard.agent")).all()
        queue_id = uow.session.scalar(select(Queue.id).order_by(Queue.id).limit(1))
        old_lead = uow.session.scalar(select(Queue.team_lead_id).where(Queue.id == queue_id))
        uow.session.execute(text("UPDATE switchboard.agent SET availability = 'available', capacity = 10000"))
        agents = uow.session.scalar(text("SELECT count(*) FROM switchboard.agent WHERE is_active"))
        uow.commit()
    assert queue_id is not None, "run benchmarks.corpus first"
    agent_login, lead_login = _logins(superuser, queue_id)
    as_agent, as_lead = _runtime_as(url, agent_login), _runtime_as(url, lead_login)
    agent_intake = _runtime_as(url, agent_login, routed=True)
    try:
        rows = []
        for label, runtime in [
            ("without routing (superuser)", Runtime(engine, factory, handlers=EventHandlers())),
            ("push-routed (superuser)", Runtime(engine, factory, handlers=event_handlers())),
            ("push-routed (an agent's own login)", agent_intake),
        ]:
            samples, elapsed = _create(runtime, queue_id, args.tickets)
            rows.append([label, f"{len(samples):,}", f"{len(samples) / elapsed:,.0f}", *describe_ms(samples)])
        print(f"Ticket creation through the service, {agents} active agents, one worker:")
        print_table(["creation", "tickets", "tickets/s", "median ms", "p95 ms", "max ms"], rows)

        rows = []
        for label, runtime, queue in [
            ("superuser, every queue", superuser, None),
            ("superuser, the first queue", superuser, queue_id),
            ("its lead's own login (supervisor), the first queue", as_lead, queue_id),
            ("an agent's own login, the first queue", as_agent, queue_id),
        ]:
            result, seconds = _dry_run(runtime, args, queue)
            rows.append(
                [
                    label,
                    f"{result.tickets:,}",
                    f"{seconds:.2f}",
                    f"{result.tickets / seconds:,.0f}",
                    f"{result.changed:,}",
                    f"{len(result.nobody):,}",
                ]
            )
        print(f"\nDry-run over the {args.days} days before {args.now:%Y-%m-%d %H:%M} UTC (best of {args.repeat}):")
        print_table(["as", "tickets", "seconds", "tickets/s", "would change", "no eligible agent"], rows)
    finally:
        with superuser.uow() as uow:
            for agent_id, availability, capacity in saved:
                uow.session.execute(
                    text("UPDATE switchboard.agent SET availability = :a, capacity = :c WHERE id = :i"),
                    {"a": availability, "c": capacity, "i": agent_id},
                )
            uow.session.execute(
                text("UPDATE switchboard.queue SET team_lead_id = :l WHERE id = :q"), {"l": old_lead, "q": queue_id}
            )
            uow.commit()
        for runtime in (as_agent, as_lead, agent_intake):
            runtime.close()
        engine.dispose()


def _logins(runtime: Runtime, queue_id: int) -> tuple[str, str]:
    """An agent and a supervisor of the first queue, each a real login (trust authentication on the
    benchmark server: no password); the supervisor leads the queue for the run."""
    made = []
    with runtime.uow() as uow:
        database = uow.session.execute(text("SELECT current_database()")).scalar_one()
        for who, role in (("route_agent", "agent"), ("route_lead", "supervisor")):
            login = f"{database}_{who}"
            for statement in login_in_group(login, f"{database}_{role}"):
                uow.session.connection().exec_driver_sql(statement)
            agent_id = uow.session.execute(
                text(
                    "INSERT INTO switchboard.agent (display_name, email, db_login, role, availability, capacity)"
                    " VALUES (:name, :email, :login, :role, 'available', 10000)"
                    " ON CONFLICT (db_login) DO UPDATE SET is_active = true RETURNING id"
                ),
                {"name": f"Routing {who}", "email": f"{login}@bench.test", "login": login, "role": role},
            ).scalar_one()
            uow.session.execute(
                text(
                    "INSERT INTO switchboard.queue_member (queue_id, agent_id) VALUES (:q, :a) ON CONFLICT DO NOTHING"
                ),
                {"q": queue_id, "a": agent_id},
            )
            if role == "supervisor":
                uow.session.execute(
                    text("UPDATE switchboard.queue SET team_lead_id = :a WHERE id = :q"), {"a": agent_id, "q": queue_id}
                )
            made.append(login)
        uow.commit()
    return made[0], made[1]


def _runtime_as(url: URL, login: str, *, routed: bool = False) -> Runtime:
    engine = build_engine(url.set(username=login, password=None))
    return Runtime(engine, build_session_factory(engine), handlers=event_handlers() if routed else EventHandlers())


def _dry_run(runtime: Runtime, args: argparse.Namespace, queue: int | None) -> tuple[DryRun, float]:
    best: tuple[DryRun, float] | None = None
    for _ in range(args.repeat):
        started = time.perf_counter()
        with runtime.uow() as uow:
            result = dry_run(uow, DRY_RUN_SETTINGS, days=args.days, now=args.now, queue_id=queue)
        seconds = time.perf_counter() - started
        if best is None or seconds < best[1]:
            best = (result, seconds)
    assert best is not None
    return best


def _create(runtime: Runtime, queue_id: int, count: int) -> tuple[list[float], float]:
    with runtime.uow() as uow:
        customer_id = uow.session.scalar(select(Customer.id).order_by(Customer.id).limit(1))
    assert customer_id is not None, "run benchmarks.corpus first"
    samples: list[float] = []
    began = time.perf_counter()
    for n in range(count):
        started = time.perf_counter()
        with runtime.uow() as uow:
            service.create_ticket(
                uow,
                subject=f"Routing bench {n}",
                customer_id=customer_id,
                queue_id=queue_id,
                body="Please help.",
                channel=Channel.EMAIL,
            )
            uow.commit()
        samples.append(time.perf_counter() - started)
    return samples, time.perf_counter() - began


if __name__ == "__main__":
    main()
